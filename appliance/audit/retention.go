package audit

import (
	"context"
	"time"

	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// retain is the audit log's retention rule (privacy.retention.audit_days,
// never under config.MinAuditRetention): entries older than that are
// tombstoned with what named anyone emptied (the actor's name, the target,
// the address). It is the one change the log allows itself, and the one
// central accepts of a school (checkEntryRow). Each node purges its own
// scope: a school its entries, central the city's.
func retain(env *feature.Env, ctx context.Context, now time.Time) error {
	keep := max(env.Config.Retention.Audit, config.MinAuditRetention)
	cutoff := now.Add(-keep).UTC().Format(stamp)
	scope := env.Config.SchoolID
	if env.Config.Role == config.RoleCentral {
		scope = cityScope
	}
	return env.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE audit_entries SET deleted = 1, actor_name = '', target = '', address = '', hlc = ?, origin = ?
			WHERE deleted = 0 AND scope = ? AND at < ?`, tx.HLC, tx.Origin, scope, cutoff)
		return err
	})
}
