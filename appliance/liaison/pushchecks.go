package liaison

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The rules central applies to what a school pushes of the carnet de
// liaison (see store.PushCheck): notes of the school's classes by its
// staff, about its pupils; acknowledgements by a parent of the pupil or
// the school's staff (paper slips); replies by a parent of the pupil.
var pushChecks = map[string]store.PushCheck{
	"liaison_notes":      checkNoteRow,
	"liaison_recipients": checkRecipientRow,
	"liaison_acks":       checkAckRow,
	"liaison_replies":    checkReplyRow,
}

func checkNoteRow(ctx context.Context, p store.Pushed) error {
	if !auth.PushedClass(ctx, p, p.Row.Str("class_id")) {
		return apperr.New(apperr.ErrForbidden, "liaison.push.class")
	}
	if !auth.PushedStaff(ctx, p, p.Row.Str("author_id")) {
		return apperr.New(apperr.ErrForbidden, "liaison.push.author")
	}
	return nil
}

func checkRecipientRow(ctx context.Context, p store.Pushed) error {
	if err := noteOf(ctx, p); err != nil {
		return err
	}
	if !auth.PushedUser(ctx, p, p.Row.Str("pupil_id"), auth.Pupil) || p.Row.ID() != p.Row.Str("note_id")+":"+p.Row.Str("pupil_id") {
		return apperr.New(apperr.ErrForbidden, "liaison.push.pupil")
	}
	return nil
}

func checkAckRow(ctx context.Context, p store.Pushed) error {
	if err := noteOf(ctx, p); err != nil {
		return err
	}
	pupil, by := p.Row.Str("pupil_id"), p.Row.Str("by_id")
	if !auth.PushedUser(ctx, p, pupil, auth.Pupil) || p.Row.ID() != p.Row.Str("note_id")+":"+pupil {
		return apperr.New(apperr.ErrForbidden, "liaison.push.pupil")
	}
	if !auth.PushedParent(ctx, p, by, pupil) && !(p.Row.Values["paper"] == int64(1) && auth.PushedStaff(ctx, p, by)) {
		return apperr.New(apperr.ErrForbidden, "liaison.push.family")
	}
	return nil
}

func checkReplyRow(ctx context.Context, p store.Pushed) error {
	if err := noteOf(ctx, p); err != nil {
		return err
	}
	if !auth.PushedUser(ctx, p, p.Row.Str("pupil_id"), auth.Pupil) || !auth.PushedParent(ctx, p, p.Row.Str("author_id"), p.Row.Str("pupil_id")) {
		return apperr.New(apperr.ErrForbidden, "liaison.push.family")
	}
	return nil
}

// noteOf checks the row's note is of one of the pushing school's classes.
func noteOf(ctx context.Context, p store.Pushed) error {
	var classID string
	err := p.Tx.QueryRowContext(ctx, "SELECT class_id FROM liaison_notes WHERE id = ?", p.Row.Str("note_id")).Scan(&classID)
	if err != nil || !auth.PushedClass(ctx, p, classID) {
		return apperr.New(apperr.ErrForbidden, "liaison.push.class")
	}
	return nil
}
