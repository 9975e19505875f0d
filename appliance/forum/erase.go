package forum

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// erase is the forums' part of a person's erasure: what they read goes.
// Their threads and posts stay, since the others' answers make no sense
// without them, but anonymised: the author is shown as nobody once the
// account is erased (forums name authors from the account, never copy
// the name). A post's own words are the writer's to have removed before.
func erase(env *feature.Env, ctx context.Context, u auth.User) error {
	return env.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := store.Tombstone(ctx, tx, "forum_reads", "user_id", u.ID)
		return err
	})
}
