package roster

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// erase is the register's part of a person's erasure: the links that
// place them in a class or a family go (tombstoned, so central drops them
// too). The class registers keep their place through attendance's rows;
// the school keeps no list of who was in which class beyond the year.
func erase(env *feature.Env, ctx context.Context, u auth.User) error {
	return env.DB.Write(ctx, func(tx *store.Tx) error {
		for _, link := range []struct{ table, column string }{
			{"memberships", "user_id"}, {"guardians", "parent_id"}, {"guardians", "child_id"},
			{"guardian_requests", "parent_id"}, {"guardian_requests", "child_id"},
		} {
			if _, err := store.Tombstone(ctx, tx, link.table, link.column, u.ID); err != nil {
				return err
			}
		}
		return nil
	})
}
