package mail

import (
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/text"
	"preau/appliance/web"
)

// The webmail: pages for every profile (a simpler one for pupils) and the
// JSON API (api.go), over the same service.

type handlers struct {
	*feature.Env
	s *Service
}

var (
	everyone   = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI)
	moderators = web.Only(auth.Teacher, auth.Director)
	directors  = web.Only(auth.Director)
)

// perPage is a list page's length.
const perPage = 50

func (h *handlers) routes() {
	h.Handle("GET "+Path, everyone, h.box)
	h.Handle("GET "+Path+"/ecrire", everyone, h.writePage)
	h.Handle("POST "+Path+"/envoyer", everyone, h.send)
	h.Handle("POST "+Path+"/brouillon", everyone, h.saveDraft)
	h.Handle("POST "+Path+"/actions", everyone, h.act)
	h.Handle("POST "+Path+"/corbeille/vider", everyone, h.emptyTrash)
	h.Handle("POST "+Path+"/dossiers", everyone, h.createFolder)
	h.Handle("POST "+Path+"/dossiers/{id}/renommer", everyone, h.renameFolder)
	h.Handle("POST "+Path+"/dossiers/{id}/supprimer", everyone, h.deleteFolder)
	h.Handle("GET "+Path+"/validation", moderators, h.heldPage)
	h.Handle("POST "+Path+"/validation/{id}/accepter", moderators, h.approve)
	h.Handle("POST "+Path+"/validation/{id}/rendre", moderators, h.giveBack)
	h.Handle("GET "+Path+"/reglages", directors, h.settingsPage)
	h.Handle("POST "+Path+"/reglages", directors, h.saveSettings)
	h.Handle("GET "+Path+"/{id}", everyone, h.read)
	h.Handle("GET "+Path+"/{id}/pj/{n}", everyone, h.attachment)
	h.Handle("GET "+Path+"/{id}/source", everyone, h.source)
	h.apiRoutes()
	// a message with its files: up to the largest message, and the form around it
	h.AllowBody("POST "+Path+"/envoyer", h.s.maxSize*4/3+1<<20)
	h.AllowBody("POST /api/v1/mail/messages", h.s.maxSize*4/3+1<<20)
}

// tiles: every profile's, counting the unread messages of the inbox; the
// teachers' held pupils' messages show in the page.
func tiles(env *feature.Env) []web.Tile {
	s := Of(env).S
	badge := func(r *http.Request) (string, error) {
		n, err := s.Unread(r.Context(), web.CurrentUser(r))
		if err != nil || n == 0 {
			return "", err
		}
		return web.N(r, "mail.badge.unread", n), nil
	}
	return []web.Tile{
		{Profile: auth.Pupil, Label: "mail.tile.pupil", Href: Path, Icon: "courrier", Picture: "icons/courrier", Order: 25, Badge: badge},
		{Profile: auth.Parent, Label: "mail.tile.title", Href: Path, Icon: "courrier", Order: 7, Hint: "mail.tile.parent_hint", Badge: badge},
		{Profile: auth.Teacher, Label: "mail.tile.title", Href: Path, Icon: "courrier", Order: 27, Hint: "mail.tile.staff_hint", Badge: badge},
		{Profile: auth.Director, Label: "mail.tile.title", Href: Path, Icon: "courrier", Order: 47, Hint: "mail.tile.staff_hint", Badge: badge},
		{Profile: auth.DSI, Label: "mail.tile.title", Href: Path, Icon: "courrier", Order: 15, Hint: "mail.tile.dsi_hint", Badge: badge},
	}
}

// boxPage is a folder's list, or a search's results.
type boxPage struct {
	Folders []Folder
	Folder  Folder
	Page    Page
	Query   string
	Results bool
	Held    int // pupils' messages waiting for this teacher
	Prev    string
	Next    string
	Faces   map[string]face // the pupil's correspondents
}

// face is how a pupil recognises who wrote: a name, a colour, the
// teacher's picture.
type face struct {
	Name    string
	Teacher bool
	Tint    int
}

