package pages

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// pushChecks are the rules central applies to the pages' rows a school
// pushes (see store.PushCheck): the school's own, for one of its classes,
// by one of its pupils or staff; an update row is never changed.
var pushChecks = map[string]store.PushCheck{
	"pages":         checkPageRow,
	"page_updates":  checkUpdateRow,
	"page_versions": checkVersionRow,
}

var writers = []auth.Profile{auth.Pupil, auth.Teacher, auth.Director}

func checkPageRow(ctx context.Context, p store.Pushed) error {
	switch {
	case p.Row.Str("school_id") != p.School:
		return apperr.New(apperr.ErrForbidden, "pages.push.school")
	case !auth.PushedClass(ctx, p, p.Row.Str("class_id")):
		return apperr.New(apperr.ErrForbidden, "pages.push.class")
	case !auth.PushedUser(ctx, p, p.Row.Str("author_id"), writers...):
		return apperr.New(apperr.ErrForbidden, "pages.push.author")
	case p.Prior != nil && !p.Unchanged("school_id", "class_id", "author_id", "owner_id"):
		return apperr.New(apperr.ErrForbidden, "pages.push.moved")
	}
	return nil
}

// checkChild is the rule of a row that belongs to a page: the page is the
// school's, the author one of its writers, and the fixed columns fixed.
func checkChild(ctx context.Context, p store.Pushed, fixed ...string) error {
	var school string
	err := p.Tx.QueryRowContext(ctx, "SELECT school_id FROM pages WHERE id = ?", p.Row.Str("page_id")).Scan(&school)
	switch {
	case p.Row.Str("school_id") != p.School || err != nil || school != p.School:
		return apperr.New(apperr.ErrForbidden, "pages.push.school")
	case !auth.PushedUser(ctx, p, p.Row.Str("author_id"), writers...):
		return apperr.New(apperr.ErrForbidden, "pages.push.author")
	case p.Prior != nil && !p.Unchanged(fixed...):
		return apperr.New(apperr.ErrForbidden, "pages.push.append_only")
	}
	return nil
}

func checkUpdateRow(ctx context.Context, p store.Pushed) error {
	// deleted may turn to 1: an editor's compaction replaced the row.
	return checkChild(ctx, p, "page_id", "school_id", "author_id", "data")
}

func checkVersionRow(ctx context.Context, p store.Pushed) error {
	return checkChild(ctx, p, "page_id", "school_id", "author_id")
}
