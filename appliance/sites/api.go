package sites

import (
	"net/http"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/web"
)

// siteJSON is a site as the API shows it; school_id is "" and city true
// for the city's.
type siteJSON struct {
	ID         string    `json:"id"`
	URL        string    `json:"url"`
	Title      string    `json:"title"`
	Comment    string    `json:"comment"`
	ClassID    string    `json:"class_id"`
	Level      string    `json:"level"`
	SchoolID   string    `json:"school_id"`
	Scope      string    `json:"scope"`
	City       bool      `json:"city"`
	Schools    []string  `json:"schools"`
	PictureURL string    `json:"picture_url"`
	AuthorID   string    `json:"author_id"`
	Author     string    `json:"author"`
	Created    time.Time `json:"created"`
}

// apiList: GET /api/v1/sites → the sites the caller sees, newest first.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	sites, err := h.s.For(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]siteJSON, len(sites))
	for i, c := range h.cards(r.Context(), u, sites, nil, nil) {
		out[i] = siteJSON{ID: c.ID, URL: c.URL, Title: c.Title, Comment: c.Comment, ClassID: c.ClassID, Level: c.Level, SchoolID: c.SchoolID,
			Scope: scope(c.Site), City: c.City(), Schools: append([]string{}, c.Schools...), AuthorID: c.AuthorID, Author: c.Author,
			Created: c.CreatedAt}
		if c.Picture != "" {
			out[i].PictureURL = "/api/v1/sites/" + c.ID + "/picture"
		}
	}
	web.JSON(w, http.StatusOK, out)
}

// siteIn is a site as the API takes it.
type siteIn struct {
	URL     string   `json:"url"`
	Title   string   `json:"title"`
	Comment string   `json:"comment"`
	ClassID string   `json:"class_id"`
	Level   string   `json:"level"`
	Schools []string `json:"schools"`
}

// apiAdd: POST /api/v1/sites, JSON {"url", "title", "comment", "class_id"
// or "level"} (the DSI's: "schools"), or the same fields in a multipart
// form with a "picture" file → 201 {"id"}.
func (h *handlers) apiAdd(w http.ResponseWriter, r *http.Request) {
	var d Draft
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		files, err := web.Uploads(r, "picture")
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		d = Draft{URL: r.FormValue("url"), Title: r.FormValue("title"), Comment: r.FormValue("comment"), ClassID: r.FormValue("class_id"),
			Level: r.FormValue("level"), Schools: r.Form["schools"]}
		if len(files) > 0 {
			d.Picture = &files[0]
		}
	} else {
		var in siteIn
		if !h.DecodeJSON(w, r, &in) {
			return
		}
		d = Draft{URL: in.URL, Title: in.Title, Comment: in.Comment, ClassID: in.ClassID, Level: in.Level, Schools: in.Schools}
	}
	site, err := h.s.Add(r.Context(), web.CurrentUser(r), d)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": site.ID})
}

// apiReuse: POST /api/v1/sites/{id}/reuse {"class_id"} → 201 {"id"}, the
// copy for the caller's class (the one it has already, when it has it).
func (h *handlers) apiReuse(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClassID string `json:"class_id"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	if in.ClassID == "" {
		h.Fail(w, r, apperr.New(apperr.ErrInvalid, "sites.err.class_required"))
		return
	}
	site, err := h.s.Reuse(r.Context(), web.CurrentUser(r), r.PathValue("id"), in.ClassID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": site.ID})
}

// apiDelete: DELETE /api/v1/sites/{id}, by its author, the director for
// the school's, the DSI for the city's.
func (h *handlers) apiDelete(w http.ResponseWriter, r *http.Request) {
	if _, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]bool{"deleted": true})
}
