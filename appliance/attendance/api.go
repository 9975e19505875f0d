package attendance

import (
	"net/http"
	"time"

	"preau/appliance/auth"
	"preau/appliance/web"
)

// absenceJSON is an absence as the API shows it.
type absenceJSON struct {
	ID        string     `json:"id"`
	PupilID   string     `json:"pupil_id"`
	ClassID   string     `json:"class_id"`
	Date      string     `json:"date"`
	HalfDay   string     `json:"half_day"`
	Kind      string     `json:"kind"`
	Justified bool       `json:"justified"`
	Announced bool       `json:"announced"`
	Reason    string     `json:"reason,omitempty"`
	Comment   string     `json:"comment,omitempty"`
	At        *time.Time `json:"justified_at,omitempty"`
}

func toJSON(a Absence) absenceJSON {
	j := absenceJSON{ID: a.ID, PupilID: a.PupilID, ClassID: a.ClassID, Date: a.Day, HalfDay: a.HalfDay, Kind: a.Kind,
		Justified: a.Justified(), Announced: a.Announced, Reason: a.Reason, Comment: a.Comment}
	if !a.JustifiedAt.IsZero() {
		j.At = &a.JustifiedAt
	}
	return j
}

// apiTake: {"class_id", "date", "half_day", "absent", "late"} → 200.
func (h *handlers) apiTake(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClassID string   `json:"class_id"`
		Date    string   `json:"date"`
		HalfDay string   `json:"half_day"`
		Absent  []string `json:"absent"`
		Late    []string `json:"late"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	roll := Roll{ClassID: in.ClassID, Day: in.Date, HalfDay: in.HalfDay, Absent: in.Absent, Late: in.Late}
	if err := h.s.Take(r.Context(), web.CurrentUser(r), roll); err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"class_id": in.ClassID, "date": in.Date, "half_day": in.HalfDay,
		"absent": len(in.Absent), "late": len(in.Late)})
}

// apiList: the absences the caller may see: a parent's children's, the
// staff's classes' over the last 60 days (?from= YYYY-MM-DD for more).
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	var abs []Absence
	if u.Profile == auth.Parent {
		children, err := h.Register.Children(r.Context(), u.ID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		for _, c := range children {
			mine, err := h.s.ChildAbsences(r.Context(), u, c.ID)
			if err != nil {
				h.Fail(w, r, err)
				return
			}
			abs = append(abs, mine...)
		}
	} else {
		from := r.FormValue("from")
		if _, err := time.Parse(day, from); err != nil {
			from = time.Now().AddDate(0, 0, -60).Format(day)
		}
		var err error
		if abs, err = h.s.ClassAbsences(r.Context(), u, from); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	out := make([]absenceJSON, len(abs))
	for i, a := range abs {
		out[i] = toJSON(a)
	}
	web.JSON(w, http.StatusOK, out)
}

// apiJustify: a parent's {"reason", "comment"} → 200 with the absence.
func (h *handlers) apiJustify(w http.ResponseWriter, r *http.Request) {
	var in Justification
	var body struct {
		Reason  string `json:"reason"`
		Comment string `json:"comment"`
	}
	if !h.DecodeJSON(w, r, &body) {
		return
	}
	in.Reason, in.Comment = body.Reason, body.Comment
	a, err := h.s.Justify(r.Context(), web.CurrentUser(r), r.PathValue("id"), in)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, toJSON(a))
}

// apiAnnounce: a parent announces an absence {"pupil_id", "date",
// "half_day" ("" for the whole day), "reason", "comment"} → 201.
func (h *handlers) apiAnnounce(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PupilID string `json:"pupil_id"`
		Date    string `json:"date"`
		HalfDay string `json:"half_day"`
		Reason  string `json:"reason"`
		Comment string `json:"comment"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	an := Announcement{PupilID: in.PupilID, Day: in.Date, HalfDay: in.HalfDay, Justification: Justification{Reason: in.Reason, Comment: in.Comment}}
	if err := h.s.Announce(r.Context(), web.CurrentUser(r), an); err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"pupil_id": in.PupilID, "date": in.Date})
}
