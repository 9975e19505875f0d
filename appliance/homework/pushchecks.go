package homework

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The rules central applies to what a school pushes of the cahier de
// textes (see store.PushCheck): entries of the school's classes by its
// staff, ticks of its pupils on its entries.
var pushChecks = map[string]store.PushCheck{
	"homework":       checkEntryRow,
	"homework_ticks": checkTickRow,
	"homework_files": checkFileRow,
}

func checkFileRow(ctx context.Context, p store.Pushed) error {
	var classID string
	err := p.Tx.QueryRowContext(ctx, "SELECT class_id FROM homework WHERE id = ?", p.Row.Str("homework_id")).Scan(&classID)
	if err != nil || !auth.PushedClass(ctx, p, classID) {
		return apperr.New(apperr.ErrForbidden, "homework.push.class")
	}
	return nil
}

func checkEntryRow(ctx context.Context, p store.Pushed) error {
	if !auth.PushedClass(ctx, p, p.Row.Str("class_id")) {
		return apperr.New(apperr.ErrForbidden, "homework.push.class")
	}
	if !auth.PushedStaff(ctx, p, p.Row.Str("author_id")) {
		return apperr.New(apperr.ErrForbidden, "homework.push.author")
	}
	return nil
}

func checkTickRow(ctx context.Context, p store.Pushed) error {
	var classID string
	err := p.Tx.QueryRowContext(ctx, "SELECT class_id FROM homework WHERE id = ?", p.Row.Str("homework_id")).Scan(&classID)
	if err != nil || !auth.PushedClass(ctx, p, classID) {
		return apperr.New(apperr.ErrForbidden, "homework.push.class")
	}
	if !auth.PushedUser(ctx, p, p.Row.Str("pupil_id"), auth.Pupil) || p.Row.ID() != p.Row.Str("homework_id")+":"+p.Row.Str("pupil_id") {
		return apperr.New(apperr.ErrForbidden, "homework.push.pupil")
	}
	return nil
}
