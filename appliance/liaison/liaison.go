// Package liaison is the carnet de liaison: notes from a class's teacher
// or the school's director to the families of the whole class or of chosen
// pupils, with a « J'ai lu » asked when it matters, a short reply when
// allowed, reminders to those who have not read, and paper slips for the
// families without internet.
//
// It imports auth, store, text, web and feature (the register through
// feature.Register); no other feature.
package liaison

import (
	"net/http"
	"slices"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the carnet de liaison.
var Feature = feature.Feature{Name: "liaison", Personal: feature.Personal{Export: personalExport}, Search: []feature.SearchSource{searchSource}, Schema: Schema, Routes: routes, Tiles: tiles, Panels: panels, Agenda: agendaFeed,
	Demo: feature.Demo{Seed: demo}}

// Path is the carnet de liaison's page, for every profile.
const Path = "/carnet"

type handlers struct {
	*feature.Env
	s *Service
}

var (
	staff   = web.Only(auth.Teacher, auth.Director)
	readers = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director)
	parents = web.Only(auth.Parent)
)

// serviceOf is the node's service, telling through its hub.
func serviceOf(env *feature.Env) *Service {
	s := NewService(env.DB, env.Register, env.Auth)
	s.hub = env.Notify
	return s
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: serviceOf(env)}
	env.Handle("GET "+Path, readers, h.page)
	env.Handle("POST "+Path, staff, h.create)
	env.Handle("GET "+Path+"/{id}", staff, h.follow)
	env.Handle("GET "+Path+"/{id}/imprimer", staff, h.slips)
	env.Handle("POST "+Path+"/{id}/rappel", staff, h.remind)
	env.Handle("POST "+Path+"/{id}/papier", staff, h.paper)
	env.Handle("POST "+Path+"/{id}/supprimer", staff, h.remove)
	env.Handle("POST "+Path+"/{id}/signer", parents, h.sign)
	env.Handle("POST "+Path+"/{id}/repondre", parents, h.reply)
	env.Handle("GET /api/v1/liaison", readers, h.apiList)
	env.Handle("POST /api/v1/liaison", staff, h.apiCreate)
	env.Handle("GET /api/v1/liaison/{id}", staff, h.apiGet)
	env.Handle("POST /api/v1/liaison/{id}/ack", parents, h.apiAck)
	env.Handle("POST /api/v1/liaison/{id}/reply", parents, h.apiReply)
}

// tiles: the parent's, counting the notes to sign; the pupil's, with its
// picture; the staff's, counting the signatures awaited.
func tiles(env *feature.Env) []web.Tile {
	s := serviceOf(env)
	count := func(n func(r *http.Request) (int, error), key string) func(r *http.Request) (string, error) {
		return func(r *http.Request) (string, error) {
			total, err := n(r)
			if err != nil || total == 0 {
				return "", err
			}
			return web.N(r, key, total), nil
		}
	}
	toSign := count(func(r *http.Request) (int, error) {
		waiting, err := s.Waiting(r.Context(), web.CurrentUser(r))
		return len(waiting), err
	}, "liaison.badge.to_sign")
	awaited := count(func(r *http.Request) (int, error) {
		notes, err := s.Awaited(r.Context(), web.CurrentUser(r))
		total := 0
		for _, n := range notes {
			total += n.Total - n.Acks
		}
		return total, err
	}, "liaison.badge.awaited")
	return []web.Tile{
		{Profile: auth.Pupil, Label: "liaison.tile.pupil", Href: Path, Icon: "carnet", Picture: "icons/carnet", Order: 20},
		{Profile: auth.Parent, Label: "liaison.tile.title", Href: Path, Icon: "carnet", Order: 5, Hint: "liaison.tile.parent_hint", Badge: toSign},
		{Profile: auth.Teacher, Label: "liaison.tile.title", Href: Path, Icon: "carnet", Order: 25, Hint: "liaison.tile.staff_hint", Badge: awaited},
		{Profile: auth.Director, Label: "liaison.tile.title", Href: Path, Icon: "carnet", Order: 45, Hint: "liaison.tile.staff_hint", Badge: awaited},
	}
}

// childNote is a note waiting for a family's signature, with the child it
// is about.
type childNote struct {
	Child auth.User
	Note
}

// panels: the notes to sign, on the parent's home page; those whose
// signatures are awaited, on the staff's.
func panels(env *feature.Env) []web.Panel {
	s := serviceOf(env)
	return []web.Panel{
		{Profile: auth.Parent, Order: 5, Page: "liaison/panel_parent", Data: func(r *http.Request) (any, error) {
			u := web.CurrentUser(r)
			waiting, err := s.Waiting(r.Context(), u)
			if err != nil || len(waiting) == 0 {
				return nil, err
			}
			children, err := env.Register.Children(r.Context(), u.ID)
			if err != nil {
				return nil, err
			}
			out := make([]childNote, len(waiting))
			for i, n := range waiting {
				out[i].Note = n
				for _, c := range children {
					if c.ID == n.PupilID {
						out[i].Child = c
					}
				}
			}
			return out, nil
		}},
		{Profile: auth.Teacher, Order: 20, Page: "liaison/panel_staff", Data: func(r *http.Request) (any, error) {
			return s.Awaited(r.Context(), web.CurrentUser(r))
		}},
	}
}

// classPage is the staff's view of one class's notes.
type classPage struct {
	Classes []auth.Class
	Class   auth.Class
	Pupils  []auth.User
	Notes   []Note
	Names   map[string]string
	Form    Draft
}

