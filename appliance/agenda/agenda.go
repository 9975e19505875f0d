// Package agenda is the agenda: the school's events and holidays, each
// class's, each person's own, all-day or timed, repeating weekly with
// exceptions, with what the other features show there (homework's due
// days, the days notes are about). Month, week and day views work on a
// phone; each person has a private feed (an ICS URL with a secret,
// revocable, shown with a QR code) and the same agenda over CalDAV, their
// own calendar read-write, the others read-only.
//
// It imports auth, store, text, web and feature; no other feature.
package agenda

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the agenda.
var Feature = feature.Feature{Name: "agenda", Search: []feature.SearchSource{searchSource}, Schema: Schema, Routes: routes, Tiles: tiles, Demo: feature.Demo{Seed: demo},
	Personal: feature.Personal{Export: personalExport, Erase: erase}}

// Path is the agenda's page, for every profile.
const Path = "/agenda"

type handlers struct {
	*feature.Env
	s   *Service
	dav *davHandler
}

var everyone = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI)

func routes(env *feature.Env) {
	s := NewService(env)
	h := &handlers{Env: env, s: s, dav: newDAV(s)}
	env.Handle("GET "+Path, everyone, h.page)
	env.Handle("GET "+Path+"/nouveau", everyone, h.newPage)
	env.Handle("POST "+Path, everyone, h.create)
	env.Handle("GET "+Path+"/evenements/{id}", everyone, h.eventPage)
	env.Handle("POST "+Path+"/evenements/{id}", everyone, h.save)
	env.Handle("POST "+Path+"/evenements/{id}/supprimer", everyone, h.remove)
	env.Handle("POST "+Path+"/evenements/{id}/sauter", everyone, h.skip)
	env.Handle("GET "+Path+"/abonnement", everyone, h.feedPage)
	env.Handle("POST "+Path+"/abonnement", everyone, h.feedChange)
	// The feed's secret is its credential: no session.
	env.Handle("GET "+Path+"/flux/{file}", web.Public(), h.feed)
	env.Handle("GET /api/v1/events", everyone, h.apiList)
	env.Handle("POST /api/v1/events", everyone, h.apiCreate)
	env.Handle("GET /api/v1/me/calendar", everyone, h.apiCalendar)
	// CalDAV authenticates each request with the login and password.
	for _, m := range []string{"OPTIONS", "PROPFIND", "PROPPATCH", "REPORT", "GET", "PUT", "DELETE", "MKCOL", "MKCALENDAR"} {
		env.Handle(m+" "+CalDAVPath+"/", web.Public(), h.dav.ServeHTTP)
	}
	env.Handle("PROPFIND /.well-known/caldav", web.Public(), h.dav.ServeHTTP)
	env.Handle("GET /.well-known/caldav", web.Public(), h.dav.ServeHTTP)
}

// tiles: everyone's agenda; the pupil's with its picture.
func tiles(env *feature.Env) []web.Tile {
	var out []web.Tile
	for p, order := range map[auth.Profile]int{auth.Pupil: 15, auth.Parent: 15, auth.Teacher: 35, auth.Director: 35, auth.DSI: 50} {
		t := web.Tile{Profile: p, Label: "agenda.tile.title", Href: Path, Icon: "calendrier", Order: order, Hint: "agenda.tile.hint"}
		if p == auth.Pupil {
			t.Label, t.Picture, t.Hint = "agenda.tile.pupil", "icons/calendrier", ""
		}
		out = append(out, t)
	}
	return out
}

// Views of the agenda.
const (
	viewMonth = "mois"
	viewWeek  = "semaine"
	viewDay   = "jour"
)

// dayView is one day of a view with what happens that day.
type dayView struct {
	Date    time.Time
	Key     string // YYYY-MM-DD
	InMonth bool
	Today   bool
	Items   []feature.Occurrence
}

// agendaPage is a view of a person's agenda.
type agendaPage struct {
	View       string
	Date       time.Time
	MonthKey   string // the catalogue's name of its month
	Prev, Next string
	Days       []dayView
	Weeks      [][]dayView
	Today      string
	Views      []string
	Weekdays   []string // the catalogue's names of the days, Monday first
}

// bounds is the first day a view shows and the day after its last.
func bounds(view string, d time.Time) (time.Time, time.Time) {
	switch view {
	case viewDay:
		return d, d.AddDate(0, 0, 1)
	case viewMonth:
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, Zone)
		start := monday(first)
		end := monday(first.AddDate(0, 1, 0).AddDate(0, 0, 6))
		return start, end
	}
	start := monday(d)
	return start, start.AddDate(0, 0, 7)
}

