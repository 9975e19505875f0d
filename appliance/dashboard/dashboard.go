// Package dashboard is each profile's home page: what a pupil, a parent, a
// teacher, a director or the DSI sees first, in their colours, and the
// parent's switch between children.
//
// It imports auth, web and feature (the register through feature.Register);
// no other feature.
package dashboard

import (
	"context"
	"net/http"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is each profile's home page.
var Feature = feature.Feature{Name: "dashboard", Routes: routes}

type handlers struct{ *feature.Env }

func routes(env *feature.Env) {
	h := &handlers{env}
	env.Handle("GET "+web.HomePath, web.LoggedIn(), h.home)
	env.Handle("POST /enfant", web.Only(auth.Parent), h.chooseChild)
	for _, p := range auth.Profiles {
		env.AddNav(p, web.NavItem{Label: "Accueil", Href: web.HomePath, Icon: "accueil", Order: 0})
		if p != auth.Pupil {
			env.AddNav(p, web.NavItem{Label: "Mot de passe", Href: web.PasswordPath, Icon: "cle", Order: 90})
		}
	}
}

func (h *handlers) home(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	ctx := r.Context()
	var (
		data any
		err  error
	)
	switch u.Profile {
	case auth.Pupil:
		data, err = h.pupil(ctx, u)
	case auth.Parent:
		data, err = h.parent(ctx, u, web.CurrentSession(r).ChildID)
	case auth.Teacher:
		data, err = h.teacher(ctx, u)
	case auth.Director:
		data, err = h.school(ctx, u.SchoolID)
	case auth.DSI:
		data, err = h.city(ctx)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "dashboard/"+string(u.Profile), "Accueil", data)
}

// classView is a class with the people a dashboard shows about it.
type classView struct {
	Class    auth.Class
	Teachers []auth.User
	Pupils   []auth.User
}

func (h *handlers) classView(ctx context.Context, c auth.Class) (classView, error) {
	v := classView{Class: c}
	var err error
	if v.Teachers, err = h.Register.ClassTeachers(ctx, c.ID); err != nil {
		return v, err
	}
	v.Pupils, err = h.Register.ClassPupils(ctx, c.ID)
	return v, err
}

func (h *handlers) classViews(ctx context.Context, classes []auth.Class) ([]classView, error) {
	out := make([]classView, 0, len(classes))
	for _, c := range classes {
		v, err := h.classView(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (h *handlers) pupil(ctx context.Context, u auth.User) (any, error) {
	classes, err := h.Register.UserClasses(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	views, err := h.classViews(ctx, classes)
	return map[string]any{"Classes": views}, err
}

func (h *handlers) teacher(ctx context.Context, u auth.User) (any, error) {
	classes, err := h.Register.UserClasses(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	// A teacher's page shows each class's pupils but not its teachers: one
	// query per class fewer than classViews (see docs/performance.md).
	views := make([]classView, len(classes))
	for i, c := range classes {
		views[i].Class = c
		if views[i].Pupils, err = h.Register.ClassPupils(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	school, _ := h.Register.School(ctx, u.SchoolID)
	return map[string]any{"Classes": views, "School": school}, nil
}

type childView struct {
	Child   auth.User
	School  auth.School
	Classes []classView
}

func (h *handlers) parent(ctx context.Context, u auth.User, chosen string) (any, error) {
	children, err := h.Register.Children(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	var current *childView
	for _, c := range children {
		if c.ID == chosen || current == nil {
			classes, err := h.Register.UserClasses(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			views, err := h.classViews(ctx, classes)
			if err != nil {
				return nil, err
			}
			school, _ := h.Register.School(ctx, c.SchoolID)
			current = &childView{Child: c, School: school, Classes: views}
		}
	}
	return map[string]any{"Children": children, "Current": current}, nil
}

// schoolStats counts a school's people and classes.
type schoolStats struct {
	School                              auth.School
	Classes                             []auth.Class
	PupilCounts                         map[string]int
	Pupils, Teachers, Parents, Disabled int
	NoLogin, MustChange                 int // pupils with no way to log in yet
}

func (h *handlers) school(ctx context.Context, schoolID string) (schoolStats, error) {
	st := schoolStats{}
	var err error
	if st.School, err = h.Register.School(ctx, schoolID); err != nil {
		return st, err
	}
	if st.Classes, err = h.Register.SchoolClasses(ctx, schoolID); err != nil {
		return st, err
	}
	if st.PupilCounts, err = h.Register.ClassCounts(ctx, schoolID); err != nil {
		return st, err
	}
	users, err := h.Register.SchoolUsers(ctx, schoolID)
	if err != nil {
		return st, err
	}
	for _, u := range users {
		if u.Disabled {
			st.Disabled++
			continue
		}
		switch u.Profile {
		case auth.Pupil:
			st.Pupils++
			if !u.HasPicture && !u.HasCard && !u.HasPassword {
				st.NoLogin++
			}
		case auth.Teacher, auth.Director:
			st.Teachers++
		case auth.Parent:
			st.Parents++
		}
		if u.MustChange {
			st.MustChange++
		}
	}
	return st, nil
}

func (h *handlers) city(ctx context.Context) (any, error) {
	schools, err := h.Register.Schools(ctx)
	if err != nil {
		return nil, err
	}
	var stats []schoolStats
	total := schoolStats{}
	for _, sc := range schools {
		st, err := h.school(ctx, sc.ID)
		if err != nil {
			return nil, err
		}
		stats = append(stats, st)
		total.Pupils += st.Pupils
		total.Teachers += st.Teachers
		total.Parents += st.Parents
		total.Classes = append(total.Classes, st.Classes...)
	}
	return map[string]any{"Schools": stats, "Total": total}, nil
}

// chooseChild switches the child a parent is looking at.
func (h *handlers) chooseChild(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	childID := r.PostFormValue("child")
	children, err := h.Register.Children(r.Context(), u.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	for _, c := range children {
		if c.ID == childID {
			if err := h.Auth.SetSessionChild(r.Context(), web.Token(r), c.ID); err != nil {
				h.Fail(w, r, err)
				return
			}
			http.Redirect(w, r, web.HomePath, http.StatusSeeOther)
			return
		}
	}
	h.Error(w, r, http.StatusForbidden, "cet enfant n'est pas rattaché à votre compte")
}
