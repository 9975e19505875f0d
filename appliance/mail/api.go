package mail

import (
	"net/http"
	"strconv"
	"time"

	"preau/appliance/text"
	"preau/appliance/web"
)

// The mail's JSON API (docs/api.md), for the mobile app: the same service
// as the webmail.

func (h *handlers) apiRoutes() {
	h.Handle("GET /api/v1/mail/folders", everyone, h.apiFolders)
	h.Handle("GET /api/v1/mail/messages", everyone, h.apiList)
	h.Handle("POST /api/v1/mail/messages", everyone, h.apiSend)
	h.Handle("GET /api/v1/mail/messages/{id}", everyone, h.apiGet)
	h.Handle("PATCH /api/v1/mail/messages/{id}", everyone, h.apiPatch)
	h.Handle("DELETE /api/v1/mail/messages/{id}", everyone, h.apiDelete)
	h.Handle("GET /api/v1/mail/messages/{id}/attachments/{n}", everyone, h.attachment)
	h.Handle("POST /api/v1/mail/drafts", everyone, h.apiDraft)
	h.Handle("GET /api/v1/mail/directory", everyone, h.apiDirectory)
	h.Handle("GET /api/v1/mail/held", moderators, h.apiHeld)
	h.Handle("POST /api/v1/mail/held/{id}/approve", moderators, h.apiApprove)
	h.Handle("POST /api/v1/mail/held/{id}/return", moderators, h.apiReturn)
	h.Handle("GET /api/v1/mail/settings", directors, h.apiSettings)
	h.Handle("PUT /api/v1/mail/settings", directors, h.apiSetSettings)
}

type folderJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Special string `json:"special_use,omitempty"`
	Total   int    `json:"total"`
	Unread  int    `json:"unread"`
}

func (h *handlers) apiFolders(w http.ResponseWriter, r *http.Request) {
	folders, err := h.s.Folders(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]folderJSON, len(folders))
	for i, f := range folders {
		out[i] = folderJSON{ID: f.ID, Name: cmpOr(f.Name, web.T(r, "mail.folder."+f.ID)), Special: f.Use, Total: f.Total, Unread: f.Unread}
	}
	web.JSON(w, http.StatusOK, out)
}

