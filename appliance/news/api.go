package news

import (
	"net/http"
	"time"

	"preau/appliance/web"
)

// itemJSON is a piece of news as the API shows it; school_id is "" for the
// city's.
type itemJSON struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	Audience string    `json:"audience"`
	ClassID  string    `json:"class_id,omitempty"`
	SchoolID string    `json:"school_id"`
	AuthorID string    `json:"author_id"`
	Created  time.Time `json:"created"`
	ImageURL string    `json:"image_url,omitempty"`
}

// apiList: the latest news the caller sees, newest first.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	items, err := h.s.For(r.Context(), web.CurrentUser(r), 0)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]itemJSON, len(items))
	for i, it := range items {
		out[i] = itemJSON{ID: it.ID, Title: it.Title, Body: it.Body, Audience: it.Audience, ClassID: it.ClassID, SchoolID: it.SchoolID,
			AuthorID: it.AuthorID, Created: it.CreatedAt}
		if it.Image != "" {
			out[i].ImageURL = Path + "/" + it.ID + "/image"
		}
	}
	web.JSON(w, http.StatusOK, out)
}

// apiPublish: {"title", "body", "audience", "class_id"} → 201 {"id"}.
func (h *handlers) apiPublish(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title    string `json:"title"`
		Body     string `json:"body"`
		Audience string `json:"audience"`
		ClassID  string `json:"class_id"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	id, err := h.s.Publish(r.Context(), web.CurrentUser(r), Draft{Title: in.Title, Body: in.Body, Audience: in.Audience, ClassID: in.ClassID})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": id})
}
