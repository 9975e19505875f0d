package audit

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the audit log's part of a person's export: the
// administrative actions they did, when and from where.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	_, err := env.ExportRows(ctx, x, "actions", `SELECT at, action, target, address FROM audit_entries
		WHERE deleted = 0 AND actor_id = ? ORDER BY at`, u.ID)
	return err
}