type summaryJSON struct {
	ID          string     `json:"id"`
	Folder      string     `json:"folder"`
	Thread      string     `json:"thread"`
	Subject     string     `json:"subject"`
	From        string     `json:"from"`
	To          string     `json:"to"`
	Snippet     string     `json:"snippet"`
	Date        time.Time  `json:"date"`
	Size        int64      `json:"size"`
	Attachments int        `json:"attachments"`
	Seen        bool       `json:"seen"`
	Flagged     bool       `json:"flagged"`
	Answered    bool       `json:"answered"`
	State       string     `json:"state"`
	Reason      string     `json:"reason,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

func summaryOf(s Summary) summaryJSON {
	j := summaryJSON{ID: s.CopyID, Folder: s.Folder, Thread: s.ThreadID, Subject: s.Subject, From: s.From, To: s.To, Snippet: s.Snippet,
		Date: s.Date, Size: s.Size, Attachments: s.Attachments, Seen: s.Seen, Flagged: s.Flagged, Answered: s.Answered,
		State: s.State, Reason: s.Reason}
	if !s.DeliveredAt.IsZero() {
		j.DeliveredAt = &s.DeliveredAt
	}
	return j
}

func summariesOf(list []Summary) []summaryJSON {
	out := make([]summaryJSON, len(list))
	for i, s := range list {
		out[i] = summaryOf(s)
	}
	return out
}

// apiList: a folder's page (?folder=inbox&offset=0&limit=50), or a
// search's results (?q=).
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	folder := cmpOr(r.FormValue("folder"), Inbox)
	if q := r.FormValue("q"); q != "" {
		list, err := h.s.Search(r.Context(), u, q, r.FormValue("folder"), perPage)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]any{"total": len(list), "messages": summariesOf(list)})
		return
	}
	offset, _ := strconv.Atoi(r.FormValue("offset"))
	limit, err := strconv.Atoi(cmpOr(r.FormValue("limit"), "50"))
	if err != nil || limit < 1 || limit > 200 {
		h.Error(w, r, http.StatusBadRequest, "mail.err.limit")
		return
	}
	p, err := h.s.List(r.Context(), u, folder, offset, limit)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"total": p.Total, "offset": p.Offset, "messages": summariesOf(p.Items)})
}

type attachmentJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int    `json:"size"`
	URL  string `json:"url"`
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	o, err := h.s.Open(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	files := make([]attachmentJSON, len(o.Attachments))
	for i, a := range o.Attachments {
		files[i] = attachmentJSON{Name: a.Name, Type: a.Type, Size: len(a.Data),
			URL: "/api/v1/mail/messages/" + o.Copy.CopyID + "/attachments/" + strconv.Itoa(i)}
	}
	var html string
	if o.HTML != "" {
		html, _ = text.SafeHTML(o.HTML)
	}
	web.JSON(w, http.StatusOK, map[string]any{"message": summaryOf(o.Copy), "text": o.Text, "html": html,
		"attachments": files, "thread": summariesOf(o.Thread)})
}

// draftJSON is a message to send or keep, as the API takes it.
type draftJSON struct {
	To          []string         `json:"to"` // user ids, group keys or addresses
	Cc          []string         `json:"cc"`
	Bcc         []string         `json:"bcc"`
	Subject     string           `json:"subject"`
	Text        string           `json:"text"`
	ReplyTo     string           `json:"reply_to"`
	Forward     string           `json:"forward"`
	DraftID     string           `json:"draft_id"`
	Attachments []attachmentData `json:"attachments"`
}

type attachmentData struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Data []byte `json:"data"` // base64
}

func (d draftJSON) draft() Draft {
	out := Draft{To: d.To, Cc: d.Cc, Bcc: d.Bcc, Subject: d.Subject, Text: d.Text, ReplyTo: d.ReplyTo, Forward: d.Forward, DraftID: d.DraftID}
	for _, a := range d.Attachments {
		out.Attachments = append(out.Attachments, Attachment{Name: a.Name, Type: a.Type, Data: a.Data})
	}
	return out
}

func (h *handlers) apiSend(w http.ResponseWriter, r *http.Request) {
	var in draftJSON
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	out, err := h.s.Send(r.Context(), web.CurrentUser(r), web.Lang(r), in.draft())
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": out.CopyID, "state": out.State})
}

func (h *handlers) apiDraft(w http.ResponseWriter, r *http.Request) {
	var in draftJSON
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	id, err := h.s.SaveDraft(r.Context(), web.CurrentUser(r), web.Lang(r), in.draft())
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": id})
}

// apiPatch changes a message's flags or folder: {"seen": true,
// "flagged": false, "folder": "archive"}.
func (h *handlers) apiPatch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Seen    *bool   `json:"seen"`
		Flagged *bool   `json:"flagged"`
		Folder  *string `json:"folder"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	u := web.CurrentUser(r)
	id := r.PathValue("id")
	if _, err := h.s.copyOf(r.Context(), u.ID, id); err != nil {
		h.Fail(w, r, err)
		return
	}
	err := h.s.SetFlags(r.Context(), u, []string{id}, Flags{Seen: in.Seen, Flagged: in.Flagged})
	if err == nil && in.Folder != nil {
		err = h.s.Move(r.Context(), u, []string{id}, *in.Folder)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	c, err := h.s.copyOf(r.Context(), u.ID, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, summaryOf(c))
}

// apiDelete puts a message in the Corbeille, or deletes it for good from
// there.
func (h *handlers) apiDelete(w http.ResponseWriter, r *http.Request) {
	if err := h.s.Delete(r.Context(), web.CurrentUser(r), []string{r.PathValue("id")}); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type contactJSON struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	Profile string `json:"profile,omitempty"`
	Group   bool   `json:"group"`
}

// apiDirectory: whom the caller may write to, matching ?q=.
func (h *handlers) apiDirectory(w http.ResponseWriter, r *http.Request) {
	list, err := h.s.Directory(r.Context(), web.CurrentUser(r), web.Lang(r), r.FormValue("q"), 50)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]contactJSON, len(list))
	for i, c := range list {
		out[i] = contactJSON{Key: c.Key, Name: c.Name, Address: c.Address, Profile: string(c.Profile), Group: c.Group}
	}
	web.JSON(w, http.StatusOK, out)
}

func (h *handlers) apiHeld(w http.ResponseWriter, r *http.Request) {
	held, err := h.s.Held(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	type heldJSON struct {
		ID       string    `json:"id"`
		SenderID string    `json:"sender_id"`
		Sender   string    `json:"sender"`
		Subject  string    `json:"subject"`
		To       string    `json:"to"`
		Text     string    `json:"text"`
		Date     time.Time `json:"date"`
	}
	out := make([]heldJSON, len(held))
	for i, m := range held {
		out[i] = heldJSON{ID: m.MessageID, SenderID: m.SenderID, Sender: m.Sender.DisplayName, Subject: m.Subject, To: m.To, Text: m.Text, Date: m.Date}
	}
	web.JSON(w, http.StatusOK, out)
}

func (h *handlers) apiApprove(w http.ResponseWriter, r *http.Request) {
	if err := h.s.Approve(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handlers) apiReturn(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	if err := h.s.Return(r.Context(), web.CurrentUser(r), r.PathValue("id"), in.Reason); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type settingsJSON struct {
	Pupils   string `json:"pupils"` // class, teachers, none
	Moderate bool   `json:"moderate"`
}

func (h *handlers) apiSettings(w http.ResponseWriter, r *http.Request) {
	st, err := h.s.Settings(r.Context(), web.CurrentUser(r).SchoolID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, settingsJSON{Pupils: st.Pupils, Moderate: st.Moderate})
}

func (h *handlers) apiSetSettings(w http.ResponseWriter, r *http.Request) {
	var in settingsJSON
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	if err := h.s.SetSettings(r.Context(), web.CurrentUser(r), Settings{Pupils: in.Pupils, Moderate: in.Moderate}); err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, in)
}
