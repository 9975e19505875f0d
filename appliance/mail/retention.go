package mail

import (
	"context"
	"time"

	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// retain is the mail's retention rule (privacy.retention.mail_days):
// messages dated, and copies received, longer ago than that go,
// tombstoned so that the purge replicates. Each node purges the rows of
// its own scope (a school its people's, central the city's accounts'),
// so that one purge is never done twice over the link.
func retain(env *feature.Env, ctx context.Context, now time.Time) error {
	cutoff := now.Add(-env.Config.Retention.Mail).UTC().Format(time.RFC3339)
	scope := env.Config.SchoolID
	if env.Config.Role == config.RoleCentral {
		scope = cityScope
	}
	return env.DB.Write(ctx, func(tx *store.Tx) error {
		for _, q := range []string{
			"UPDATE mail_copies SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND scope = ? AND received_at < ?",
			"UPDATE mail_messages SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND scope = ? AND date < ?",
		} {
			if _, err := tx.ExecContext(ctx, q, tx.HLC, tx.Origin, scope, cutoff); err != nil {
				return err
			}
		}
		return nil
	})
}
