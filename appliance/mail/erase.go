package mail

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// erase is the mail's part of a person's erasure. Mail is correspondence,
// not a record the school must keep: the person's mailbox goes (their
// copies, their folders, what IMAP numbered of them), and so do the
// messages they wrote, with every copy this node holds of them, since a
// message carries its writer's name in its From header. Messages others
// wrote to them stay in their writers' mailboxes: they are the writers'.
// Rows are tombstoned, so the erasure reaches central and, through it,
// the recipients' schools.
func erase(env *feature.Env, ctx context.Context, u auth.User) error {
	return env.DB.Write(ctx, func(tx *store.Tx) error {
		for _, st := range []struct {
			q    string
			args []any
		}{
			{"UPDATE mail_copies SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND (owner_id = ?" +
				" OR message_id IN (SELECT id FROM mail_messages WHERE sender_id = ?))", []any{u.ID, u.ID}},
			{"UPDATE mail_folders SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND owner_id = ?", []any{u.ID}},
			{"UPDATE mail_messages SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND sender_id = ?", []any{u.ID}},
		} {
			if _, err := tx.ExecContext(ctx, st.q, append([]any{tx.HLC, tx.Origin}, st.args...)...); err != nil {
				return err
			}
		}
		for _, q := range []string{"DELETE FROM mail_uids WHERE owner_id = ?", "DELETE FROM mail_mailboxes WHERE owner_id = ?"} {
			if _, err := tx.ExecContext(ctx, q, u.ID); err != nil {
				return err
			}
		}
		return nil
	})
}
