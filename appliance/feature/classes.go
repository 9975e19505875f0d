package feature

import (
	"context"
	"slices"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/auth"
)

// Who works with a class, as the features that write to a class ask it
// (the cahier de textes, the carnet de liaison, the register…).

// Levels are the years of French primary school, in order. A class is of
// one of them, or of two ("CE2-CM1").
var Levels = []string{"CP", "CE1", "CE2", "CM1", "CM2"}

// LevelsOf are the levels a class's pupils are in: its level, or both of
// a double level's.
func LevelsOf(c auth.Class) []string {
	var out []string
	for _, l := range strings.Split(c.Level, "-") {
		if slices.Contains(Levels, l) {
			out = append(out, l)
		}
	}
	return out
}

// ClassStaff loads a class and reports whether u is one of its staff: one
// of its teachers, or the director of its school. An unknown class is the
// register's error.
func ClassStaff(ctx context.Context, reg Register, u auth.User, classID string) (auth.Class, bool, error) {
	c, err := reg.Class(ctx, classID)
	if err != nil {
		return c, false, err
	}
	switch u.Profile {
	case auth.Director:
		return c, u.SchoolID == c.SchoolID, nil
	case auth.Teacher:
		teachers, err := reg.ClassTeachers(ctx, c.ID)
		if err != nil {
			return c, false, err
		}
		return c, slices.ContainsFunc(teachers, func(t auth.User) bool { return t.ID == u.ID }), nil
	}
	return c, false, nil
}

// StaffOf loads a class u works with (ClassStaff), or says why not in the
// feature's words: the message key noClass when there is no such class (404),
// notYours when u is not one of its staff (403).
func StaffOf(ctx context.Context, reg Register, u auth.User, classID, noClass, notYours string) (auth.Class, error) {
	c, staff, err := ClassStaff(ctx, reg, u, classID)
	switch {
	case err != nil:
		return c, apperr.New(apperr.ErrNotFound, noClass)
	case !staff:
		return c, apperr.New(apperr.ErrForbidden, notYours)
	}
	return c, nil
}

// StaffClasses are the classes u works with: a teacher's own, every class
// of the school for its director, none for anyone else.
func StaffClasses(ctx context.Context, reg Register, u auth.User) ([]auth.Class, error) {
	switch u.Profile {
	case auth.Teacher:
		return reg.UserClasses(ctx, u.ID)
	case auth.Director:
		return reg.SchoolClasses(ctx, u.SchoolID)
	}
	return nil, nil
}

// ReadableClasses are the classes whose pages u reads: a pupil's, a
// parent's children's (each once), a teacher's, the director's school's.
func ReadableClasses(ctx context.Context, reg Register, u auth.User) ([]auth.Class, error) {
	switch u.Profile {
	case auth.Pupil:
		return reg.UserClasses(ctx, u.ID)
	case auth.Parent:
		children, err := reg.Children(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		var out []auth.Class
		for _, c := range children {
			cs, err := reg.UserClasses(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				if !slices.ContainsFunc(out, func(o auth.Class) bool { return o.ID == c.ID }) {
					out = append(out, c)
				}
			}
		}
		return out, nil
	}
	return StaffClasses(ctx, reg, u)
}

// ClassFamilies are the ids of a class's pupils and of their parents:
// whom a feature tells of what it gave the class.
func ClassFamilies(ctx context.Context, reg Register, classID string) ([]string, error) {
	pupils, err := reg.ClassPupils(ctx, classID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(pupils))
	for i, p := range pupils {
		ids[i] = p.ID
	}
	parents, err := ParentIDs(ctx, reg, ids)
	return append(ids, parents...), err
}

// ParentIDs are the ids of the pupils' parents, each once: whom a feature
// tells what concerns their children.
func ParentIDs(ctx context.Context, reg Register, pupilIDs []string) ([]string, error) {
	var out []string
	for _, id := range pupilIDs {
		parents, err := reg.Parents(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, p := range parents {
			if !slices.Contains(out, p.ID) {
				out = append(out, p.ID)
			}
		}
	}
	return out, nil
}

// SchoolsOf are the schools a person belongs to, for what the city
// meant for some schools (feature.Targets): their own, or a parent's
// children's, whichever school each is at.
func SchoolsOf(ctx context.Context, reg Register, u auth.User) ([]string, error) {
	if u.Profile != auth.Parent {
		return []string{u.SchoolID}, nil
	}
	children, err := reg.Children(ctx, u.ID)
	var out []string
	for _, c := range children {
		if !slices.Contains(out, c.SchoolID) {
			out = append(out, c.SchoolID)
		}
	}
	return out, err
}
