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
// update check asks to fetch); reports have their school's scope. The
// signatures of the city's library are global too, their small bundles
// held by every school for good; a school's report on them has its scope.
var Schema = store.Schema{
	Name:       "update",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"update_releases", "update_reports", "update_library", "update_library_reports"},
	Blobs:      map[string]string{"update_releases": "bundle", "update_library": "bundle"},
	Cached:     map[string]store.CacheRule{"update_releases": {Size: "size", Targets: "schools", Name: "version"}},
	PushChecks: map[string]store.PushCheck{"update_releases": checkReleaseRow, "update_reports": checkReportRow,
		"update_library": checkLibraryRow, "update_library_reports": checkLibraryReportRow},
	Labels: map[string]store.Label{
		"update_releases": {Row: "update.label.release", Columns: []store.ColumnLabel{{Column: "version", Label: "update.label.version"}}},
		"update_reports":  {Row: "update.label.report", Columns: []store.ColumnLabel{{Column: "running", Label: "update.label.running"}}},
		"update_library":  {Row: "update.label.library", Columns: []store.ColumnLabel{{Column: "files", Label: "update.label.files"}}},
		"update_library_reports": {Row: "update.label.library_report", Columns: []store.ColumnLabel{
			{Column: "state", Label: "update.label.library_state"}, {Column: "refused", Label: "update.label.refused"}}},
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

// The signed library's SQL.

const libraryColumns = "id, version, bundle, size, files, expires_at, author_name, created_at"

func scanLibrary(row store.Scanner) (LibrarySignature, error) {
	var l LibrarySignature
	var expires, created string
	err := row.Scan(&l.ID, &l.Version, &l.Bundle, &l.Size, &l.Files, &expires, &l.Author, &created)
	l.Expires, _ = time.Parse(stamp, expires)
	l.Created, _ = time.Parse(stamp, created)
	return l, err
}

// librarySignatures are the signatures published, newest version first.
func (s *Service) librarySignatures(ctx context.Context) ([]LibrarySignature, error) {
	return store.Query(ctx, s.db.Reader(), scanLibrary, "SELECT "+libraryColumns+" FROM update_library WHERE deleted = 0 ORDER BY version DESC, hlc DESC")
}

func (s *Service) insertLibrary(ctx context.Context, l LibrarySignature) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO update_library(id, scope, hlc, origin, version, bundle, size, files, expires_at, author_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.ID, store.GlobalScope, tx.HLC, tx.Origin, l.Version, l.Bundle, l.Size, l.Files,
			l.Expires.UTC().Format(stamp), l.Author, l.Created.UTC().Format(stamp))
		return err
	})
}

const libraryReportColumns = "school_id, version, state, files, refused, reason, reason_args, updated_at"

func scanLibraryReport(row store.Scanner) (LibraryReport, error) {
	var r LibraryReport
	var files, args, updated string
	err := row.Scan(&r.SchoolID, &r.Version, &r.State, &files, &r.Refused, &r.Reason, &args, &updated)
	// A school's row: what it holds shows as it can.
	json.Unmarshal([]byte(files), &r.Files)
	json.Unmarshal([]byte(args), &r.ReasonArgs)
	if r.Files == nil {
		r.Files = []string{}
	}
	r.Updated, _ = time.Parse(stamp, updated)
	return r, err
}

func (s *Service) libraryReports(ctx context.Context) ([]LibraryReport, error) {
	return store.Query(ctx, s.db.Reader(), scanLibraryReport, "SELECT "+libraryReportColumns+" FROM update_library_reports WHERE deleted = 0 ORDER BY school_id")
}

// libraryReport is this school's report, found or not.
func (s *Service) libraryReport(ctx context.Context) (LibraryReport, bool, error) {
	r, err := scanLibraryReport(s.db.Reader().QueryRowContext(ctx, "SELECT "+libraryReportColumns+" FROM update_library_reports WHERE deleted = 0 AND id = ?", s.cfg.SchoolID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

func (s *Service) writeLibraryReport(ctx context.Context, r LibraryReport) error {
	args, _ := json.Marshal(r.ReasonArgs)
	if r.ReasonArgs == nil {
		args = []byte("{}")
	}
	files, _ := json.Marshal(r.Files)
	if r.Files == nil {
		files = []byte("[]")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO update_library_reports(id, scope, hlc, origin, school_id, version, state, files, refused, reason, reason_args, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin, deleted = 0, version = excluded.version,
			state = excluded.state, files = excluded.files, refused = excluded.refused, reason = excluded.reason, reason_args = excluded.reason_args,
			updated_at = excluded.updated_at`,
			s.cfg.SchoolID, s.cfg.SchoolID, tx.HLC, tx.Origin, s.cfg.SchoolID, r.Version, r.State, string(files), r.Refused, r.Reason, string(args),
			s.now().UTC().Format(stamp))
		return err
	})
}

// trustedLibrary is the highest signature version this school trusted, 0
// for none.
func (s *Service) trustedLibrary(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.Reader().QueryRowContext(ctx, "SELECT version FROM update_library_trust WHERE id = 1").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

func (s *Service) trustLibrary(ctx context.Context, version int64) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO update_library_trust(id, version) VALUES (1, ?)
			ON CONFLICT(id) DO UPDATE SET version = max(version, excluded.version)`, version)
		return err
	})
}
