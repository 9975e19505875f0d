package auth

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// ErasedLogin is the login an erased account keeps: made of its id, so
// that it names nobody and stays unique city-wide.
func ErasedLogin(id string) string { return "efface-" + store.NaturalID("erased", id)[:12] }

// EraseAccount is the last step of a person's erasure (RGPD art. 17): the
// account is tombstoned, so it replicates to central as deleted, after
// every column that named or let in the person is emptied (a tombstone
// keeps its columns, and central keeps tombstones): names, login, e-mail,
// password, login pictures and card, language. Its sessions end here; on
// other nodes a deleted account's session no longer loads. Content rows
// that point at the id stay, showing no name: auth.User finds no account.
func (s *Service) EraseAccount(ctx context.Context, userID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET deleted = 1, disabled = 1, login = ?, first_name = '', last_name = '',
			display_name = '', email = '', password_hash = '', picture_hash = '', qr_hash = '', must_change = 0,
			login_renamed = 0, language = '', hlc = ?, origin = ? WHERE deleted = 0 AND id = ?`,
			ErasedLogin(userID), tx.HLC, tx.Origin, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
		return err
	})
}

// PurgeSessionsBefore deletes the sessions opened before a time, whatever
// their expiry: the connection logs' retention (each session keeps the
// address it was opened from and when it was last used).
func (s *Service) PurgeSessionsBefore(ctx context.Context, before int64) (int64, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE created_at < ?", before)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
