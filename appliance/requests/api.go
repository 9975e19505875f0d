package requests

import (
	"net/http"
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
// DSI on central, newest first.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	items, err := h.s.List(r.Context(), web.CurrentUser(r), Filter{})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]requestJSON, len(items))
	for i, it := range items {
		out[i] = requestJSON{ID: it.ID, SchoolID: it.SchoolID, Kind: it.Kind, Title: it.Title, Status: it.Status, Updated: it.Updated}
	}
	web.JSON(w, http.StatusOK, out)
}

// apiFile: {"kind", "title", "fields": {...}} → 201 {"id", "status"}.
func (h *handlers) apiFile(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind   string `json:"kind"`
		Title  string `json:"title"`
		Fields Fields `json:"fields"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	req, err := h.s.File(r.Context(), web.CurrentUser(r), Draft{Kind: in.Kind, Title: in.Title, Fields: in.Fields})
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
