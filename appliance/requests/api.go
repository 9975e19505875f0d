package requests

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/text"
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

// The API's pages of requests: ?limit= (1 to maxLimit, defaultLimit when
// absent) and ?offset= (from 0).
const (
	defaultLimit = 100
	maxLimit     = 500
)

// apiList: the director's school's requests, or every school's for the
// DSI on central, newest first, one page: ?limit=&offset=. How many there
// are in all is the X-Total-Count header; the next page, a Link header.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := pageOf(r.URL.Query())
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
	items = items[min(offset, total):min(offset+limit, total)]
	out := make([]requestJSON, len(items))
	for i, it := range items {
		out[i] = requestJSON{ID: it.ID, SchoolID: it.SchoolID, Kind: it.Kind, Title: it.Title, Status: it.Status, Updated: it.Updated}
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	if offset+limit < total {
		w.Header().Set("Link", fmt.Sprintf(`</api/v1/requests?limit=%d&offset=%d>; rel="next"`, limit, offset+limit))
	}
	web.JSON(w, http.StatusOK, out)
}

// pageOf reads ?limit= and ?offset=; a value that is not one is refused.
func pageOf(q url.Values) (limit, offset int, err error) {
	limit = defaultLimit
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxLimit {
			return 0, 0, apperr.New(apperr.ErrInvalid, "requests.err.limit", "Value", text.Short(v), "Max", maxLimit)
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, apperr.New(apperr.ErrInvalid, "requests.err.offset", "Value", text.Short(v))
		}
	}
	return limit, offset, nil
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
