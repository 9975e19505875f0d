package announcements

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the announcements' part of a person's export: those
// the DSI wrote.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	_, err := env.ExportRows(ctx, x, "written", `SELECT id, kind, title, body, schools, starts_at, ends_at, created_at
		FROM announcements WHERE deleted = 0 AND author_id = ? ORDER BY created_at`, u.ID)
	return err
}
