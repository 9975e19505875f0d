package homework

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// erase is the cahier de textes' part of a person's erasure: a pupil's
// ticks (what they marked done) are theirs and go. The homework a teacher
// set stays: the cahier de textes is the class's record, kept by duty; its
// author is shown as nobody once the account is erased.
func erase(env *feature.Env, ctx context.Context, u auth.User) error {
	return env.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := store.Tombstone(ctx, tx, "homework_ticks", "pupil_id", u.ID)
		return err
	})
}
