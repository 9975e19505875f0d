package agenda

import (
	"net/http"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/feature"
	"preau/appliance/text"
	"preau/appliance/web"
)

// occurrenceJSON is an occurrence as the API shows it: RFC 3339 times, or
// days (YYYY-MM-DD, the last one included) for an all-day one.
type occurrenceJSON struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Start    string `json:"start"`
	End      string `json:"end"`
	AllDay   bool   `json:"all_day"`
	Place    string `json:"place,omitempty"`
	Calendar string `json:"calendar"`
	URL      string `json:"url"`
	Holiday  bool   `json:"holiday,omitempty"`
}

func toJSON(o feature.Occurrence) occurrenceJSON {
	j := occurrenceJSON{ID: o.ID, Title: o.Title, AllDay: o.AllDay, Place: o.Place, Calendar: o.Calendar, URL: o.URL, Holiday: o.Holiday}
	if o.AllDay {
		j.Start, j.End = o.Start.In(Zone).Format(day), o.End.In(Zone).AddDate(0, 0, -1).Format(day)
	} else {
		j.Start, j.End = o.Start.In(Zone).Format(time.RFC3339), o.End.In(Zone).Format(time.RFC3339)
	}
	return j
}

// apiList: the occurrences the caller sees between ?from= and ?to= (days,
// both included; this week by default, 400 days at most).
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	now := h.s.now().In(Zone)
	from, to := bounds(viewWeek, now)
	if v := r.FormValue("from"); v != "" {
		d, err := time.ParseInLocation(day, v, Zone)
		if err != nil {
			h.Fail(w, r, apperr.New(apperr.ErrInvalid, "agenda.err.bad_day", "Value", text.Short(v)))
			return
		}
		from, to = d, d.AddDate(0, 0, 7)
	}
	if v := r.FormValue("to"); v != "" {
		d, err := time.ParseInLocation(day, v, Zone)
		if err != nil || d.Before(from) || d.Sub(from) > 400*24*time.Hour {
			h.Fail(w, r, apperr.New(apperr.ErrInvalid, "agenda.err.bad_range"))
			return
		}
		to = d.AddDate(0, 0, 1)
	}
	occ, err := h.s.Occurrences(r.Context(), web.CurrentUser(r), from, to)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]occurrenceJSON, len(occ))
	for i, o := range occ {
		out[i] = toJSON(o)
	}
	web.JSON(w, http.StatusOK, out)
}

// apiCreate: {"calendar", "class_id", "title", "start", "end", "all_day",
// "rrule", "place", "description"} → 201 {"id"}.
func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Calendar    string `json:"calendar"`
		ClassID     string `json:"class_id"`
		Title       string `json:"title"`
		Start       string `json:"start"`
		End         string `json:"end"`
		AllDay      bool   `json:"all_day"`
		RRule       string `json:"rrule"`
		Place       string `json:"place"`
		Description string `json:"description"`
		Holiday     bool   `json:"holiday"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	d := Draft{Calendar: in.Calendar, ClassID: in.ClassID, Title: in.Title, AllDay: in.AllDay, RRule: in.RRule, Place: in.Place,
		Description: in.Description, Holiday: in.Holiday}
	var err error
	if d.Start, err = apiTime(in.Start, in.AllDay); err != nil {
		h.Fail(w, r, err)
		return
	}
	if in.End == "" && in.AllDay {
		in.End = in.Start
	}
	if d.End, err = apiTime(in.End, in.AllDay); err != nil {
		h.Fail(w, r, err)
		return
	}
	if in.AllDay {
		d.End = d.End.AddDate(0, 0, 1) // the last day, included
	}
	e, err := h.s.Create(r.Context(), web.CurrentUser(r), d)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": e.ID})
}

// apiTime reads a start or end: a day for an all-day event, an RFC 3339
// date-time otherwise.
func apiTime(v string, allDay bool) (time.Time, error) {
	if allDay {
		t, err := time.ParseInLocation(day, v, Zone)
		if err != nil {
			return t, apperr.New(apperr.ErrInvalid, "agenda.err.bad_day", "Value", text.Short(v))
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, apperr.New(apperr.ErrInvalid, "agenda.err.bad_time", "Value", text.Short(v))
	}
	return t, nil
}

// apiCalendar: {"ics_url", "caldav_url"}, the feed's secret made on the
// first call.
func (h *handlers) apiCalendar(w http.ResponseWriter, r *http.Request) {
	token, err := h.s.Token(r.Context(), web.CurrentUser(r), false)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, map[string]string{"ics_url": h.feedURL(r, token), "caldav_url": h.davURL(r)})
}
