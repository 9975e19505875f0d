package stats

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// erase is the statistics' part of a person's erasure: the day their
// account was first used goes. The counts stay: they name nobody, and
// those who were seen in a month are kept as keyed hashes only.
func erase(env *feature.Env, ctx context.Context, u auth.User) error {
	return env.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM stats_activated WHERE user_id = ?", u.ID)
		return err
	})
}
