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
}

// home is the user's home page: their menu, the tiles the features register
// for their profile, above what their profile sees first.
func (h *handlers) home(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	ctx := r.Context()
	var (
		data map[string]any
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
		data, err = h.director(ctx, u.SchoolID)
	case auth.DSI:
		data, err = h.city(ctx)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	data["Tiles"] = h.TilesFor(r)
	data["Top"] = h.PanelsFor(r, true)
	data["Panels"] = h.PanelsFor(r, false)
	h.Render(w, r, "dashboard/"+string(u.Profile), web.T(r, "layout.home"), data)
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

// friend is a classmate, or a teacher, as the pupil's page shows them.
type friend struct {
	Initials, Name string
	Me             bool
}

// pupilClass is a pupil's class with its teachers and classmates, in
// plain values: the page draws it once for each pupil ({{drawn}}).
type pupilClass struct {
	Class    auth.Class
	Teachers []friend
	Friends  []friend
}

func (h *handlers) pupil(ctx context.Context, u auth.User) (map[string]any, error) {
	classes, err := h.Register.UserClasses(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	views, err := h.classViews(ctx, classes)
	out := make([]pupilClass, len(views))
	for i, v := range views {
		out[i] = pupilClass{Class: v.Class, Friends: make([]friend, len(v.Pupils))}
		for _, t := range v.Teachers {
			out[i].Teachers = append(out[i].Teachers, friend{Initials: web.Initials(t.DisplayName), Name: t.DisplayName})
		}
		for j, p := range v.Pupils {
			out[i].Friends[j] = friend{Initials: web.Initials(p.DisplayName), Name: p.FirstName, Me: p.ID == u.ID}
		}
	}
	return map[string]any{"Classes": out}, err
}

func (h *handlers) teacher(ctx context.Context, u auth.User) (map[string]any, error) {
	classes, err := h.Register.UserClasses(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	// A teacher's page shows each class's pupils but not its teachers: one
	// query per class fewer than classViews (see docs/performance.md).
	cards := make([]feature.ClassCard, len(classes))
	for i, c := range classes {
		pupils, err := h.Register.ClassPupils(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		cards[i] = feature.NewClassCard(c, pupils, nil, 3)
	}
	school, _ := h.Register.School(ctx, u.SchoolID)
	return map[string]any{"Classes": cards, "School": school}, nil
}

type childView struct {
	Child   auth.User
	School  auth.School
	Classes []classView
}

func (h *handlers) parent(ctx context.Context, u auth.User, chosen string) (map[string]any, error) {
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

// director's page: their school's people and classes counted.
func (h *handlers) director(ctx context.Context, schoolID string) (map[string]any, error) {
	st, err := h.school(ctx, schoolID)
	return map[string]any{"School": st.School, "Classes": st.Classes, "PupilCounts": st.PupilCounts, "Pupils": st.Pupils,
		"Teachers": st.Teachers, "Parents": st.Parents, "NoLogin": st.NoLogin, "MustChange": st.MustChange}, err
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

func (h *handlers) city(ctx context.Context) (map[string]any, error) {
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
	h.Error(w, r, http.StatusForbidden, "dashboard.not_your_child")
}
