package requests

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// erase is the requests' part of a person's erasure. Requests to the city
// are the school's and the city's record of what was asked and done, kept
// by duty: they stay. Their comments copy their writer's name (the DSI's
// accounts never reach schools), so that copy is emptied; the comment
// then shows nobody, like every row whose author was erased.
func erase(env *feature.Env, ctx context.Context, u auth.User) error {
	return env.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE request_events SET author_name = '', hlc = ?, origin = ?
			WHERE deleted = 0 AND author_id = ? AND author_name != ''`, tx.HLC, tx.Origin, u.ID)
		return err
	})
}
