// Package homework is the cahier de textes: per class and day, what was
// done in class and the work due for a later day. Teachers write it,
// pupils see « À faire » and tick what they did, parents follow it per
// child from home.
//
// It imports auth, store, text, web and feature (the register through
// feature.Register); no other feature.
package homework

import (
	"net/http"
	"slices"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the cahier de textes.
var Feature = feature.Feature{Name: "homework", Search: []feature.SearchSource{searchSource}, Schema: Schema, Routes: routes, Tiles: tiles, Panels: panels, Agenda: agendaFeed,
	Demo: feature.Demo{Seed: demo}, Personal: feature.Personal{Export: personalExport, Erase: erase}}

// Path is the cahier de textes' page, for every profile.
const Path = "/devoirs"

type handlers struct {
	*feature.Env
	s *Service
}

var (
	writers = web.Only(auth.Teacher, auth.Director)
	readers = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director)
)

// serviceOf is the node's service, telling through its hub.
func serviceOf(env *feature.Env) *Service {
	s := NewService(env.DB, env.Register)
	s.hub = env.Notify
	return s
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: serviceOf(env)}
	env.Handle("GET "+Path, readers, h.page)
	env.Handle("POST "+Path, writers, h.create)
	env.Handle("GET "+Path+"/{id}/modifier", writers, h.editPage)
	env.Handle("POST "+Path+"/{id}", writers, h.save)
	env.Handle("POST "+Path+"/{id}/supprimer", writers, h.remove)
	env.Handle("POST "+Path+"/{id}/copier", writers, h.copy)
	env.Handle("POST "+Path+"/{id}/fait", web.Only(auth.Pupil), h.tick)
	env.Handle("POST "+Path+"/{id}/fichiers", writers, h.attach)
	env.Handle("GET "+Path+"/{id}/fichiers/{file}", readers, h.download)
	env.Handle("GET /api/v1/homework", readers, h.apiList)
	env.Handle("POST /api/v1/homework", writers, h.apiCreate)
	env.Handle("POST /api/v1/homework/{id}/done", web.Only(auth.Pupil), h.apiDone)
}

// tiles: the pupil's « À faire », large; the parent's and the staff's
// cahier de textes. The pupil's and parent's count what is due tomorrow.
func tiles(env *feature.Env) []web.Tile {
	s := serviceOf(env)
	dueTomorrow := func(r *http.Request) (string, error) {
		u := web.CurrentUser(r)
		pupils := []auth.User{u}
		if u.Profile == auth.Parent {
			var err error
			if pupils, err = env.Register.Children(r.Context(), u.ID); err != nil {
				return "", err
			}
		}
		total := 0
		for _, p := range pupils {
			es, err := s.PupilDueTomorrow(r.Context(), p)
			if err != nil {
				return "", err
			}
			for _, e := range es {
				if !e.Ticked {
					total++
				}
			}
		}
		if total == 0 {
			return "", nil
		}
		return web.N(r, "homework.badge.tomorrow", total), nil
	}
	return []web.Tile{
		{Profile: auth.Pupil, Label: "homework.tile.pupil", Href: Path, Icon: "agenda", Picture: "icons/agenda", Order: 10, Badge: dueTomorrow},
		{Profile: auth.Parent, Label: "homework.tile.title", Href: Path, Icon: "agenda", Order: 10, Hint: "homework.tile.parent_hint", Badge: dueTomorrow},
		{Profile: auth.Teacher, Label: "homework.tile.title", Href: Path, Icon: "agenda", Order: 20, Hint: "homework.tile.teacher_hint"},
		{Profile: auth.Director, Label: "homework.tile.title", Href: Path, Icon: "agenda", Order: 40, Hint: "homework.tile.teacher_hint"},
	}
}

// dueDay is what a child has to do for a day, for a home panel.
type dueDay struct {
	Child   auth.User
	Entries []Entry
}

// panels: what is due tomorrow, on the pupil's home page and, per child,
// on the parent's; the teacher's pages to come.
func panels(env *feature.Env) []web.Panel {
	s := serviceOf(env)
	tomorrow := func(r *http.Request, child auth.User) (dueDay, error) {
		es, err := s.PupilDueTomorrow(r.Context(), child)
		return dueDay{Child: child, Entries: es}, err
	}
	return []web.Panel{
		{Profile: auth.Pupil, Order: 10, Page: "homework/panel", Data: func(r *http.Request) (any, error) {
			d, err := tomorrow(r, web.CurrentUser(r))
			return []dueDay{d}, err
		}},
		{Profile: auth.Parent, Order: 10, Page: "homework/panel", Data: func(r *http.Request) (any, error) {
			children, err := env.Register.Children(r.Context(), web.CurrentUser(r).ID)
			if err != nil || len(children) == 0 {
				return nil, err
			}
			var out []dueDay
			for _, c := range children {
				d, err := tomorrow(r, c)
				if err != nil {
					return nil, err
				}
				out = append(out, d)
			}
			return out, nil
		}},
	}
}

// classPage is the staff's view of one class's cahier de textes.
type classPage struct {
	Classes []auth.Class
	Class   auth.Class
	Pupils  int
	Entries []Entry
	Form    Draft
	Today   string
}

// childPage is a parent's view of one child's.
type childPage struct {
	Children []auth.User
	Child    auth.User
	Entries  []Entry
	Tomorrow string
	Today    string
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	title := web.T(r, "homework.title")
	switch u.Profile {
	case auth.Pupil:
		es, err := h.s.PupilEntries(r.Context(), u)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		h.Render(w, r, "homework/pupil", web.T(r, "homework.tile.pupil"),
			map[string]any{"Entries": es, "Tomorrow": h.s.Tomorrow(), "Today": h.s.now().Format(day)})
	case auth.Parent:
		h.childPage(w, r, title)
	default:
		h.renderClass(w, r, http.StatusOK, r.FormValue("classe"), Draft{}, "")
	}
}

