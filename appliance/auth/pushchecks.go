package auth

import (
	"context"
	"fmt"
	"slices"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// The rule central applies to the accounts a school pushes (see
// store.PushCheck): a school writes what its director could have written
// through the pages and the API, and nothing that reaches beyond it. The
// scope of a pushed row, and of central's version of it, is already the
// school's. Each error names the rule broken. The register's tables have
// theirs in roster.

var pushChecks = map[string]store.PushCheck{"users": checkUserRow}

func checkUserRow(ctx context.Context, p store.Pushed) error {
	profile := Profile(p.Row.Str("profile"))
	switch {
	case profile == DSI:
		return apperr.New(apperr.ErrForbidden, "auth.push.dsi")
	case !profile.Valid():
		return fmt.Errorf("profil %q inconnu", profile)
	case p.Row.Str("school_id") != p.School:
		return apperr.New(apperr.ErrForbidden, "auth.push.school")
	case p.Prior != nil && !p.Unchanged("profile"):
		return apperr.New(apperr.ErrForbidden, "auth.push.profile")
	case p.Prior == nil && profile == Director && !p.Row.Deleted():
		// Directors are named by the DSI; only a school's very first one may
		// come from the school itself (set up with `preau user add` before
		// the school was enrolled), and it has no power beyond that school.
		var others int
		if err := p.Tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE deleted = 0 AND profile = 'director'
			AND school_id = ? AND id != ?`, p.School, p.Row.ID()).Scan(&others); err != nil {
			return err
		}
		if others > 0 {
			return apperr.New(apperr.ErrForbidden, "auth.push.director")
		}
	}
	return nil
}

// What other features' push checks ask of the accounts and classes, in
// central's state with the batch applied: whether a row points at the
// pushing school's own.

// PushedClass reports whether a class belongs to the pushing school.
func PushedClass(ctx context.Context, p store.Pushed, classID string) bool {
	var school string
	err := p.Tx.QueryRowContext(ctx, "SELECT school_id FROM classes WHERE id = ?", classID).Scan(&school)
	return err == nil && school == p.School
}

// PushedUser reports whether an account belongs to the pushing school with
// one of the profiles.
func PushedUser(ctx context.Context, p store.Pushed, userID string, profiles ...Profile) bool {
	var school, profile string
	if err := p.Tx.QueryRowContext(ctx, "SELECT school_id, profile FROM users WHERE id = ?", userID).Scan(&school, &profile); err != nil {
		return false
	}
	return school == p.School && slices.Contains(profiles, Profile(profile))
}

// PushedStaff reports whether an account is one of the pushing school's
// teachers or its director.
func PushedStaff(ctx context.Context, p store.Pushed, userID string) bool {
	return PushedUser(ctx, p, userID, Teacher, Director)
}

// PushedParent reports whether an account is a parent of the pupil (a
// parent's account may belong to another school, or to none).
func PushedParent(ctx context.Context, p store.Pushed, parentID, pupilID string) bool {
	var n int
	err := p.Tx.QueryRowContext(ctx, "SELECT count(*) FROM guardians WHERE deleted = 0 AND parent_id = ? AND child_id = ?", parentID, pupilID).Scan(&n)
	return err == nil && n > 0
}

// PushedFamily reports whether an account is a parent of one of the
// pushing school's pupils.
func PushedFamily(ctx context.Context, p store.Pushed, parentID string) bool {
	var n int
	err := p.Tx.QueryRowContext(ctx, `SELECT count(*) FROM guardians g JOIN users u ON u.id = g.child_id
		WHERE g.deleted = 0 AND g.parent_id = ? AND u.school_id = ?`, parentID, p.School).Scan(&n)
	return err == nil && n > 0
}
