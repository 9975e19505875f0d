package update

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// The updates' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema: releases are global, the DSI's, their bundles cached at the
// schools they are meant for (sync's library cache, which a school's
// update check asks to fetch); reports have their school's scope.
var Schema = store.Schema{
	Name:       "update",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"update_releases", "update_reports"},
	Blobs:      map[string]string{"update_releases": "bundle"},
	Cached:     map[string]store.CacheRule{"update_releases": {Size: "size", Targets: "schools"}},
	PushChecks: map[string]store.PushCheck{"update_releases": checkReleaseRow, "update_reports": checkReportRow},
	Labels: map[string]store.Label{
		"update_releases": {Row: "update.label.release", Columns: []store.ColumnLabel{{Column: "version", Label: "update.label.version"}}},
		"update_reports":  {Row: "update.label.report", Columns: []store.ColumnLabel{{Column: "running", Label: "update.label.running"}}},
	},
}

const stamp = time.RFC3339Nano

const releaseColumns = "id, version, bundle, size, schools, wave, author_name, created_at"

func scanRelease(row store.Scanner) (Published, error) {
	var r Published
	var created string
	err := row.Scan(&r.ID, &r.Version, &r.Bundle, &r.Size, &r.Schools, &r.Wave, &r.Author, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.ErrNotFound, "update.err.not_found")
	}
	r.Created, _ = time.Parse(stamp, created)
	return r, err
}

func (s *Service) releases(ctx context.Context) ([]Published, error) {
	return store.Query(ctx, s.db.Reader(), scanRelease, "SELECT "+releaseColumns+" FROM update_releases WHERE deleted = 0 ORDER BY created_at DESC, hlc DESC")
}

func (s *Service) release(ctx context.Context, id string) (Published, error) {
	return scanRelease(s.db.Reader().QueryRowContext(ctx, "SELECT "+releaseColumns+" FROM update_releases WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) insertRelease(ctx context.Context, r Published) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO update_releases(id, scope, hlc, origin, version, bundle, size, schools, wave, author_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, store.GlobalScope, tx.HLC, tx.Origin, r.Version, r.Bundle, r.Size, r.Schools, r.Wave,
			r.Author, r.Created.UTC().Format(stamp))
		return err
	})
}

// extend makes a release meant for every school.
func (s *Service) extend(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE update_releases SET schools = '', hlc = ?, origin = ? WHERE deleted = 0 AND id = ? AND schools != ''",
			tx.HLC, tx.Origin, id)
		return err
	})
}

const reportColumns = "school_id, running, release_id, release_version, applied_version, state, reason, reason_args, updated_at"

func scanReport(row store.Scanner) (Report, error) {
	var r Report
	var args, updated string
	err := row.Scan(&r.SchoolID, &r.Running, &r.ReleaseID, &r.ReleaseVersion, &r.AppliedVersion, &r.State, &r.Reason, &args, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.ErrNotFound, "update.err.not_found")
	}
	json.Unmarshal([]byte(args), &r.ReasonArgs) // a school's row: what it holds shows as it can
	r.Updated, _ = time.Parse(stamp, updated)
	return r, err
}

func (s *Service) reports(ctx context.Context) ([]Report, error) {
	return store.Query(ctx, s.db.Reader(), scanReport, "SELECT "+reportColumns+" FROM update_reports WHERE deleted = 0 ORDER BY school_id")
}

func (s *Service) report(ctx context.Context, school string) (Report, error) {
	return scanReport(s.db.Reader().QueryRowContext(ctx, "SELECT "+reportColumns+" FROM update_reports WHERE deleted = 0 AND id = ?", school))
}

// writeReport writes a school's report, its one row.
func (s *Service) writeReport(ctx context.Context, r Report) error {
	args, _ := json.Marshal(r.ReasonArgs)
	if r.ReasonArgs == nil {
		args = []byte("{}")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO update_reports(id, scope, hlc, origin, school_id, running, release_id, release_version,
			applied_version, state, reason, reason_args, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin, deleted = 0, running = excluded.running,
			release_id = excluded.release_id, release_version = excluded.release_version,
			applied_version = excluded.applied_version, state = excluded.state, reason = excluded.reason,
			reason_args = excluded.reason_args, updated_at = excluded.updated_at`,
			r.SchoolID, r.SchoolID, tx.HLC, tx.Origin, r.SchoolID, r.Running, r.ReleaseID, r.ReleaseVersion, r.AppliedVersion, r.State, r.Reason, string(args),
			s.now().UTC().Format(stamp))
		return err
	})
}
