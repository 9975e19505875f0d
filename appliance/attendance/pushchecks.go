package attendance

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The rules central applies to what a school pushes of the attendance
// (see store.PushCheck): registers of its classes taken by its staff;
// absences of its pupils, recorded by its staff or announced by a parent,
// justified by a parent of the pupil.
var pushChecks = map[string]store.PushCheck{
	"attendance_registers": checkRegisterRow,
	"absences":             checkAbsenceRow,
}

func checkRegisterRow(ctx context.Context, p store.Pushed) error {
	r := p.Row
	if !auth.PushedClass(ctx, p, r.Str("class_id")) || r.ID() != registerID(r.Str("class_id"), r.Str("day"), r.Str("half_day")) {
		return apperr.New(apperr.ErrForbidden, "attendance.push.class")
	}
	if !auth.PushedStaff(ctx, p, r.Str("taken_by")) {
		return apperr.New(apperr.ErrForbidden, "attendance.push.staff")
	}
	return nil
}

func checkAbsenceRow(ctx context.Context, p store.Pushed) error {
	r := p.Row
	pupil := r.Str("pupil_id")
	if !auth.PushedClass(ctx, p, r.Str("class_id")) || !auth.PushedUser(ctx, p, pupil, auth.Pupil) ||
		r.ID() != absenceID(pupil, r.Str("day"), r.Str("half_day")) {
		return apperr.New(apperr.ErrForbidden, "attendance.push.pupil")
	}
	by := r.Str("recorded_by")
	if !auth.PushedStaff(ctx, p, by) && !(r.Values["announced"] == int64(1) && auth.PushedParent(ctx, p, by, pupil)) {
		return apperr.New(apperr.ErrForbidden, "attendance.push.recorder")
	}
	if j := r.Str("justified_by"); j != "" && !auth.PushedParent(ctx, p, j, pupil) {
		return apperr.New(apperr.ErrForbidden, "attendance.push.family")
	}
	return nil
}
