package agenda

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// erase is the agenda's part of a person's erasure: their personal agenda
// is theirs alone and goes, with the secret address of its feed. Events a
// teacher or director wrote for a class or the school stay, the school's
// calendar, their author shown as nobody once the account is erased.
func erase(env *feature.Env, ctx context.Context, u auth.User) error {
	return env.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := store.Tombstone(ctx, tx, "events", "owner_id", u.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM calendar_tokens WHERE user_id = ?", u.ID)
		return err
	})
}
