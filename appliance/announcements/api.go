package announcements

import (
	"net/http"
	"time"

	"preau/appliance/web"
)

// announcementJSON is an announcement as the API shows it; schools is
// empty when it is for every school.
type announcementJSON struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	Schools []string  `json:"schools"`
	Starts  time.Time `json:"starts"`
	Ends    time.Time `json:"ends"`
}

func toJSON(a Announcement) announcementJSON {
	schools := []string(a.Schools)
	if schools == nil {
		schools = []string{}
	}
	return announcementJSON{ID: a.ID, Kind: a.Kind, Title: a.Title, Body: a.Body, Schools: schools, Starts: a.Starts, Ends: a.Ends}
}

// apiList: what the caller sees on the announcements page, the DSI
// everything.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	list, err := h.s.All(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]announcementJSON, len(list))
	for i, a := range list {
		out[i] = toJSON(a)
	}
	web.JSON(w, http.StatusOK, out)
}

// apiCreate: {"kind", "title", "body", "schools", "starts", "ends"} →
// 201, the announcement.
func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind    string    `json:"kind"`
		Title   string    `json:"title"`
		Body    string    `json:"body"`
		Schools []string  `json:"schools"`
		Starts  time.Time `json:"starts"`
		Ends    time.Time `json:"ends"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	a, err := h.s.Create(r.Context(), web.CurrentUser(r), Draft{Kind: in.Kind, Title: in.Title, Body: in.Body, Schools: in.Schools,
		Starts: in.Starts, Ends: in.Ends})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, toJSON(a))
}

// apiEnd: ends an announcement now → 200 {"id"}.
func (h *handlers) apiEnd(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := h.s.End(r.Context(), web.CurrentUser(r), id); err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"id": id})
}