// monday is the Monday of d's week, at midnight.
func monday(d time.Time) time.Time {
	back := (int(d.Weekday()) + 6) % 7
	return time.Date(d.Year(), d.Month(), d.Day()-back, 0, 0, 0, 0, Zone)
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	view := r.FormValue("vue")
	if view != viewMonth && view != viewDay {
		view = viewWeek
	}
	now := h.s.now().In(Zone)
	d, err := time.ParseInLocation(day, r.FormValue("date"), Zone)
	if err != nil {
		d = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, Zone)
	}
	from, to := bounds(view, d)
	occ, err := h.s.Occurrences(r.Context(), web.CurrentUser(r), from, to)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := agendaPage{View: view, Date: d, MonthKey: "date.month." + strconv.Itoa(int(d.Month())), Today: now.Format(day),
		Views: []string{viewDay, viewWeek, viewMonth}}
	for i := 1; i <= 7; i++ {
		p.Weekdays = append(p.Weekdays, "date.weekday."+strconv.Itoa(i%7))
	}
	switch view {
	case viewDay:
		p.Prev, p.Next = d.AddDate(0, 0, -1).Format(day), d.AddDate(0, 0, 1).Format(day)
	case viewMonth:
		p.Prev, p.Next = d.AddDate(0, -1, 1-d.Day()).Format(day), d.AddDate(0, 1, 1-d.Day()).Format(day)
	default:
		p.Prev, p.Next = d.AddDate(0, 0, -7).Format(day), d.AddDate(0, 0, 7).Format(day)
	}
	for t := from; t.Before(to); t = t.AddDate(0, 0, 1) {
		dv := dayView{Date: t, Key: t.Format(day), InMonth: t.Month() == d.Month(), Today: t.Format(day) == p.Today}
		next := t.AddDate(0, 0, 1)
		for _, o := range occ {
			if o.Start.Before(next) && o.End.After(t) {
				dv.Items = append(dv.Items, o)
			}
		}
		p.Days = append(p.Days, dv)
	}
	if view == viewMonth {
		for i := 0; i < len(p.Days); i += 7 {
			p.Weeks = append(p.Weeks, p.Days[i:min(i+7, len(p.Days))])
		}
	}
	h.Render(w, r, "agenda/agenda", web.T(r, "agenda.title"), p)
}

// formPage is the form of an event: new, or one to change.
type formPage struct {
	Event    Event
	Writable bool
	Choices  []choice // the calendars u writes
	Form     eventForm
}

// choice is a calendar offered by the form: "personal", "school", or
// "class:<id>".
type choice struct {
	Value, Class string
}

// eventForm is the form's fields as typed.
type eventForm struct {
	Calendar, Title, Description, Place string
	AllDay, Weekly, Holiday             bool
	Day, LastDay, StartTime, EndTime    string
	Until                               string
}

func (h *handlers) choices(r *http.Request) ([]choice, error) {
	u := web.CurrentUser(r)
	out := []choice{{Value: Personal}}
	if u.Profile == auth.Director {
		out = append(out, choice{Value: School})
	}
	classes, err := feature.StaffClasses(r.Context(), h.Register, u)
	for _, c := range classes {
		out = append(out, choice{Value: "class:" + c.ID, Class: c.Name})
	}
	return out, err
}

func (h *handlers) renderForm(w http.ResponseWriter, r *http.Request, status int, p formPage, errMsg string) {
	var err error
	if p.Choices, err = h.choices(r); err != nil {
		h.Fail(w, r, err)
		return
	}
	title := web.T(r, "agenda.new")
	if p.Event.ID != "" {
		title = p.Event.Title
	}
	h.RenderStatus(w, r, status, "agenda/event", title, p, errMsg)
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request) {
	d := r.FormValue("date")
	if _, err := time.Parse(day, d); err != nil {
		d = h.s.now().In(Zone).Format(day)
	}
	h.renderForm(w, r, http.StatusOK, formPage{Writable: true, Form: eventForm{Calendar: Personal, Day: d, StartTime: "08:30", EndTime: "09:30"}}, "")
}

