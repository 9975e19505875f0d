// Package announcements is what the city's DSI tells the schools for a
// while: a maintenance window, an outage, a piece of information. The DSI
// writes them on central, for every school or chosen ones; sync brings them
// to every node, and each school's home pages show those for it, above the
// tiles, from their start to their end.
//
// It imports auth, store, text, web and feature; no other feature.
package announcements

import (
	"net/http"
	"strings"
	"time"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the announcements.
var Feature = feature.Feature{Name: "announcements", Personal: feature.Personal{Export: personalExport}, Schema: Schema, Routes: routes, Tiles: tiles, Panels: panels,
	Demo: feature.Demo{Seed: demo}}

// Path is the announcements' page: the DSI's to write them, everyone's to
// read those for them.
const Path = "/annonces"

type handlers struct {
	*feature.Env
	s *Service
}

var (
	everyone = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI)
	dsi      = web.Only(auth.DSI)
)

func newService(env *feature.Env) *Service {
	if env.Config.Role == config.RoleCentral {
		return NewCentralService(env.DB, env.Register)
	}
	return NewService(env.DB, env.Register)
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: newService(env)}
	env.Handle("GET "+Path, everyone, h.list)
	env.Handle("POST "+Path, dsi, h.create)
	env.Handle("POST "+Path+"/{id}/terminer", dsi, h.end)
	env.Handle("GET /api/v1/announcements", everyone, h.apiList)
	env.Handle("POST /api/v1/announcements", dsi, h.apiCreate)
	env.Handle("POST /api/v1/announcements/{id}/end", dsi, h.apiEnd)
}

// tiles: the DSI's, to write them; the others read them on their home page.
func tiles(env *feature.Env) []web.Tile {
	return []web.Tile{{Profile: auth.DSI, Label: "announcements.tile", Href: Path, Icon: "annonce", Order: 35, Hint: "announcements.tile_hint"}}
}

// panels: what is announced now, above every home page's tiles.
func panels(env *feature.Env) []web.Panel {
	s := newService(env)
	current := func(r *http.Request) (any, error) {
		list, err := s.Current(r.Context(), web.CurrentUser(r))
		if err != nil || len(list) == 0 {
			return nil, err
		}
		return views(list, s.now()), nil
	}
	var out []web.Panel
	for _, p := range []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI} {
		out = append(out, web.Panel{Profile: p, Order: 0, Page: "announcements/panel", Data: current, Top: true})
	}
	return out
}

// view is an announcement as the pages show it: its times in the schools'
// zone, and whether it is on now, to come or over.
type view struct {
	Announcement
	State string // "now", "soon", "over"
}

func views(list []Announcement, now time.Time) []view {
	out := make([]view, len(list))
	for i, a := range list {
		a.Starts, a.Ends = a.Starts.In(feature.Zone), a.Ends.In(feature.Zone)
		out[i] = view{Announcement: a, State: "now"}
		switch {
		case now.Before(a.Starts):
			out[i].State = "soon"
		case !now.Before(a.Ends):
			out[i].State = "over"
		}
	}
	return out
}

// listPage is the announcements page: those for the reader, and for the
// DSI on central the form to write one, with what was typed.
type listPage struct {
	Items     []view
	Announces bool
	Kinds     []string
	Schools   []auth.School
	Form      formValues
}

// formValues are the form's fields as typed.
type formValues struct {
	Kind, Title, Body, Starts, Ends string
	Schools                         []string
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, formValues{Kind: Maintenance}, "")
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, status int, f formValues, msg string) {
	u := web.CurrentUser(r)
	list, err := h.s.All(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	page := listPage{Items: views(list, h.s.now()), Announces: h.s.Announces(u), Kinds: Kinds, Form: f}
	if page.Announces {
		if page.Schools, err = h.Register.Schools(r.Context()); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.RenderStatus(w, r, status, "announcements/list", web.T(r, "announcements.title"), page, msg)
}

// localTime reads a form's datetime-local field, in the schools' zone.
func localTime(v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(v), feature.Zone)
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.Error(w, r, http.StatusBadRequest, "announcements.err.form")
		return
	}
	f := formValues{Kind: r.PostFormValue("genre"), Title: r.PostFormValue("titre"), Body: r.PostFormValue("texte"),
		Starts: r.PostFormValue("debut"), Ends: r.PostFormValue("fin"), Schools: r.PostForm["ecoles"]}
	d := Draft{Kind: f.Kind, Title: f.Title, Body: f.Body, Schools: f.Schools}
	var err error
	if d.Starts, err = localTime(f.Starts); err == nil {
		d.Ends, err = localTime(f.Ends)
	}
	if err != nil {
		h.render(w, r, http.StatusBadRequest, f, web.T(r, "announcements.err.date"))
		return
	}
	if _, err = h.s.Create(r.Context(), web.CurrentUser(r), d); err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			h.render(w, r, status, f, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path, "announcements.flash.created", "Title", d.Title)
}

func (h *handlers) end(w http.ResponseWriter, r *http.Request) {
	if err := h.s.End(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path, "announcements.flash.ended")
}
