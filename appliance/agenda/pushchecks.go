package agenda

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// checkEventRow is the rule central applies to the events a school pushes
// (see store.PushCheck): the school's calendar by its director, its
// classes' by its staff, a person's own of the school's people (or a
// parent of its pupils).
func checkEventRow(ctx context.Context, p store.Pushed) error {
	r := p.Row
	author := r.Str("author_id")
	if r.Str("school_id") != p.School {
		return apperr.New(apperr.ErrForbidden, "agenda.push.school")
	}
	switch r.Str("calendar") {
	case School:
		if auth.PushedUser(ctx, p, author, auth.Director) {
			return nil
		}
	case Class:
		if auth.PushedClass(ctx, p, r.Str("class_id")) && auth.PushedStaff(ctx, p, author) {
			return nil
		}
	case Personal:
		owner := r.Str("owner_id")
		if owner == author && (auth.PushedUser(ctx, p, owner, auth.Pupil, auth.Parent, auth.Teacher, auth.Director) || auth.PushedFamily(ctx, p, owner)) {
			return nil
		}
	}
	return apperr.New(apperr.ErrForbidden, "agenda.push.author")
}