func (h *handlers) box(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	ctx := r.Context()
	folders, err := h.s.Folders(ctx, u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := boxPage{Folders: folders, Folder: folders[0], Query: strings.TrimSpace(r.FormValue("q"))}
	if i := slices.IndexFunc(folders, func(f Folder) bool { return f.ID == r.FormValue("dossier") }); i >= 0 {
		p.Folder = folders[i]
	}
	if p.Query != "" {
		p.Results = true
		p.Page.Items, err = h.s.Search(ctx, u, p.Query, "", perPage)
		p.Page.Total = len(p.Page.Items)
	} else {
		offset, _ := strconv.Atoi(r.FormValue("debut"))
		p.Page, err = h.s.List(ctx, u, p.Folder.ID, offset, perPage)
		if p.Page.Offset > 0 {
			p.Prev = boxURL(p.Folder.ID, max(0, p.Page.Offset-perPage))
		}
		if p.Page.Offset+perPage < p.Page.Total {
			p.Next = boxURL(p.Folder.ID, p.Page.Offset+perPage)
		}
	}
	if err == nil && (u.Profile == auth.Teacher || u.Profile == auth.Director) {
		var held []Held
		held, err = h.s.Held(ctx, u)
		p.Held = len(held)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if u.Profile == auth.Pupil {
		p.Faces = h.correspondents(r, p.Page.Items)
		h.Render(w, r, "mail/pupil", web.T(r, "mail.tile.pupil"), p)
		return
	}
	h.Render(w, r, "mail/box", web.T(r, "mail.title"), p)
}

// correspondents are the accounts of the people a pupil's messages are
// from, for their faces.
func (h *handlers) correspondents(r *http.Request, items []Summary) map[string]face {
	out := map[string]face{}
	for _, it := range items {
		if _, ok := out[it.SenderID]; !ok {
			if x, err := h.Auth.User(r.Context(), it.SenderID); err == nil {
				out[it.SenderID] = face{Name: x.DisplayName, Teacher: x.Profile == auth.Teacher || x.Profile == auth.Director, Tint: tint(x.ID)}
			}
		}
	}
	return out
}

func boxURL(folder string, offset int) string {
	q := url.Values{"dossier": {folder}}
	if offset > 0 {
		q.Set("debut", strconv.Itoa(offset))
	}
	return Path + "?" + q.Encode()
}

// readPage is one message with its conversation.
type readPage struct {
	Opened
	Folders []Folder
	HTML    template.HTML // the message's HTML, sanitized; "" when it has text
	Blocked bool          // remote images were left out
	Sender  auth.User
	Tint    int    // the sender's avatar's colour
	Reason  string // why a message came back, in words
}

// tint is a colour for a person's avatar, the same every time.
func tint(s string) int {
	n := 0
	for _, c := range s {
		n += int(c)
	}
	return n % 6
}

// reasonText puts a returned message's reason in words: the city's, from
// the catalogue; a teacher's, as written.
func reasonText(r *http.Request, reason string) string {
	if strings.HasPrefix(reason, "mail.reason.") {
		return web.T(r, reason)
	}
	return reason
}

func (h *handlers) read(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	o, err := h.s.Open(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := readPage{Opened: o}
	if o.Text == "" && o.HTML != "" {
		safe, blocked := text.SafeHTML(o.HTML)
		p.HTML, p.Blocked = template.HTML(safe), blocked // the one sanitizer policy made it safe
	}
	p.Sender, _ = h.Auth.User(r.Context(), o.Copy.SenderID)
	p.Tint, p.Reason = tint(o.From.Email), reasonText(r, o.Copy.Reason)
	if p.Folders, err = h.s.Folders(r.Context(), u); err != nil {
		h.Fail(w, r, err)
		return
	}
	title := o.Subject
	if title == "" {
		title = web.T(r, "mail.no_subject")
	}
	h.Render(w, r, "mail/read", title, p)
}

func (h *handlers) attachment(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		h.Error(w, r, http.StatusNotFound, "mail.err.no_attachment")
		return
	}
	a, err := h.s.Attachment(r.Context(), web.CurrentUser(r), r.PathValue("id"), n)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	// a file from a message is downloaded, never shown inside Préau's origin
	web.FileHeaders(w, cmpOr(a.Name, "piece-jointe"), a.Type, true)
	w.Write(a.Data)
}

// source is the message as it was sent, for the curious and for support.
func (h *handlers) source(w http.ResponseWriter, r *http.Request) {
	_, raw, err := h.s.Raw(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(raw)
}

// writePage is the form to write a message.
type writePage struct {
	Form     Draft
	ToText   string // the recipients as typed: names and addresses, commas between
	CcText   string
	Groups   []Contact
	People   []Contact
	Chosen   []string // the groups ticked
	Reply    *Opened  // the message answered
	Forward  *Opened
	MaxSize  int64
	Pupil    bool
	Fragment string // the anchor to jump to
}

func (h *handlers) writePage(w http.ResponseWriter, r *http.Request) {
	p, err := h.prefill(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.renderWrite(w, r, http.StatusOK, p, "")
}

// prefill fills the form from the link that opened it: someone to write
// to, a message to answer (to all) or to forward, a draft to go on with.
func (h *handlers) prefill(r *http.Request) (writePage, error) {
	u := web.CurrentUser(r)
	ctx := r.Context()
	p := writePage{}
	if to := r.FormValue("a"); to != "" {
		p.Form.To = []string{to}
		if x, err := h.s.account(ctx, to); err == nil {
			p.ToText = contactText(h.s.Address(x))
		} else {
			p.Chosen = []string{to}
		}
	}
	if id := r.FormValue("repondre"); id != "" {
		o, err := h.s.Open(ctx, u, id)
		if err != nil {
			return p, err
		}
		p.Reply, p.Form.ReplyTo = &o, id
		p.Form.Subject = prefixed("Re: ", o.Subject)
		p.Form.Text = quote(o)
		to := []Address{o.From}
		if r.FormValue("tous") != "" {
			for _, a := range slices.Concat(o.To, o.Cc) {
				if !strings.EqualFold(a.Email, h.s.Address(u).Email) {
					to = append(to, a)
				}
			}
		}
		p.ToText = joinContacts(to)
	}
	if id := r.FormValue("transferer"); id != "" {
		o, err := h.s.Open(ctx, u, id)
		if err != nil {
			return p, err
		}
		p.Forward, p.Form.Forward = &o, id
		p.Form.Subject = prefixed("Fwd: ", o.Subject)
		p.Form.Text = "\n\n---------- " + web.T(r, "mail.forwarded") + " ----------\n" + web.T(r, "mail.from") + " " + o.From.String() +
			"\n" + web.T(r, "mail.subject") + " " + o.Subject + "\n\n" + o.Text
	}
	if id := r.FormValue("brouillon"); id != "" {
		o, err := h.s.Open(ctx, u, id)
		if err != nil {
			return p, err
		}
		p.Form = Draft{Subject: o.Subject, Text: o.Text, DraftID: id}
		p.ToText = joinContacts(slices.Concat(o.To, o.Cc))
	}
	return p, nil
}

func prefixed(prefix, subject string) string {
	if strings.HasPrefix(strings.ToLower(subject), strings.ToLower(prefix)) {
		return subject
	}
	return prefix + subject
}

// quote is an answer's start: the message answered, each line marked.
func quote(o Opened) string {
	var b strings.Builder
	b.WriteString("\n\n")
	for _, line := range strings.Split(strings.TrimRight(o.Text, "\n"), "\n") {
		b.WriteString("> " + line + "\n")
	}
	return b.String()
}

func contactText(a Address) string {
	if a.Name == "" {
		return a.Email
	}
	return a.Name + " <" + a.Email + ">"
}

func joinContacts(as []Address) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = contactText(a)
	}
	return strings.Join(parts, ", ")
}

// renderWrite shows the form, with a problem when it was sent back.
func (h *handlers) renderWrite(w http.ResponseWriter, r *http.Request, status int, p writePage, errMsg string) {
	u := web.CurrentUser(r)
	contacts, err := h.s.Directory(r.Context(), u, web.Lang(r), "", 2000)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	for _, c := range contacts {
		if c.Group {
			p.Groups = append(p.Groups, c)
		} else {
			p.People = append(p.People, c)
		}
	}
	p.MaxSize = h.s.maxSize
	p.Pupil = u.Profile == auth.Pupil
	page := "mail/write"
	if p.Pupil {
		page = "mail/pupil_write"
	}
	h.RenderStatus(w, r, status, page, web.T(r, "mail.write"), p, errMsg)
}

// recipientKeys reads a recipients field as typed: entries separated by
// commas or semicolons, each an address in angle brackets, a bare address
// or login, or a name from the directory.
func (h *handlers) recipientKeys(r *http.Request, field string, people []Contact) []string {
	var out []string
	for _, part := range strings.FieldsFunc(r.PostFormValue(field), func(c rune) bool { return c == ',' || c == ';' || c == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if i, j := strings.LastIndex(part, "<"), strings.LastIndex(part, ">"); i >= 0 && j > i {
			out = append(out, strings.TrimSpace(part[i+1:j]))
			continue
		}
		if strings.Contains(part, "@") {
			out = append(out, part)
			continue
		}
		if k := slices.IndexFunc(people, func(c Contact) bool { return strings.EqualFold(c.Name, part) }); k >= 0 {
			out = append(out, people[k].Key)
			continue
		}
		out = append(out, part+"@"+h.s.domain) // a login
	}
	return out
}

// draftOf reads the form.
func (h *handlers) draftOf(r *http.Request) (Draft, writePage, error) {
	u := web.CurrentUser(r)
	uploads, err := web.Uploads(r, "fichiers")
	if err != nil {
		return Draft{}, writePage{}, err
	}
	r.ParseForm()
	people, err := h.s.Directory(r.Context(), u, web.Lang(r), "", 5000)
	if err != nil {
		return Draft{}, writePage{}, err
	}
	d := Draft{Subject: r.PostFormValue("objet"), Text: strings.ReplaceAll(r.PostFormValue("texte"), "\r\n", "\n"),
		ReplyTo: r.PostFormValue("repondre"), Forward: r.PostFormValue("transferer"), DraftID: r.PostFormValue("brouillon")}
	d.To = append(r.PostForm["groupes"], h.recipientKeys(r, "a", people)...)
	d.To = append(d.To, r.PostForm["pour"]...) // a pupil's chosen correspondents
	d.Cc = h.recipientKeys(r, "cc", people)
	d.Bcc = h.recipientKeys(r, "cci", people)
	var total int64
	for _, up := range uploads {
		total += up.Size
		if total > h.s.maxSize {
			return d, writePage{}, ErrTooLarge
		}
		f, err := up.Open()
		if err != nil {
			return d, writePage{}, err
		}
		data, err := io.ReadAll(io.LimitReader(f, h.s.maxSize+1))
		f.Close()
		if err != nil {
			return d, writePage{}, err
		}
		d.Attachments = append(d.Attachments, Attachment{Name: up.Name, Type: up.Type, Data: data})
	}
	p := writePage{Form: d, ToText: r.PostFormValue("a"), CcText: r.PostFormValue("cc"), Chosen: r.PostForm["groupes"]}
	if len(r.PostForm["pour"]) > 0 {
		p.Chosen = append(p.Chosen, r.PostForm["pour"]...)
	}
	return d, p, nil
}

func (h *handlers) send(w http.ResponseWriter, r *http.Request) {
	d, p, err := h.draftOf(r)
	if err == nil {
		var out Outcome
		if out, err = h.s.Send(r.Context(), web.CurrentUser(r), web.Lang(r), d); err == nil {
			h.Redirect(w, r, Path+"?dossier="+Sent, "mail.flash."+out.State)
			return
		}
	}
	if status := web.ErrStatus(err); status < http.StatusInternalServerError {
		h.renderWrite(w, r, status, p, web.ErrText(r, err))
		return
	}
	h.Fail(w, r, err)
}

// saveDraft keeps the form in Brouillons: the page's script does it every
// little while and answers with the draft's id; the button does it and
// comes back to the form.
func (h *handlers) saveDraft(w http.ResponseWriter, r *http.Request) {
	d, p, err := h.draftOf(r)
	var id string
	if err == nil {
		id, err = h.s.SaveDraft(r.Context(), web.CurrentUser(r), web.Lang(r), d)
	}
	if r.Header.Get("Accept") == "application/json" {
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]string{"id": id, "saved": web.T(r, "mail.draft_saved_at", "Time", h.s.now().In(feature.Zone).Format("15:04"))})
		return
	}
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			h.renderWrite(w, r, status, p, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/ecrire?brouillon="+url.QueryEscape(id), "mail.flash.draft")
}

// act applies a list's or a message's action to the chosen messages.
func (h *handlers) act(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	ctx := r.Context()
	r.ParseForm()
	ids := r.PostForm["ids"]
	back := cmpOr(r.PostFormValue("retour"), Path)
	if !strings.HasPrefix(back, Path) {
		back = Path
	}
	if len(ids) == 0 {
		h.Redirect(w, r, back, "mail.flash.none_chosen")
		return
	}
	var err error
	key := "mail.flash.done"
	switch r.PostFormValue("action") {
	case "lu":
		err = h.s.SetFlags(ctx, u, ids, Flags{Seen: ptr(true)})
	case "non-lu":
		err = h.s.SetFlags(ctx, u, ids, Flags{Seen: ptr(false)})
	case "suivi":
		err = h.s.SetFlags(ctx, u, ids, Flags{Flagged: ptr(true)})
	case "non-suivi":
		err = h.s.SetFlags(ctx, u, ids, Flags{Flagged: ptr(false)})
	case "deplacer":
		err, key = h.s.Move(ctx, u, ids, r.PostFormValue("dossier")), "mail.flash.moved"
	case "archiver":
		err, key = h.s.Move(ctx, u, ids, Archive), "mail.flash.archived"
	case "supprimer":
		err, key = h.s.Delete(ctx, u, ids), "mail.flash.deleted"
	default:
		h.Error(w, r, http.StatusBadRequest, "mail.err.action")
		return
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, back, key, "Count", len(ids))
}

func (h *handlers) emptyTrash(w http.ResponseWriter, r *http.Request) {
	if err := h.s.EmptyTrash(r.Context(), web.CurrentUser(r)); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"?dossier="+Trash, "mail.flash.emptied")
}

func (h *handlers) createFolder(w http.ResponseWriter, r *http.Request) {
	f, err := h.s.CreateFolder(r.Context(), web.CurrentUser(r), r.PostFormValue("nom"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"?dossier="+f.ID, "mail.flash.folder_created", "Name", f.Name)
}

func (h *handlers) renameFolder(w http.ResponseWriter, r *http.Request) {
	if err := h.s.RenameFolder(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.PostFormValue("nom")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"?dossier="+url.QueryEscape(r.PathValue("id")), "mail.flash.folder_renamed")
}

func (h *handlers) deleteFolder(w http.ResponseWriter, r *http.Request) {
	if err := h.s.DeleteFolder(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path, "mail.flash.folder_deleted")
}

func (h *handlers) heldPage(w http.ResponseWriter, r *http.Request) {
	held, err := h.s.Held(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "mail/held", web.T(r, "mail.held_title"), held)
}

func (h *handlers) approve(w http.ResponseWriter, r *http.Request) {
	if err := h.s.Approve(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/validation", "mail.flash.approved")
}

func (h *handlers) giveBack(w http.ResponseWriter, r *http.Request) {
	if err := h.s.Return(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.PostFormValue("raison")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/validation", "mail.flash.returned")
}

func (h *handlers) settingsPage(w http.ResponseWriter, r *http.Request) {
	st, err := h.s.Settings(r.Context(), web.CurrentUser(r).SchoolID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "mail/settings", web.T(r, "mail.settings_title"), map[string]any{"Settings": st, "Rules": PupilRules})
}

func (h *handlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	st := Settings{Pupils: r.PostFormValue("eleves"), Moderate: r.PostFormValue("validation") != ""}
	if err := h.s.SetSettings(r.Context(), web.CurrentUser(r), st); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/reglages", "mail.flash.settings")
}
