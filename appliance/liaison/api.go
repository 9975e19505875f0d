package liaison

import (
	"net/http"
	"time"

	"preau/appliance/auth"
	"preau/appliance/web"
)

// noteJSON is a note as the API shows it: for a parent, per child
// (PupilID) with the family's acknowledgement; for its staff, with counts.
type noteJSON struct {
	ID           string      `json:"id"`
	ClassID      string      `json:"class_id"`
	Title        string      `json:"title"`
	Body         string      `json:"body"`
	Signature    bool        `json:"signature"`
	AllowReply   bool        `json:"reply_allowed"`
	Day          string      `json:"day,omitempty"`
	Created      time.Time   `json:"created"`
	PupilID      string      `json:"pupil_id,omitempty"`
	Acknowledged *bool       `json:"acknowledged,omitempty"`
	Replies      []replyJSON `json:"replies,omitempty"`
	Acks         *int        `json:"acks,omitempty"`
	Total        *int        `json:"total,omitempty"`
}

type replyJSON struct {
	PupilID  string    `json:"pupil_id"`
	AuthorID string    `json:"author_id"`
	Body     string    `json:"body"`
	Created  time.Time `json:"created"`
}

func toJSON(n Note) noteJSON {
	j := noteJSON{ID: n.ID, ClassID: n.ClassID, Title: n.Title, Body: n.Body, Signature: n.Signature, AllowReply: n.AllowReply,
		Day: n.Day, Created: n.CreatedAt}
	for _, r := range n.Replies {
		j.Replies = append(j.Replies, replyJSON{r.PupilID, r.AuthorID, r.Body, r.CreatedAt})
	}
	return j
}

// apiList: the notes the caller may see, newest first: a parent's per
// child with the acknowledgement, a pupil's own, the staff's per class
// with counts.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	out := []noteJSON{}
	add := func(notes []Note, family bool) {
		for _, n := range notes {
			j := toJSON(n)
			if family {
				acked := n.Ack != nil
				j.PupilID, j.Acknowledged = n.PupilID, &acked
			} else {
				j.Acks, j.Total = &n.Acks, &n.Total
			}
			out = append(out, j)
		}
	}
	switch u.Profile {
	case auth.Pupil:
		notes, err := h.s.PupilNotes(r.Context(), u.ID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		add(notes, true)
	case auth.Parent:
		children, err := h.Register.Children(r.Context(), u.ID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		for _, c := range children {
			notes, err := h.s.ChildNotes(r.Context(), u, c.ID)
			if err != nil {
				h.Fail(w, r, err)
				return
			}
			add(notes, true)
		}
	default:
		classes, err := h.s.StaffClasses(r.Context(), u)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		for _, c := range classes {
			notes, err := h.s.ClassNotes(r.Context(), u, c.ID)
			if err != nil {
				h.Fail(w, r, err)
				return
			}
			add(notes, false)
		}
	}
	web.JSON(w, http.StatusOK, out)
}

// apiCreate: {"class_id", "title", "body", "pupil_ids", "signature",
// "reply_allowed", "day"} → 201 {"id"}.
func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClassID    string   `json:"class_id"`
		Title      string   `json:"title"`
		Body       string   `json:"body"`
		PupilIDs   []string `json:"pupil_ids"`
		Signature  bool     `json:"signature"`
		AllowReply bool     `json:"reply_allowed"`
		Day        string   `json:"day"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	id, err := h.s.Create(r.Context(), web.CurrentUser(r), Draft{ClassID: in.ClassID, Title: in.Title, Body: in.Body,
		PupilIDs: in.PupilIDs, Signature: in.Signature, AllowReply: in.AllowReply, Day: in.Day})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": id})
}

// followJSON is a note with its answers, for its staff.
type followJSON struct {
	noteJSON
	Pupils []recipientJSON `json:"pupils"`
}

type recipientJSON struct {
	PupilID      string     `json:"pupil_id"`
	Name         string     `json:"name"`
	Acknowledged bool       `json:"acknowledged"`
	Paper        bool       `json:"paper,omitempty"`
	At           *time.Time `json:"at,omitempty"`
}

// apiGet: the note with "acks" and "total", each pupil's answer and the
// replies (its class's staff).
func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	f, err := h.s.Followed(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	n := f.Note
	n.Replies = f.Replies
	out := followJSON{noteJSON: toJSON(n), Pupils: []recipientJSON{}}
	out.Acks, out.Total = &f.Acks, &f.Total
	for _, p := range f.Pupils {
		j := recipientJSON{PupilID: p.Pupil.ID, Name: p.Pupil.DisplayName, Acknowledged: p.Ack != nil}
		if p.Ack != nil {
			j.Paper, j.At = p.Ack.Paper, &p.Ack.At
		}
		out.Pupils = append(out.Pupils, j)
	}
	web.JSON(w, http.StatusOK, out)
}

// apiAck: a parent acknowledges a note, for {"pupil_id"} or, without a
// body, for each of their children it is about → 200.
func (h *handlers) apiAck(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PupilID string `json:"pupil_id"`
	}
	if r.ContentLength != 0 && !h.DecodeJSON(w, r, &in) {
		return
	}
	u, id := web.CurrentUser(r), r.PathValue("id")
	var err error
	if in.PupilID != "" {
		err = h.s.Acknowledge(r.Context(), u, id, in.PupilID)
	} else {
		err = h.s.AcknowledgeAll(r.Context(), u, id)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"id": id, "acknowledged": true})
}

// apiReply: a parent's short reply {"pupil_id", "body"} → 201.
func (h *handlers) apiReply(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PupilID string `json:"pupil_id"`
		Body    string `json:"body"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	id, err := h.s.Reply(r.Context(), web.CurrentUser(r), r.PathValue("id"), in.PupilID, in.Body)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": id})
}
