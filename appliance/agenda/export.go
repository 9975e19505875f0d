package agenda

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the agenda's part of a person's export: their
// personal events and the events they wrote in a class's or the school's
// calendar. Their calendar feed's token is a secret and stays.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	_, err := env.ExportRows(ctx, x, "events", `SELECT id, calendar, class_id, title, description, place, all_day, starts, ends,
		rrule, exdates, created_at FROM events WHERE deleted = 0 AND (owner_id = ?1 OR author_id = ?1) ORDER BY starts`, u.ID)
	return err
}
