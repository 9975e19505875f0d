package roster

import (
	"context"
	"database/sql"
	"errors"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The rules central applies to the register's rows a school pushes (see
// store.PushCheck): a school writes what its director could have written
// through the pages and the API, and nothing that reaches beyond it. The
// scope of a pushed row, and of central's version of it, is already the
// school's. Each error names the rule broken. The accounts' own rule is
// auth's.

var pushChecks = map[string]store.PushCheck{
	"schools":           checkSchoolRow,
	"classes":           checkClassRow,
	"memberships":       checkMembershipRow,
	"guardians":         checkGuardianRow,
	"guardian_requests": checkRequestRow,
}

func checkSchoolRow(_ context.Context, p store.Pushed) error {
	if p.Row.ID() != p.School {
		return apperr.New(apperr.ErrForbidden, "roster.push.own_school")
	}
	if p.Row.Deleted() {
		return apperr.New(apperr.ErrForbidden, "roster.push.delete_school")
	}
	return nil
}

func checkClassRow(_ context.Context, p store.Pushed) error {
	if p.Row.Str("school_id") != p.School {
		return apperr.New(apperr.ErrForbidden, "roster.push.own_classes")
	}
	return nil
}

func checkMembershipRow(ctx context.Context, p store.Pushed) error {
	if p.Row.Deleted() {
		return nil // leaving a class of its own school (the scope says so)
	}
	var classSchool string
	err := p.Tx.QueryRowContext(ctx, "SELECT school_id FROM classes WHERE id = ?", p.Row.Str("class_id")).Scan(&classSchool)
	if err != nil || classSchool != p.School {
		return apperr.New(apperr.ErrForbidden, "roster.push.class_not_school")
	}
	member, err := accountOf(ctx, p.Tx, p.Row.Str("user_id"))
	if err != nil || member.school != p.School {
		return apperr.New(apperr.ErrForbidden, "roster.push.members")
	}
	if (p.Row.Str("role") == "pupil") != (member.profile == auth.Pupil) {
		return apperr.New(apperr.ErrForbidden, "roster.push.role")
	}
	return nil
}

func checkGuardianRow(ctx context.Context, p store.Pushed) error {
	if p.Row.Deleted() || p.Unchanged("parent_id", "child_id", "deleted") {
		return nil // unlinking, or sending back what central sent
	}
	if err := ownPupil(ctx, p); err != nil {
		return err
	}
	parent, err := accountOf(ctx, p.Tx, p.Row.Str("parent_id"))
	if err != nil || parent.profile != auth.Parent {
		return apperr.New(apperr.ErrForbidden, "roster.push.parent_only")
	}
	if parent.school != p.School {
		return apperr.New(apperr.ErrForbidden, "roster.push.foreign_parent")
	}
	return nil
}

func checkRequestRow(ctx context.Context, p store.Pushed) error {
	if p.Row.Str("school_id") != p.School {
		return apperr.New(apperr.ErrForbidden, "roster.push.own_pupils")
	}
	if p.Row.Deleted() {
		return nil
	}
	if err := ownPupil(ctx, p); err != nil {
		return err
	}
	if p.Row.Str("status") != LinkPending && !p.Unchanged("status") {
		return apperr.New(apperr.ErrForbidden, "roster.push.parent_answers")
	}
	return nil
}

// ownPupil checks that a pushed link's child is a pupil of the school.
func ownPupil(ctx context.Context, p store.Pushed) error {
	child, err := accountOf(ctx, p.Tx, p.Row.Str("child_id"))
	if err != nil || child.profile != auth.Pupil || child.school != p.School {
		return apperr.New(apperr.ErrForbidden, "roster.push.child_not_pupil")
	}
	return nil
}

type account struct {
	school  string
	profile auth.Profile
}

// accountOf reads a live account's school and profile inside tx.
func accountOf(ctx context.Context, tx *store.Tx, id string) (account, error) {
	var a account
	err := tx.QueryRowContext(ctx, "SELECT school_id, profile FROM users WHERE deleted = 0 AND id = ?", id).Scan(&a.school, &a.profile)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.ErrNotFound
	}
	return a, err
}
