package notifications

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// erase is the notifications' part of a person's erasure: their notices,
// and the others' that name them (see notify.Hub.Forget), their parents'
// included: the erasure walks the features last first, so the register's
// links are still there.
func erase(env *feature.Env, ctx context.Context, u auth.User) error {
	family, err := env.Register.Parents(ctx, u.ID)
	if err != nil {
		return err
	}
	ids := make([]string, len(family))
	for i, p := range family {
		ids[i] = p.ID
	}
	return env.Notify.Forget(ctx, u.ID, u.DisplayName, u.FirstName, ids)
}
