// Package attendance is the register and the absences: the teacher takes
// the register per half-day in a few taps (everyone present by default),
// late arrivals included; parents see their child's absences, justify
// them and announce one beforehand; the director sees the day's absences
// across classes, those not justified, and a monthly count per pupil.
//
// It imports auth, store, text, notify, web and feature; no other feature.
package attendance

import (
	"net/http"
	"slices"
	"time"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the register and the absences.
var Feature = feature.Feature{Name: "attendance", Personal: feature.Personal{Export: personalExport}, Schema: Schema, Routes: routes, Tiles: tiles, Panels: panels,
	Demo: feature.Demo{Seed: demo}}

// Paths of the register and of the absences.
const (
	RegisterPath = "/appel"
	Path         = "/absences"
)

type handlers struct {
	*feature.Env
	s *Service
}

var (
	staff   = web.Only(auth.Teacher, auth.Director)
	parents = web.Only(auth.Parent)
	readers = web.Only(auth.Parent, auth.Teacher, auth.Director)
)

// serviceOf is the node's service, telling through its hub.
func serviceOf(env *feature.Env) *Service {
	s := NewService(env.DB, env.Register)
	s.hub = env.Notify
	return s
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: serviceOf(env)}
	env.Handle("GET "+RegisterPath, staff, h.registerPage)
	env.Handle("POST "+RegisterPath, staff, h.take)
	env.Handle("GET "+Path, readers, h.absences)
	env.Handle("POST "+Path+"/prevenir", parents, h.announce)
	env.Handle("POST "+Path+"/{id}/justifier", parents, h.justify)
	env.Handle("POST /api/v1/attendance", staff, h.apiTake)
	env.Handle("GET /api/v1/absences", readers, h.apiList)
	env.Handle("POST /api/v1/absences", parents, h.apiAnnounce)
	env.Handle("POST /api/v1/absences/{id}/justify", parents, h.apiJustify)
}

// tiles: the teacher's register, marked while the half-day's is not
// taken; the parent's absences, counting those to justify; the director's,
// counting today's.
func tiles(env *feature.Env) []web.Tile {
	s := serviceOf(env)
	toTake := func(r *http.Request) (string, error) {
		missing, err := s.Untaken(r.Context(), web.CurrentUser(r))
		if err != nil || missing == 0 {
			return "", err
		}
		return web.T(r, "attendance.badge.to_take"), nil
	}
	toJustify := func(r *http.Request) (string, error) {
		n, err := s.ToJustify(r.Context(), web.CurrentUser(r))
		if err != nil || n == 0 {
			return "", err
		}
		return web.N(r, "attendance.badge.to_justify", n), nil
	}
	today := func(r *http.Request) (string, error) {
		d, err := s.SchoolDay(r.Context(), web.CurrentUser(r), s.Today())
		if err != nil || len(d.Absences) == 0 {
			return "", err
		}
		return web.N(r, "attendance.badge.today", len(d.Absences)), nil
	}
	return []web.Tile{
		{Profile: auth.Teacher, Label: "attendance.tile.register", Href: RegisterPath, Icon: "appel", Order: 5, Hint: "attendance.tile.register_hint", Badge: toTake},
		{Profile: auth.Teacher, Label: "attendance.tile.title", Href: Path, Icon: "absences", Order: 30, Hint: "attendance.tile.teacher_hint"},
		{Profile: auth.Parent, Label: "attendance.tile.title", Href: Path, Icon: "absences", Order: 20, Hint: "attendance.tile.parent_hint", Badge: toJustify},
		{Profile: auth.Director, Label: "attendance.tile.title", Href: Path, Icon: "absences", Order: 5, Hint: "attendance.tile.director_hint", Badge: today},
	}
}

// panels: the teacher's register of the half-day, the parent's absences
// to justify, the director's day.
func panels(env *feature.Env) []web.Panel {
	s := serviceOf(env)
	return []web.Panel{
		{Profile: auth.Teacher, Order: 10, Page: "attendance/panel_teacher", Data: func(r *http.Request) (any, error) {
			return s.Registers(r.Context(), web.CurrentUser(r))
		}},
		{Profile: auth.Parent, Order: 20, Page: "attendance/panel_parent", Data: func(r *http.Request) (any, error) {
			abs, err := s.Unjustified(r.Context(), web.CurrentUser(r))
			if err != nil || len(abs) == 0 {
				return nil, err
			}
			return abs, nil
		}},
		{Profile: auth.Director, Order: 10, Page: "attendance/panel_director", Data: func(r *http.Request) (any, error) {
			return s.SchoolDay(r.Context(), web.CurrentUser(r), s.Today())
		}},
	}
}

// registerPage is a class's register for a half-day, today's under way
// by default.
func (h *handlers) registerPage(w http.ResponseWriter, r *http.Request) {
	h.renderRegister(w, r, http.StatusOK, r.FormValue("classe"), r.FormValue("jour"), r.FormValue("demi"), "")
}

