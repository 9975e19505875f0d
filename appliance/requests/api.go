package requests

import (
	"net/http"
	"strings"
	"time"

	"preau/appliance/web"
)

// requestJSON is a request as the API lists it.
type requestJSON struct {
	ID       string    `json:"id"`
	SchoolID string    `json:"school_id"`
	Kind     string    `json:"kind"`
	Title    string    `json:"title"`
	Status   string    `json:"status"`
	Updated  time.Time `json:"updated"`
}

// apiList: the director's school's requests, or every school's for the
// DSI on central, newest first, one page: ?limit=&offset=. How many there
// are in all is the X-Total-Count header; the next page, a Link header.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	win, err := web.APIWindowOf(r.URL.Query())
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	items, err := h.s.List(r.Context(), web.CurrentUser(r), Filter{})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	total := len(items)
	items = items[min(win.Offset, total):min(win.Offset+win.Limit, total)]
	out := make([]requestJSON, len(items))
	for i, it := range items {
		out[i] = requestJSON{ID: it.ID, SchoolID: it.SchoolID, Kind: it.Kind, Title: it.Title, Status: it.Status, Updated: it.Updated}
	}
	win.Announce(w, r, total)
	web.JSON(w, http.StatusOK, out)
}

// apiFile: {"kind", "title", "fields": {...}} → 201 {"id", "status"}. An
// intervention's photos come with it as multipart: the same object in the
// field "request", the files in "files" (as the page's, same limits).
func (h *handlers) apiFile(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind   string `json:"kind"`
		Title  string `json:"title"`
		Fields Fields `json:"fields"`
	}
	var files []web.Upload
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		var err error
		if files, err = web.Uploads(r, "files"); err != nil {
			h.Fail(w, r, err)
			return
		}
		if err := web.ReadJSON(strings.NewReader(r.FormValue("request")), &in); err != nil {
			h.Error(w, r, http.StatusBadRequest, "error.json.invalid", "Reason", web.ErrText(r, err))
			return
		}
	} else if !h.DecodeJSON(w, r, &in) {
		return
	}
	req, err := h.s.File(r.Context(), web.CurrentUser(r), Draft{Kind: in.Kind, Title: in.Title, Fields: in.Fields, Files: files})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": req.ID, "status": req.Status})
}

// apiChange: {"status", "comment"} (and "assignee") → 200 {"id", "status"}.
func (h *handlers) apiChange(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status   string `json:"status"`
		Comment  string `json:"comment"`
		Assignee string `json:"assignee"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	req, err := h.changeAudited(r, Change{Status: in.Status, Comment: in.Comment, Assignee: in.Assignee})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"id": req.ID, "status": req.Status})
}

// eventJSON is a step of a request's story: a status, an agent, a
// comment, a file, as GET /api/v1/requests/{id} lists them.
type eventJSON struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	Author   string    `json:"author"`
	Status   string    `json:"status,omitempty"`
	Assignee string    `json:"assignee,omitempty"`
	Body     string    `json:"body,omitempty"`
	File     *fileJSON `json:"file,omitempty"`
}

// fileJSON is an event's file: its address serves it to whoever sees the
// request, by session or bearer token.
type fileJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

func toEventJSON(e Event) eventJSON {
	out := eventJSON{ID: e.ID, At: e.Created, Author: e.AuthorName, Status: e.Status, Assignee: e.Assignee, Body: e.Body}
	if e.File != "" {
		out.File = &fileJSON{Name: e.FileName, Type: e.FileType, URL: Path + "/fichiers/" + e.ID}
	}
	return out
}

// apiGet: one request, its fields and its story, oldest first.
func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	req, events, err := h.s.Get(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := struct {
		requestJSON
		Fields   Fields      `json:"fields"`
		Assignee string      `json:"assignee"`
		Created  time.Time   `json:"created"`
		Events   []eventJSON `json:"events"`
	}{requestJSON: requestJSON{ID: req.ID, SchoolID: req.SchoolID, Kind: req.Kind, Title: req.Title, Status: req.Status, Updated: req.Updated},
		Fields: req.Fields, Assignee: req.Assignee, Created: req.Created, Events: make([]eventJSON, len(events))}
	for i, e := range events {
		out.Events[i] = toEventJSON(e)
	}
	web.JSON(w, http.StatusOK, out)
}

// apiComment: {"body"} → 201 the event; with a file, multipart: "body"
// and one file in "file" (the page's limits).
func (h *handlers) apiComment(w http.ResponseWriter, r *http.Request) {
	var body string
	var file *web.Upload
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		files, err := web.Uploads(r, "file")
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		if len(files) > 1 {
			h.Error(w, r, http.StatusBadRequest, "requests.err.one_file")
			return
		}
		if len(files) == 1 {
			file = &files[0]
		}
		body = r.FormValue("body")
	} else {
		var in struct {
			Body string `json:"body"`
		}
		if !h.DecodeJSON(w, r, &in) {
			return
		}
		body = in.Body
	}
	e, err := h.s.Comment(r.Context(), web.CurrentUser(r), r.PathValue("id"), body, file)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, toEventJSON(e))
}
