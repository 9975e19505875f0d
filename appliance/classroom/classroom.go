// Package classroom is a class's page for its teachers and the school's
// direction: who is in the class, and how young pupils get in — a new
// picture password or a new printed QR login card for one pupil, or a page of
// cards for the whole class. Secrets are stored hashed, so a picture password
// or a card is shown only on the page that (re)generates it.
//
// It imports auth, web and feature (the register through feature.Register);
// no other feature.
package classroom

import (
	"context"
	"net/http"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is a class's page for its teachers and the direction.
var Feature = feature.Feature{Name: "classroom", Routes: routes}

type handlers struct{ *feature.Env }

// routes wires the class pages. A teacher reaches only the classes they
// teach, a director those of their school, the DSI any: the route policy
// lets the three profiles in, and each handler checks the class itself.
func routes(env *feature.Env) {
	h := &handlers{env}
	staff := web.Only(auth.Teacher, auth.Director, auth.DSI)
	env.Handle("GET /classes/{id}", staff, h.classPage)
	env.Handle("POST /classes/{id}/eleves/{user}/images", staff, h.newPictures)
	env.Handle("POST /classes/{id}/eleves/{user}/carte", staff, h.newCard)
	env.Handle("POST /classes/{id}/cartes", staff, h.newCards)
}

// class loads the class named in the URL and checks the user may manage its
// pupils' logins; on false it has answered the client (404 or 403).
func (h *handlers) class(w http.ResponseWriter, r *http.Request) (auth.Class, bool) {
	return web.Loader[auth.Class]{Param: "id", Get: h.Register.Class, May: h.manages,
		NotFound:  "classroom.not_found",
		Forbidden: "classroom.forbidden",
	}.Load(h.Server, w, r)
}

// manages reports whether u looks after class c's pupils' logins.
func (h *handlers) manages(ctx context.Context, u auth.User, c auth.Class) (bool, error) {
	switch u.Profile {
	case auth.DSI:
		return true, nil
	case auth.Director:
		return u.SchoolID == c.SchoolID, nil
	case auth.Teacher:
		teachers, err := h.Register.ClassTeachers(ctx, c.ID)
		if err != nil {
			return false, err
		}
		for _, t := range teachers {
			if t.ID == u.ID {
				return true, nil
			}
		}
	}
	return false, nil
}

// classPupil loads the class named in the URL, checks it as class does,
// and finds the pupil named in the URL among its pupils (404 otherwise: a
// pupil is only reached through their own class). On false it has answered
// the client.
func (h *handlers) classPupil(w http.ResponseWriter, r *http.Request) (auth.Class, auth.User, bool) {
	c, ok := h.class(w, r)
	if !ok {
		return c, auth.User{}, false
	}
	pupils, err := h.Register.ClassPupils(r.Context(), c.ID)
	if err != nil {
		h.Fail(w, r, err)
		return c, auth.User{}, false
	}
	for _, p := range pupils {
		if p.ID == r.PathValue("user") {
			return c, p, true
		}
	}
	h.Error(w, r, http.StatusNotFound, "classroom.not_in_class")
	return c, auth.User{}, false
}

// classData is what the class page shows.
type classData struct {
	Class    auth.Class
	School   auth.School
	Teachers []auth.User
	Pupils   []auth.User
	Pictures []picture
	Slots    []int  // 1..auth.PictureLength, the picture choosers' positions
	Open     string // the pupil whose picture chooser is shown open (a form sent back)
	Disabled int
}

func (h *handlers) classData(ctx context.Context, c auth.Class) (classData, error) {
	d := classData{Class: c, Pictures: allPictures()}
	for i := range auth.PictureLength {
		d.Slots = append(d.Slots, i+1)
	}
	var err error
	if d.School, err = h.Register.School(ctx, c.SchoolID); err != nil {
		return d, err
	}
	if d.Teachers, err = h.Register.ClassTeachers(ctx, c.ID); err != nil {
		return d, err
	}
	if d.Pupils, err = h.Register.ClassPupils(ctx, c.ID); err != nil {
		return d, err
	}
	for _, p := range d.Pupils {
		if p.Disabled {
			d.Disabled++
		}
	}
	return d, nil
}

func (h *handlers) classPage(w http.ResponseWriter, r *http.Request) {
	c, ok := h.class(w, r)
	if !ok {
		return
	}
	h.renderClass(w, r, c, http.StatusOK, "", "")
}

// renderClass shows the class page, with an error message and one pupil's
// picture chooser open when a form comes back with a problem.
func (h *handlers) renderClass(w http.ResponseWriter, r *http.Request, c auth.Class, status int, open, errMsg string) {
	d, err := h.classData(r.Context(), c)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d.Open = open
	h.RenderStatus(w, r, status, "classroom/class", web.T(r, "card.class", "Name", c.Name), d, errMsg)
}