func (h *handlers) renderRegister(w http.ResponseWriter, r *http.Request, status int, classID, d, half, errMsg string) {
	u := web.CurrentUser(r)
	classes, err := h.s.StaffClasses(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if len(classes) == 0 {
		h.RenderStatus(w, r, status, "attendance/register", web.T(r, "attendance.register_title"), map[string]any{"Classes": classes}, errMsg)
		return
	}
	if !slices.ContainsFunc(classes, func(c auth.Class) bool { return c.ID == classID }) {
		classID = classes[0].ID
	}
	if d == "" {
		d = h.s.Today()
	}
	if half == "" {
		half = h.s.HalfDayNow()
	}
	reg, err := h.s.Register(r.Context(), u, classID, d, half)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var takenBy string
	if reg.Taken {
		if by, err := h.Auth.User(r.Context(), reg.TakenBy); err == nil {
			takenBy = by.DisplayName
		}
	}
	h.RenderStatus(w, r, status, "attendance/register", web.T(r, "attendance.register_title"),
		map[string]any{"Classes": classes, "Register": reg, "TakenBy": takenBy, "Today": h.s.Today()}, errMsg)
}

// take records the register the form sends: each pupil's field "p-<id>"
// says present, absent or late.
func (h *handlers) take(w http.ResponseWriter, r *http.Request) {
	roll := Roll{ClassID: r.PostFormValue("classe"), Day: r.PostFormValue("jour"), HalfDay: r.PostFormValue("demi")}
	pupils, err := h.Register.ClassPupils(r.Context(), roll.ClassID)
	if err == nil {
		for _, p := range pupils {
			switch r.PostFormValue("p-" + p.ID) {
			case Absent:
				roll.Absent = append(roll.Absent, p.ID)
			case Late:
				roll.Late = append(roll.Late, p.ID)
			}
		}
		err = h.s.Take(r.Context(), web.CurrentUser(r), roll)
	}
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			h.renderRegister(w, r, status, roll.ClassID, roll.Day, roll.HalfDay, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, RegisterPath+"?classe="+roll.ClassID+"&jour="+roll.Day+"&demi="+roll.HalfDay, "attendance.flash.taken",
		"Absent", len(roll.Absent), "Late", len(roll.Late))
}

// absences is each adult's page of absences: a parent's per child, a
// teacher's for their classes, the director's day and month.
func (h *handlers) absences(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	switch u.Profile {
	case auth.Parent:
		h.familyPage(w, r, http.StatusOK, "")
	case auth.Director:
		d := r.FormValue("jour")
		if d == "" {
			d = h.s.Today()
		}
		month := r.FormValue("mois")
		if month == "" {
			month = d[:7]
		}
		day, err := h.s.SchoolDay(r.Context(), u, d)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		counts, err := h.s.MonthCounts(r.Context(), u, month)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		names, err := h.pupilNames(r, day.Classes)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		h.Render(w, r, "attendance/director", web.T(r, "attendance.title"),
			map[string]any{"Day": day, "Month": month, "Counts": counts, "Names": names, "Today": h.s.Today()})
	default:
		abs, err := h.s.ClassAbsences(r.Context(), u, time.Now().AddDate(0, 0, -30).Format(day))
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		classes, err := h.s.StaffClasses(r.Context(), u)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		byID := map[string]auth.Class{}
		for _, c := range classes {
			byID[c.ID] = c
		}
		names, err := h.pupilNames(r, byID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		h.Render(w, r, "attendance/staff", web.T(r, "attendance.title"), map[string]any{"Absences": abs, "Names": names, "Classes": byID})
	}
}

// pupilNames are the names of the classes' pupils, by id.
func (h *handlers) pupilNames(r *http.Request, classes map[string]auth.Class) (map[string]string, error) {
	out := map[string]string{}
	for id := range classes {
		pupils, err := h.Register.ClassPupils(r.Context(), id)
		if err != nil {
			return nil, err
		}
		for _, p := range pupils {
			out[p.ID] = p.DisplayName
		}
	}
	return out, nil
}

// familyPage is a parent's page: one child's absences, to justify, and a
// form to announce one.
func (h *handlers) familyPage(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	u := web.CurrentUser(r)
	children, err := h.Register.Children(r.Context(), u.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := map[string]any{"Children": children, "Reasons": Reasons, "Today": h.s.Today()}
	if len(children) > 0 {
		child := children[0]
		if i := slices.IndexFunc(children, func(c auth.User) bool { return c.ID == r.FormValue("enfant") }); i >= 0 {
			child = children[i]
		}
		abs, err := h.s.ChildAbsences(r.Context(), u, child.ID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		p["Child"], p["Absences"] = child, abs
	}
	h.RenderStatus(w, r, status, "attendance/parent", web.T(r, "attendance.title"), p, errMsg)
}

// formFailed sends a parent's form back with its problem, or fails.
func (h *handlers) formFailed(w http.ResponseWriter, r *http.Request, err error) {
	if status := web.ErrStatus(err); status < http.StatusInternalServerError {
		h.familyPage(w, r, status, web.ErrText(r, err))
		return
	}
	h.Fail(w, r, err)
}

func (h *handlers) justify(w http.ResponseWriter, r *http.Request) {
	a, err := h.s.Justify(r.Context(), web.CurrentUser(r), r.PathValue("id"),
		Justification{Reason: r.PostFormValue("motif"), Comment: r.PostFormValue("commentaire")})
	if err != nil {
		h.formFailed(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"?enfant="+a.PupilID, "attendance.flash.justified")
}

func (h *handlers) announce(w http.ResponseWriter, r *http.Request) {
	an := Announcement{PupilID: r.PostFormValue("enfant"), Day: r.PostFormValue("jour"), HalfDay: r.PostFormValue("demi"),
		Justification: Justification{Reason: r.PostFormValue("motif"), Comment: r.PostFormValue("commentaire")}}
	if err := h.s.Announce(r.Context(), web.CurrentUser(r), an); err != nil {
		h.formFailed(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"?enfant="+an.PupilID, "attendance.flash.announced")
}