// draftOf reads the form into a draft; a time that does not read leaves
// the draft without it, which the service refuses with its reason.
func draftOf(r *http.Request) (eventForm, Draft) {
	f := eventForm{Calendar: r.PostFormValue("agenda"), Title: r.PostFormValue("titre"), Description: r.PostFormValue("description"),
		Place: r.PostFormValue("lieu"), AllDay: r.PostFormValue("journee") != "", Weekly: r.PostFormValue("repete") == "semaine",
		Holiday: r.PostFormValue("vacances") != "", Day: r.PostFormValue("jour"), LastDay: r.PostFormValue("dernier_jour"),
		StartTime: r.PostFormValue("debut"), EndTime: r.PostFormValue("fin"), Until: r.PostFormValue("jusqu_au")}
	d := Draft{Calendar: f.Calendar, Title: f.Title, Description: f.Description, Place: f.Place, AllDay: f.AllDay, Holiday: f.Holiday}
	if id, ok := strings.CutPrefix(f.Calendar, "class:"); ok {
		d.Calendar, d.ClassID = Class, id
	}
	first, err := time.ParseInLocation(day, f.Day, Zone)
	if err != nil {
		return f, d
	}
	if f.AllDay {
		last, err := time.ParseInLocation(day, f.LastDay, Zone)
		if err != nil || last.Before(first) {
			last = first
		}
		d.Start, d.End = first, last.AddDate(0, 0, 1)
	} else {
		start, err1 := time.ParseInLocation(day+" 15:04", f.Day+" "+f.StartTime, Zone)
		end, err2 := time.ParseInLocation(day+" 15:04", f.Day+" "+f.EndTime, Zone)
		if err1 == nil && err2 == nil {
			d.Start, d.End = start, end
		}
	}
	if f.Weekly {
		d.RRule = "FREQ=WEEKLY"
		if until, err := time.ParseInLocation(day, f.Until, Zone); err == nil {
			d.RRule += ";UNTIL=" + until.AddDate(0, 0, 1).Add(-time.Second).UTC().Format("20060102T150405Z")
		}
	}
	return f, d
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) {
	f, d := draftOf(r)
	e, err := h.s.Create(r.Context(), web.CurrentUser(r), d)
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			h.renderForm(w, r, status, formPage{Writable: true, Form: f}, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"?date="+e.Start.In(Zone).Format(day), "agenda.flash.created", "Title", e.Title)
}

// formOf is an event as its form shows it.
func formOf(e Event) eventForm {
	f := eventForm{Calendar: e.Calendar, Title: e.Title, Description: e.Description, Place: e.Place, AllDay: e.AllDay, Holiday: e.Holiday,
		Day: e.Start.In(Zone).Format(day), StartTime: e.Start.In(Zone).Format("15:04"), EndTime: e.End.In(Zone).Format("15:04"),
		Weekly: strings.Contains(e.RRule, "FREQ=WEEKLY")}
	if e.Calendar == Class {
		f.Calendar = "class:" + e.ClassID
	}
	if e.AllDay {
		f.LastDay = e.End.AddDate(0, 0, -1).Format(day)
	}
	if _, until, ok := strings.Cut(e.RRule, "UNTIL="); ok && len(until) >= 8 {
		if t, err := time.Parse("20060102", until[:8]); err == nil {
			f.Until = t.Format(day)
		}
	}
	return f
}

func (h *handlers) eventPage(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	e, err := h.s.Readable(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	_, werr := h.s.Writable(r.Context(), u, e.ID)
	h.renderForm(w, r, http.StatusOK, formPage{Event: e, Writable: werr == nil, Form: formOf(e)}, "")
}

func (h *handlers) save(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	old, err := h.s.Writable(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	f, d := draftOf(r)
	d.ExDates = old.ExDates
	e, err := h.s.Update(r.Context(), u, old.ID, d)
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			f.Calendar = formOf(old).Calendar
			h.renderForm(w, r, status, formPage{Event: old, Writable: true, Form: f}, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"?date="+e.Start.In(Zone).Format(day), "agenda.flash.saved", "Title", e.Title)
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) {
	e, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path, "agenda.flash.deleted", "Title", e.Title)
}

// skip removes one occurrence of a repeating event, named by its day.
func (h *handlers) skip(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	e, err := h.s.Writable(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d, err := time.ParseInLocation(day, r.PostFormValue("date"), Zone)
	if err == nil {
		start := time.Date(d.Year(), d.Month(), d.Day(), e.Start.Hour(), e.Start.Minute(), 0, 0, Zone)
		err = h.s.Skip(r.Context(), u, e.ID, start)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"?date="+d.Format(day), "agenda.flash.skipped", "Title", e.Title)
}
