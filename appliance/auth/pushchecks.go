package auth

import (
	"context"
	"fmt"
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
