package stats

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the statistics' part of a person's export: only the
// day their account was first used here. The counts are of everyone,
// never of one person, and the visitors of a month are kept as keyed
// hashes no one can tie back to an account: neither is theirs to export.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	_, err := env.ExportRows(ctx, x, "activation", `SELECT since AS first_used FROM stats_activated WHERE user_id = ?`, u.ID)
	return err
}
