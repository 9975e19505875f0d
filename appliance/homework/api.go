package homework

import (
	"net/http"

	"preau/appliance/auth"
	"preau/appliance/web"
)

// entryJSON is an entry as the API shows it; Done is a pupil's tick (for
// a parent, their child's, named by PupilID).
type entryJSON struct {
	ID      string     `json:"id"`
	ClassID string     `json:"class_id"`
	Due     string     `json:"due"`
	Title   string     `json:"title"`
	Body    string     `json:"body"`
	PupilID string     `json:"pupil_id,omitempty"`
	Done    *bool      `json:"done,omitempty"`
	Ticks   *int       `json:"ticks,omitempty"`
	Files   []fileJSON `json:"files"`
}

type fileJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

func toJSON(e Entry) entryJSON {
	j := entryJSON{ID: e.ID, ClassID: e.ClassID, Due: e.Due, Title: e.Title, Body: e.Body, Files: []fileJSON{}}
	for _, f := range e.Files {
		j.Files = append(j.Files, fileJSON{f.ID, f.Name, f.Size, Path + "/" + e.ID + "/fichiers/" + f.ID})
	}
	return j
}

// apiList: the entries the caller may see, due from today: a pupil's with
// their ticks, a parent's per child, the staff's per class with counts.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	out := []entryJSON{}
	switch u.Profile {
	case auth.Pupil:
		es, err := h.s.PupilEntries(r.Context(), u)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		for _, e := range es {
			j := toJSON(e)
			j.Done = &e.Ticked
			out = append(out, j)
		}
	case auth.Parent:
		children, err := h.Register.Children(r.Context(), u.ID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		for _, c := range children {
			es, err := h.s.ChildEntries(r.Context(), u, c.ID)
			if err != nil {
				h.Fail(w, r, err)
				return
			}
			for _, e := range es {
				j := toJSON(e)
				j.PupilID, j.Done = c.ID, &e.Ticked
				out = append(out, j)
			}
		}
	default:
		classes, err := h.s.ReadableClasses(r.Context(), u)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		for _, c := range classes {
			es, err := h.s.ClassEntries(r.Context(), u, c.ID)
			if err != nil {
				h.Fail(w, r, err)
				return
			}
			for _, e := range es {
				j := toJSON(e)
				j.Ticks = &e.Ticks
				out = append(out, j)
			}
		}
	}
	web.JSON(w, http.StatusOK, out)
}

// apiCreate: {"class_id", "due", "title", "body", "day", "done"} → 201 {"id"}.
func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClassID string `json:"class_id"`
		Due     string `json:"due"`
		Title   string `json:"title"`
		Body    string `json:"body"`
		Day     string `json:"day"`
		Done    string `json:"done"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	id, err := h.s.Create(r.Context(), web.CurrentUser(r), Draft{ClassID: in.ClassID, Due: in.Due, Title: in.Title, Body: in.Body,
		Day: in.Day, Done: in.Done})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": id})
}

// apiDone: a pupil ticks an entry ({"done": false} unticks it) → 200.
func (h *handlers) apiDone(w http.ResponseWriter, r *http.Request) {
	in := struct {
		Done *bool `json:"done"`
	}{}
	if r.ContentLength != 0 && !h.DecodeJSON(w, r, &in) {
		return
	}
	done := in.Done == nil || *in.Done
	if err := h.s.Tick(r.Context(), web.CurrentUser(r), r.PathValue("id"), done); err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "done": done})
}
