package homework

import (
	"context"

	"preau/appliance/apperr"
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
	if err != nil || !classOf(ctx, p, classID) {
		return apperr.New(apperr.ErrForbidden, "homework.push.class")
	}
	return nil
}

func checkEntryRow(ctx context.Context, p store.Pushed) error {
	if !classOf(ctx, p, p.Row.Str("class_id")) {
		return apperr.New(apperr.ErrForbidden, "homework.push.class")
	}
	var school, profile string
	err := p.Tx.QueryRowContext(ctx, "SELECT school_id, profile FROM users WHERE id = ?", p.Row.Str("author_id")).Scan(&school, &profile)
	if err != nil || school != p.School || (profile != "teacher" && profile != "director") {
		return apperr.New(apperr.ErrForbidden, "homework.push.author")
	}
	return nil
}

func checkTickRow(ctx context.Context, p store.Pushed) error {
	var classID string
	err := p.Tx.QueryRowContext(ctx, "SELECT class_id FROM homework WHERE id = ?", p.Row.Str("homework_id")).Scan(&classID)
	if err != nil || !classOf(ctx, p, classID) {
		return apperr.New(apperr.ErrForbidden, "homework.push.class")
	}
	var school, profile string
	err = p.Tx.QueryRowContext(ctx, "SELECT school_id, profile FROM users WHERE id = ?", p.Row.Str("pupil_id")).Scan(&school, &profile)
	if err != nil || school != p.School || profile != "pupil" || p.Row.ID() != p.Row.Str("homework_id")+":"+p.Row.Str("pupil_id") {
		return apperr.New(apperr.ErrForbidden, "homework.push.pupil")
	}
	return nil
}

// classOf reports whether a class belongs to the pushing school.
func classOf(ctx context.Context, p store.Pushed, classID string) bool {
	var school string
	err := p.Tx.QueryRowContext(ctx, "SELECT school_id FROM classes WHERE id = ?", classID).Scan(&school)
	return err == nil && school == p.School
}
