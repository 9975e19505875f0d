package roster

import (
	"context"
	"net/http"
	"net/url"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// ClassLevels are the levels offered when creating a class: the five years
// and the usual double levels.
var ClassLevels = []string{"CP", "CE1", "CE2", "CM1", "CM2", "CP-CE1", "CE1-CE2", "CE2-CM1", "CM1-CM2"}

type classForm struct {
	Name, Level string
	Teachers    map[string]bool
}

type classesPage struct {
	scope
	Classes   []feature.ClassCard
	CanCreate bool
	Levels    []string
	Staff     []auth.User // who may be attached to a new class
	Form      classForm
}

// classes lists the school's classes with the form to create one; a teacher
// sees only their own classes.
func (h *handlers) classes(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	if u.Profile == auth.Teacher {
		h.teacherClasses(w, r, u)
		return
	}
	sc, ok := h.school(w, r)
	if !ok {
		return
	}
	h.renderClasses(w, r, sc, classForm{Level: "CP"}, http.StatusOK, "")
}

func (h *handlers) teacherClasses(w http.ResponseWriter, r *http.Request, u auth.User) {
	ctx := r.Context()
	sc, err := h.reg.School(ctx, u.SchoolID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	mine, err := h.reg.UserClasses(ctx, u.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	rows, err := h.classRows(ctx, sc.ID, mine)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "roster/classes", "Mes classes", classesPage{scope: scope{School: sc}, Classes: rows})
}

func (h *handlers) renderClasses(w http.ResponseWriter, r *http.Request, sc scope, f classForm, status int, msg string) {
	ctx := r.Context()
	classes, err := h.reg.SchoolClasses(ctx, sc.School.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	rows, err := h.classRows(ctx, sc.School.ID, classes)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	staff, err := h.staff(ctx, sc.School.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.RenderStatus(w, r, status, "roster/classes", "Classes", classesPage{scope: sc, Classes: rows, CanCreate: true,
		Levels: ClassLevels, Staff: staff, Form: f}, msg)
}

// classRows adds to each class its number of pupils, its first pupils and
// its teachers, with one query each for the whole school: the table of the
// school's classes and the cards of a teacher's show them.
func (h *handlers) classRows(ctx context.Context, schoolID string, classes []auth.Class) ([]feature.ClassCard, error) {
	counts, err := h.reg.ClassCounts(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	users, members, err := h.usersAndClasses(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	teachers, faces := map[string][]string{}, map[string][]string{}
	for _, u := range users {
		for _, c := range members[u.ID] {
			switch {
			case isStaff(u, schoolID):
				teachers[c.ID] = append(teachers[c.ID], u.DisplayName)
			case u.Profile == auth.Pupil && len(faces[c.ID]) < feature.CardFaces:
				faces[c.ID] = append(faces[c.ID], web.Initials(u.DisplayName))
			}
		}
	}
	rows := make([]feature.ClassCard, len(classes))
	for i, c := range classes {
		rows[i] = feature.ClassCard{Class: c, Pupils: counts[c.ID], Faces: faces[c.ID], Teachers: teachers[c.ID], Level: 2}
	}
	return rows, nil
}

// staff lists the school's teachers and direction who are not disabled.
func (h *handlers) staff(ctx context.Context, schoolID string) ([]auth.User, error) {
	users, err := h.reg.SchoolUsers(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	var out []auth.User
	for _, u := range users {
		if isStaff(u, schoolID) {
			out = append(out, u)
		}
	}
	return out, nil
}

// isStaff reports whether u teaches or directs at the school and may
// still log in.
func isStaff(u auth.User, schoolID string) bool {
	return (u.Profile == auth.Teacher || u.Profile == auth.Director) && u.SchoolID == schoolID && !u.Disabled
}

// createClass creates a class and attaches the chosen teachers to it.
func (h *handlers) createClass(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.school(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	f := classForm{Name: r.PostFormValue("name"), Level: r.PostFormValue("level"), Teachers: set(r.PostForm["teacher"])}
	staff, err := h.staff(ctx, sc.School.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := checkTeachers(f.Teachers, staff); err != nil {
		h.renderClasses(w, r, sc, f, http.StatusBadRequest, web.ErrText(r, err))
		return
	}
	c, err := h.reg.CreateClass(ctx, sc.School.ID, f.Name, f.Level)
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			h.renderClasses(w, r, sc, f, status, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	for id := range f.Teachers {
		if err := h.reg.AddToClass(ctx, c.ID, id); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	// A teacher put in charge of a class gains rights over its pupils:
	// a change of rights, for the journal.
	for _, u := range staff {
		if f.Teachers[u.ID] {
			h.Audited(r, "account.role", u.Login+" → "+c.Name)
		}
	}
	h.Redirect(w, r, withEcole("/classes", sc.Ecole), "roster.classes.created", "Name", c.Name)
}

// checkTeachers refuses a teacher who is not on the school's staff.
func checkTeachers(chosen map[string]bool, staff []auth.User) error {
	for id := range chosen {
		found := false
		for _, t := range staff {
			found = found || t.ID == id
		}
		if !found {
			return apperr.New(apperr.ErrInvalid, "roster.err.teacher_not_here")
		}
	}
	return nil
}

// withEcole keeps the DSI's school in a redirect.
func withEcole(path, ecole string) string {
	if ecole == "" {
		return path
	}
	return path + "?ecole=" + url.QueryEscape(ecole)
}
