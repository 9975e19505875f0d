package attendance

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The register's and the absences' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the attendance's part of the database: registers and
// absences, of their class's school.
var Schema = store.Schema{
	Name:       "attendance",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"attendance_registers", "absences"},
	PushChecks: pushChecks,
	Labels: map[string]store.Label{
		"attendance_registers": {Row: "attendance.label.register", Columns: []store.ColumnLabel{{Column: "taken_at", Label: "attendance.label.taken_at"}}},
		"absences": {Row: "attendance.label.absence", Columns: []store.ColumnLabel{
			{Column: "day", Label: "attendance.label.day"}, {Column: "kind", Label: "attendance.label.kind"},
			{Column: "reason", Label: "attendance.label.reason"}, {Column: "comment", Label: "attendance.label.comment"},
		}},
	},
}

const absenceColumns = "id, pupil_id, class_id, day, half_day, kind, recorded_by, announced, reason, comment, justified_by, justified_at, created_at"

func scanAbsence(row store.Scanner) (Absence, error) {
	var a Absence
	var justified, created string
	err := row.Scan(&a.ID, &a.PupilID, &a.ClassID, &a.Day, &a.HalfDay, &a.Kind, &a.RecordedBy, &a.Announced, &a.Reason, &a.Comment,
		&a.JustifiedBy, &justified, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.New(apperr.ErrNotFound, "attendance.err.not_found")
	}
	a.JustifiedAt, _ = time.Parse(time.RFC3339, justified)
	a.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return a, err
}

func (s *Service) get(ctx context.Context, id string) (Absence, error) {
	return scanAbsence(s.db.Reader().QueryRowContext(ctx, "SELECT "+absenceColumns+" FROM absences WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) query(ctx context.Context, where string, args ...any) ([]Absence, error) {
	return store.Query(ctx, s.db.Reader(), scanAbsence, "SELECT "+absenceColumns+" FROM absences WHERE deleted = 0 AND "+where, args...)
}

// registerID and absenceID derive from what they are of, so that the
// school's and central's are one row.
func registerID(classID, d, half string) string { return store.NaturalID("register", classID, d, half) }
func absenceID(pupilID, d, half string) string  { return store.NaturalID("absence", pupilID, d, half) }

// taken says whether a class's register was taken for a half-day, by whom
// and when.
func (s *Service) taken(ctx context.Context, classID, d, half string) (bool, string, time.Time, error) {
	var by, at string
	err := s.db.Reader().QueryRowContext(ctx, "SELECT taken_by, taken_at FROM attendance_registers WHERE deleted = 0 AND id = ?",
		registerID(classID, d, half)).Scan(&by, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", time.Time{}, nil
	}
	t, _ := time.Parse(time.RFC3339, at)
	return err == nil, by, t, err
}

func (s *Service) writeRegister(ctx context.Context, tx *store.Tx, c auth.Class, roll Roll, by string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO attendance_registers(id, scope, hlc, origin, class_id, day, half_day, taken_by, taken_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET deleted = 0, taken_by = excluded.taken_by, taken_at = excluded.taken_at, hlc = excluded.hlc, origin = excluded.origin`,
		registerID(c.ID, roll.Day, roll.HalfDay), c.SchoolID, tx.HLC, tx.Origin, c.ID, roll.Day, roll.HalfDay, by, s.now().UTC().Format(time.RFC3339))
	return err
}

// writeAbsence writes an absence whole, new or changed.
func (s *Service) writeAbsence(ctx context.Context, tx *store.Tx, scope string, a Absence) error {
	now := s.now().UTC().Format(time.RFC3339)
	justified := ""
	if a.Reason != "" {
		justified = now
		if !a.JustifiedAt.IsZero() {
			justified = a.JustifiedAt.UTC().Format(time.RFC3339)
		}
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO absences(id, scope, hlc, origin, pupil_id, class_id, day, half_day, kind, recorded_by, announced,
		reason, comment, justified_by, justified_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET deleted = 0, class_id = excluded.class_id, kind = excluded.kind, recorded_by = excluded.recorded_by,
			announced = excluded.announced, reason = excluded.reason, comment = excluded.comment, justified_by = excluded.justified_by,
			justified_at = excluded.justified_at, hlc = excluded.hlc, origin = excluded.origin`,
		absenceID(a.PupilID, a.Day, a.HalfDay), scope, tx.HLC, tx.Origin, a.PupilID, a.ClassID, a.Day, a.HalfDay, a.Kind, a.RecordedBy, a.Announced,
		a.Reason, a.Comment, a.JustifiedBy, justified, a.CreatedAt.UTC().Format(time.RFC3339))
	return err
}

func (s *Service) removeAbsence(ctx context.Context, tx *store.Tx, id string) error {
	_, err := tx.ExecContext(ctx, "UPDATE absences SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id)
	return err
}
