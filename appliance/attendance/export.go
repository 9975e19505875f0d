package attendance

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is attendance's part of a person's export: a pupil's
// absences and lateness, and those a parent announced or justified. A
// teacher or a director gets the registers they took, not the absences
// in them: those are about other children, each in their own family's
// export.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	mine := "pupil_id = ?1"
	if u.Profile == auth.Parent {
		mine = "recorded_by = ?1 OR justified_by = ?1"
	}
	if _, err := env.ExportRows(ctx, x, "absences", `SELECT id, pupil_id, class_id, day, half_day, kind, announced, reason, comment,
		recorded_by, justified_by, justified_at, created_at
		FROM absences WHERE deleted = 0 AND (`+mine+`) ORDER BY day, half_day`, u.ID); err != nil {
		return err
	}
	_, err := env.ExportRows(ctx, x, "registers", `SELECT class_id, day, half_day, taken_at
		FROM attendance_registers WHERE deleted = 0 AND taken_by = ? ORDER BY day, half_day`, u.ID)
	return err
}
