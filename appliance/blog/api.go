package blog

import (
	"net/http"
	"time"

	"preau/appliance/web"
)

// postJSON is a post as the API shows it: its Markdown and its sanitized
// HTML, its photos' and videos' URLs (each checked against the caller).
type postJSON struct {
	ID       string        `json:"id"`
	ClassID  string        `json:"class_id"`
	SchoolID string        `json:"school_id"`
	AuthorID string        `json:"author_id"`
	Title    string        `json:"title"`
	Body     string        `json:"body"`
	HTML     string        `json:"html"`
	Audience string        `json:"audience"`
	Status   string        `json:"status"`
	Created  time.Time     `json:"created"`
	Photos   []mediaJSON   `json:"photos"`
	Videos   []mediaJSON   `json:"videos"`
	Comments []commentJSON `json:"comments,omitempty"`
}

type mediaJSON struct {
	ID       string `json:"id"`       // for DELETE /api/v1/blog/{id}/photos/{media}
	URL      string `json:"url"`      // the copy for phones (a video: itself)
	Original string `json:"original"` // as taken
	Type     string `json:"type"`
	Size     int64  `json:"size"`
}

type commentJSON struct {
	ID       string    `json:"id"`
	AuthorID string    `json:"author_id"`
	Author   string    `json:"author"`
	Body     string    `json:"body"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
}

func toJSON(e Entry) postJSON {
	out := postJSON{ID: e.ID, ClassID: e.ClassID, SchoolID: e.SchoolID, AuthorID: e.AuthorID, Title: e.Title, Body: e.Body, HTML: string(e.HTML),
		Audience: e.Audience, Status: e.Status, Created: e.CreatedAt, Photos: []mediaJSON{}, Videos: []mediaJSON{}}
	for _, m := range e.Photos {
		out.Photos = append(out.Photos, mediaJSON{ID: m.ID, URL: m.URL(), Original: m.URL() + "?taille=originale", Type: m.Type, Size: m.Size})
	}
	for _, m := range e.Videos {
		out.Videos = append(out.Videos, mediaJSON{ID: m.ID, URL: m.URL(), Original: m.URL() + "?taille=originale", Type: m.Type, Size: m.Size})
	}
	for _, c := range e.Comments {
		out.Comments = append(out.Comments, commentJSON{ID: c.ID, AuthorID: c.AuthorID, Author: c.Author, Body: c.Body, Status: c.Status, Created: c.CreatedAt})
	}
	return out
}

// apiList: the posts the caller sees, newest first (?class_id= narrows).
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	entries, err := h.s.For(r.Context(), web.CurrentUser(r), r.URL.Query().Get("class_id"), 0)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]postJSON, len(entries))
	for i, e := range entries {
		out[i] = toJSON(e)
	}
	web.JSON(w, http.StatusOK, out)
}

// apiPost: one post with the comments the caller sees.
func (h *handlers) apiPost(w http.ResponseWriter, r *http.Request) {
	e, err := h.s.Entry(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, toJSON(e))
}

// apiPublish: {"class_id", "title", "body", "audience"} → 201 {"id"}.
func (h *handlers) apiPublish(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClassID  string `json:"class_id"`
		Title    string `json:"title"`
		Body     string `json:"body"`
		Audience string `json:"audience"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	id, err := h.s.Publish(r.Context(), web.CurrentUser(r), Draft{ClassID: in.ClassID, Title: in.Title, Body: in.Body, Audience: in.Audience})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": id})
}

// apiPhotos: multipart "file" (one or more photos or videos) → 201.
func (h *handlers) apiPhotos(w http.ResponseWriter, r *http.Request) {
	files, err := web.Uploads(r, "file")
	if err == nil {
		err = h.s.AddFiles(r.Context(), web.CurrentUser(r), r.PathValue("id"), files)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	e, err := h.s.Entry(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, toJSON(e))
}

// apiComment: {"body"} → 201 {"id", "status"} ("pending" when held).
func (h *handlers) apiComment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	c, err := h.s.AddComment(r.Context(), web.CurrentUser(r), r.PathValue("id"), in.Body)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": c.ID, "status": c.Status})
}

// apiEdit: {"title", "body", "audience"} → 200 the post as GET gives it.
// Each field left out keeps its value.
func (h *handlers) apiEdit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title    *string `json:"title"`
		Body     *string `json:"body"`
		Audience string  `json:"audience"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	u, id := web.CurrentUser(r), r.PathValue("id")
	e, err := h.s.Entry(r.Context(), u, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d := Draft{Title: e.Title, Body: e.Body, Audience: in.Audience}
	if in.Title != nil {
		d.Title = *in.Title
	}
	if in.Body != nil {
		d.Body = *in.Body
	}
	if _, err := h.s.Edit(r.Context(), u, id, d); err != nil {
		h.Fail(w, r, err)
		return
	}
	if e, err = h.s.Entry(r.Context(), u, id); err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, toJSON(e))
}

// apiRemoveMedia takes one photo or video off a post → 204.
func (h *handlers) apiRemoveMedia(w http.ResponseWriter, r *http.Request) {
	if _, err := h.s.RemoveMedia(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.PathValue("media")); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiApproveComment publishes a held comment → 200 {"id", "status"}.
func (h *handlers) apiApproveComment(w http.ResponseWriter, r *http.Request) {
	c, err := h.s.ApproveComment(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "moderation.approve", "blog/"+c.ID)
	web.JSON(w, http.StatusOK, map[string]string{"id": c.ID, "status": c.Status})
}