// familyPage is a parent's view of one child's notes, or a pupil's own.
type familyPage struct {
	Children []auth.User
	Child    auth.User
	Notes    []Note
	Names    map[string]string
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	switch u.Profile {
	case auth.Pupil:
		notes, err := h.s.PupilNotes(r.Context(), u.ID)
		if err == nil {
			var names map[string]string
			if names, err = h.s.names(r.Context(), authors(notes)); err == nil {
				h.Render(w, r, "liaison/pupil", web.T(r, "liaison.tile.pupil"), familyPage{Child: u, Notes: notes, Names: names})
				return
			}
		}
		h.Fail(w, r, err)
	case auth.Parent:
		h.familyPage(w, r)
	default:
		h.renderClass(w, r, http.StatusOK, r.FormValue("classe"), Draft{Signature: true}, "")
	}
}

func (h *handlers) familyPage(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	children, err := h.Register.Children(r.Context(), u.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := familyPage{Children: children}
	if len(children) > 0 {
		p.Child = children[0]
		if i := slices.IndexFunc(children, func(c auth.User) bool { return c.ID == r.FormValue("enfant") }); i >= 0 {
			p.Child = children[i]
		}
		if p.Notes, err = h.s.ChildNotes(r.Context(), u, p.Child.ID); err == nil {
			p.Names, err = h.s.names(r.Context(), authors(p.Notes))
		}
		if err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.Render(w, r, "liaison/parent", web.T(r, "liaison.title"), p)
}

// renderClass shows a class's notes to its staff, with a form sent back
// with its problem.
func (h *handlers) renderClass(w http.ResponseWriter, r *http.Request, status int, classID string, f Draft, errMsg string) {
	u := web.CurrentUser(r)
	classes, err := h.s.StaffClasses(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := classPage{Classes: classes, Form: f}
	if len(classes) > 0 {
		p.Class = classes[0]
		if i := slices.IndexFunc(classes, func(c auth.Class) bool { return c.ID == classID }); i >= 0 {
			p.Class = classes[i]
		}
		if p.Notes, err = h.s.ClassNotes(r.Context(), u, p.Class.ID); err == nil {
			if p.Names, err = h.s.names(r.Context(), authors(p.Notes)); err == nil {
				p.Pupils, err = h.Register.ClassPupils(r.Context(), p.Class.ID)
			}
		}
		if err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.RenderStatus(w, r, status, "liaison/class", web.T(r, "liaison.title"), p, errMsg)
}

func draftOf(r *http.Request) Draft {
	r.ParseForm()
	d := Draft{ClassID: r.PostFormValue("classe"), Title: r.PostFormValue("titre"), Body: r.PostFormValue("texte"),
		Day: r.PostFormValue("jour"), Signature: r.PostFormValue("signature") != "", AllowReply: r.PostFormValue("reponse") != ""}
	if r.PostFormValue("pour") == "choisis" {
		d.PupilIDs = r.PostForm["eleves"]
		if len(d.PupilIDs) == 0 {
			d.PupilIDs = []string{} // chosen, but none: refused, not the whole class
		}
	}
	return d
}

// back is the class page a form came from.
func back(classID string) string { return Path + "?classe=" + classID }

func (h *handlers) create(w http.ResponseWriter, r *http.Request) {
	d := draftOf(r)
	if _, err := h.s.Create(r.Context(), web.CurrentUser(r), d); err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			h.renderClass(w, r, status, d.ClassID, d, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, back(d.ClassID), "liaison.flash.sent", "Title", d.Title)
}

func (h *handlers) follow(w http.ResponseWriter, r *http.Request) {
	f, err := h.s.Followed(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "liaison/follow", f.Title, f)
}

// slips prints one slip per pupil, with a tear-off acknowledgement; only
// the families who have not read it with ?qui=attente.
func (h *handlers) slips(w http.ResponseWriter, r *http.Request) {
	f, err := h.s.Followed(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if r.FormValue("qui") == "attente" {
		f.Pupils = slices.DeleteFunc(f.Pupils, func(p Recipient) bool { return p.Ack != nil })
	}
	school, err := h.Register.School(r.Context(), f.Class.SchoolID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "liaison/slips", web.T(r, "liaison.slips_title"), map[string]any{"Follow": f, "School": school.Name})
}

func (h *handlers) remind(w http.ResponseWriter, r *http.Request) {
	n, err := h.s.Remind(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/"+r.PathValue("id"), "liaison.flash.reminded", "Count", n)
}

func (h *handlers) paper(w http.ResponseWriter, r *http.Request) {
	if err := h.s.PaperAck(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.PostFormValue("eleve")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/"+r.PathValue("id"), "liaison.flash.paper")
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) {
	n, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, back(n.ClassID), "liaison.flash.deleted", "Title", n.Title)
}

// family is the child page a parent's form came from.
func family(pupilID string) string { return Path + "?enfant=" + pupilID }

func (h *handlers) sign(w http.ResponseWriter, r *http.Request) {
	child := r.PostFormValue("enfant")
	if err := h.s.Acknowledge(r.Context(), web.CurrentUser(r), r.PathValue("id"), child); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, family(child), "liaison.flash.signed")
}

func (h *handlers) reply(w http.ResponseWriter, r *http.Request) {
	child := r.PostFormValue("enfant")
	if _, err := h.s.Reply(r.Context(), web.CurrentUser(r), r.PathValue("id"), child, r.PostFormValue("texte")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, family(child), "liaison.flash.replied")
}

// authors are the notes' authors' ids.
func authors(notes []Note) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = n.AuthorID
	}
	return out
}
