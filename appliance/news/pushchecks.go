package news

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// checkNewsRow is the rule central applies to the news a school pushes
// (see store.PushCheck): the school's own, by its staff, for one of its
// classes when it is a class's. The city's news is global: a school never
// pushes it (the scope check refuses it before this rule).
func checkNewsRow(ctx context.Context, p store.Pushed) error {
	if p.Row.Str("school_id") != p.School {
		return apperr.New(apperr.ErrForbidden, "news.push.school")
	}
	if !auth.PushedStaff(ctx, p, p.Row.Str("author_id")) {
		return apperr.New(apperr.ErrForbidden, "news.push.author")
	}
	if p.Row.Str("audience") == Class && !auth.PushedClass(ctx, p, p.Row.Str("class_id")) {
		return apperr.New(apperr.ErrForbidden, "news.push.class")
	}
	return nil
}