func (h *handlers) childPage(w http.ResponseWriter, r *http.Request, title string) {
	u := web.CurrentUser(r)
	children, err := h.Register.Children(r.Context(), u.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := childPage{Children: children, Tomorrow: h.s.Tomorrow(), Today: h.s.now().Format(day)}
	if len(children) > 0 {
		p.Child = children[0]
		if i := slices.IndexFunc(children, func(c auth.User) bool { return c.ID == r.FormValue("enfant") }); i >= 0 {
			p.Child = children[i]
		}
		if p.Entries, err = h.s.ChildEntries(r.Context(), u, p.Child.ID); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.Render(w, r, "homework/parent", title, p)
}

// renderClass shows a class's cahier de textes to its staff, with a form
// sent back with its problem.
func (h *handlers) renderClass(w http.ResponseWriter, r *http.Request, status int, classID string, f Draft, errMsg string) {
	u := web.CurrentUser(r)
	classes, err := h.s.ReadableClasses(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := classPage{Classes: classes, Form: f, Today: h.s.now().Format(day)}
	if len(classes) > 0 {
		p.Class = classes[0]
		if i := slices.IndexFunc(classes, func(c auth.Class) bool { return c.ID == classID }); i >= 0 {
			p.Class = classes[i]
		}
		if p.Entries, err = h.s.ClassEntries(r.Context(), u, p.Class.ID); err != nil {
			h.Fail(w, r, err)
			return
		}
		pupils, err := h.Register.ClassPupils(r.Context(), p.Class.ID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		p.Pupils = len(pupils)
	}
	h.RenderStatus(w, r, status, "homework/class", web.T(r, "homework.title"), p, errMsg)
}

func draftOf(r *http.Request) Draft {
	return Draft{ClassID: r.PostFormValue("classe"), Day: r.PostFormValue("jour"), Due: r.PostFormValue("pour"),
		Done: r.PostFormValue("fait_en_classe"), Title: r.PostFormValue("titre"), Body: r.PostFormValue("consigne")}
}

// back is the class page a form came from.
func back(classID string) string { return Path + "?classe=" + classID }

func (h *handlers) create(w http.ResponseWriter, r *http.Request) {
	files, err := web.Uploads(r, "fichiers")
	if err != nil {
		h.formFailed(w, r, r.FormValue("classe"), draftOf(r), err)
		return
	}
	d := draftOf(r)
	if _, err := h.s.Create(r.Context(), web.CurrentUser(r), d, files...); err != nil {
		h.formFailed(w, r, d.ClassID, d, err)
		return
	}
	h.Redirect(w, r, back(d.ClassID), "homework.flash.created", "Title", d.Title)
}

// formFailed sends a form back with its problem (400, 403, 404), or fails.
func (h *handlers) formFailed(w http.ResponseWriter, r *http.Request, classID string, d Draft, err error) {
	if status := web.ErrStatus(err); status < http.StatusInternalServerError {
		h.renderClass(w, r, status, classID, d, web.ErrText(r, err))
		return
	}
	h.Fail(w, r, err)
}

func (h *handlers) editPage(w http.ResponseWriter, r *http.Request) {
	e, _, err := h.s.editable(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "homework/edit", web.T(r, "homework.edit_title"), e)
}

func (h *handlers) save(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e, _, err := h.s.editable(r.Context(), web.CurrentUser(r), id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d := draftOf(r)
	if err := h.s.Update(r.Context(), web.CurrentUser(r), id, d); err != nil {
		h.formFailed(w, r, e.ClassID, d, err)
		return
	}
	h.Redirect(w, r, back(e.ClassID), "homework.flash.saved", "Title", d.Title)
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e, _, err := h.s.editable(r.Context(), web.CurrentUser(r), id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := h.s.Delete(r.Context(), web.CurrentUser(r), id); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, back(e.ClassID), "homework.flash.deleted", "Title", e.Title)
}

func (h *handlers) copy(w http.ResponseWriter, r *http.Request) {
	to := r.PostFormValue("classe")
	if _, err := h.s.Copy(r.Context(), web.CurrentUser(r), r.PathValue("id"), to); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, back(to), "homework.flash.copied")
}

func (h *handlers) tick(w http.ResponseWriter, r *http.Request) {
	if err := h.s.Tick(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.PostFormValue("fait") != "0"); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path, "")
}

func (h *handlers) attach(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e, _, err := h.s.editable(r.Context(), web.CurrentUser(r), id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	files, err := web.Uploads(r, "fichiers")
	if err == nil {
		err = h.s.Attach(r.Context(), web.CurrentUser(r), id, files)
	}
	if err != nil {
		h.formFailed(w, r, e.ClassID, Draft{}, err)
		return
	}
	h.Redirect(w, r, back(e.ClassID), "homework.flash.attached")
}

// download sends an attached file, always as a download: a file a teacher
// sent is never shown as a page of Préau's.
func (h *handlers) download(w http.ResponseWriter, r *http.Request) {
	f, content, err := h.s.OpenFile(r.Context(), web.CurrentUser(r), r.PathValue("file"))
	if err == nil && f.EntryID != r.PathValue("id") {
		content.Close()
		err = apperr.New(apperr.ErrNotFound, "homework.err.no_file")
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	defer content.Close()
	web.FileHeaders(w, f.Name, f.Type, true)
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", time.Time{}, content)
}
