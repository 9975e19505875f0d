package notifications

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the notifications' part of a person's export: what
// they were told, and whether they read it.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	_, err := env.ExportRows(ctx, x, "notifications", `SELECT id, kind, title_key, title_args, url, read, created_at
		FROM notifications WHERE deleted = 0 AND user_id = ? ORDER BY created_at`, u.ID)
	return err
}
