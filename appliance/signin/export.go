package signin

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is sign-in's part of a person's export: which ways in
// their account has (a password, a picture password, a login card) and
// the sessions open on this node, when and from where. The secrets
// themselves (hashes, the card's code, session tokens) never leave.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	if _, err := env.ExportRows(ctx, x, "sign_in", `SELECT password_hash != '' AS password, picture_hash != '' AS picture_password,
		qr_hash != '' AS login_card, must_change AS must_change_password FROM users WHERE id = ?`, u.ID); err != nil {
		return err
	}
	_, err := env.ExportRows(ctx, x, "sessions", `SELECT datetime(created_at, 'unixepoch') AS opened, datetime(expires_at, 'unixepoch') AS expires,
		ip AS address FROM sessions WHERE user_id = ? ORDER BY created_at`, u.ID)
	return err
}
