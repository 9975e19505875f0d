package requests

import (
	"context"
	"slices"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// checkRequestRow is the rule central applies to a request a school
// pushes (see store.PushCheck): the school's own, filed by its director,
// of a known kind; once central holds it, the school never changes it
// (what follows is appended as events).
func checkRequestRow(ctx context.Context, p store.Pushed) error {
	r := p.Row
	if r.Str("school_id") != p.School {
		return apperr.New(apperr.ErrForbidden, "requests.push.school")
	}
	if !auth.PushedUser(ctx, p, r.Str("author_id"), auth.Director) {
		return apperr.New(apperr.ErrForbidden, "requests.push.author")
	}
	if !slices.Contains(Kinds, r.Str("kind")) {
		return apperr.New(apperr.ErrForbidden, "requests.push.kind")
	}
	if p.Prior != nil && !p.Unchanged(requestCols...) {
		return apperr.New(apperr.ErrForbidden, "requests.push.changed")
	}
	return nil
}

// checkEventRow: a school pushes only its director's comments and files
// on its own requests; statuses and agents are the DSI's, set on central.
func checkEventRow(ctx context.Context, p store.Pushed) error {
	r := p.Row
	if p.Prior != nil {
		// A school may send back what it holds, never change it, but to
		// empty the writer's name when it erased them (erase.go).
		erased := r.Str("author_name") == ""
		if !p.Unchanged(eventCols...) && !(erased && p.Unchanged(eventColsButName...)) {
			return apperr.New(apperr.ErrForbidden, "requests.push.changed")
		}
		return nil
	}
	if r.Str("status") != "" || r.Str("assignee") != "" {
		return apperr.New(apperr.ErrForbidden, "requests.push.status")
	}
	if r.Str("school_id") != p.School || pushedRequestSchool(ctx, p.Tx, r.Str("request_id")) != p.School {
		return apperr.New(apperr.ErrForbidden, "requests.push.school")
	}
	if !auth.PushedUser(ctx, p, r.Str("author_id"), auth.Director) {
		return apperr.New(apperr.ErrForbidden, "requests.push.author")
	}
	return nil
}

// What a school may not change of a request or an event once central holds it.
var (
	requestCols = []string{"deleted", "school_id", "kind", "title", "fields", "author_id", "created_at"}
	eventCols   = []string{"deleted", "request_id", "school_id", "author_id", "author_name", "status", "assignee", "body", "file", "file_name",
		"file_type", "created_at"}
	eventColsButName = slices.DeleteFunc(slices.Clone(eventCols), func(c string) bool { return c == "author_name" })
)

// checkItemRow: the catalogues are the city's, global; a school's push of
// them is refused by the scope check before this rule, which refuses any
// that would pass.
func checkItemRow(context.Context, store.Pushed) error {
	return apperr.New(apperr.ErrForbidden, "requests.push.catalogue")
}
