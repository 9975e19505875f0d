package homework

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"net/url"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// The cahier de textes' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the cahier de textes' part of the database: entries and
// pupils' ticks, both of their class's school.
var Schema = store.Schema{
	Name:       "homework",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"homework", "homework_ticks", "homework_files"},
	Blobs:      map[string]string{"homework_files": "blob"},
	PushChecks: pushChecks,
	Labels: map[string]store.Label{
		"homework": {Row: "homework.label.entry", Columns: []store.ColumnLabel{
			{Column: "title", Label: "homework.label.title"}, {Column: "due", Label: "homework.label.due"},
			{Column: "body", Label: "homework.label.body"}, {Column: "done", Label: "homework.label.done"},
		}},
		"homework_ticks": {Row: "homework.label.tick", Columns: []store.ColumnLabel{{Column: "done", Label: "homework.label.ticked", Flag: true}}},
		"homework_files": {Row: "homework.label.file", Columns: []store.ColumnLabel{{Column: "name", Label: "homework.label.file_name"}}},
	},
}

const entryColumns = "id, class_id, author_id, day, done, due, title, body, created_at"

func scanEntry(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var created string
	err := row.Scan(&e.ID, &e.ClassID, &e.AuthorID, &e.Day, &e.Done, &e.Due, &e.Title, &e.Body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.New(apperr.ErrNotFound, "homework.err.not_found")
	}
	e.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return e, err
}

func (s *Service) get(ctx context.Context, id string) (Entry, error) {
	return scanEntry(s.db.Reader().QueryRowContext(ctx, "SELECT "+entryColumns+" FROM homework WHERE deleted = 0 AND id = ?", id))
}

// entries lists the classes' entries due on or after from, by due day.
func (s *Service) entries(ctx context.Context, classIDs []string, from string) ([]Entry, error) {
	return s.entriesBetween(ctx, classIDs, from, "9999-12-31")
}

// entriesBetween lists the classes' entries due in [from, to), by due day.
func (s *Service) entriesBetween(ctx context.Context, classIDs []string, from, to string) ([]Entry, error) {
	if len(classIDs) == 0 {
		return nil, nil
	}
	args := []any{from, to}
	for _, id := range classIDs {
		args = append(args, id)
	}
	rows, err := s.db.Reader().QueryContext(ctx, "SELECT "+entryColumns+` FROM homework
		WHERE deleted = 0 AND due >= ? AND due < ? AND class_id IN (?`+strings.Repeat(", ?", len(classIDs)-1)+`)
		ORDER BY due, created_at`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// tickCounts is how many pupils ticked each of the entries.
func (s *Service) tickCounts(ctx context.Context, ids []string) (map[string]int, error) {
	out := map[string]int{}
	for _, id := range ids {
		var n int
		if err := s.db.Reader().QueryRowContext(ctx,
			"SELECT count(*) FROM homework_ticks WHERE deleted = 0 AND done = 1 AND homework_id = ?", id).Scan(&n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, nil
}

// ticked is which of the entries the pupil ticked: a tick's id is the
// entry's and the pupil's.
func (s *Service) ticked(ctx context.Context, pupilID string, es []Entry) (map[string]bool, error) {
	out := map[string]bool{}
	if len(es) == 0 {
		return out, nil
	}
	args := make([]any, len(es))
	for i, e := range es {
		args[i] = e.ID + ":" + pupilID
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT homework_id FROM homework_ticks WHERE deleted = 0 AND done = 1
		AND id IN (?`+strings.Repeat(", ?", len(es)-1)+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

func (s *Service) insert(ctx context.Context, scope, authorID string, d Draft) (string, error) {
	id := store.NewID()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO homework(id, scope, hlc, origin, class_id, author_id, day, done, due, title, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, scope, tx.HLC, tx.Origin, d.ClassID, authorID, d.Day, d.Done, d.Due,
			d.Title, d.Body, s.now().UTC().Format(time.RFC3339))
		return err
	})
	return id, err
}

func (s *Service) update(ctx context.Context, id string, d Draft) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE homework SET day = ?, done = ?, due = ?, title = ?, body = ?, hlc = ?, origin = ?
			WHERE deleted = 0 AND id = ?`, d.Day, d.Done, d.Due, d.Title, d.Body, tx.HLC, tx.Origin, id)
		return err
	})
}

func (s *Service) remove(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE homework SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id)
		return err
	})
}

// setTick records a pupil's tick; its id is the entry's and the pupil's.
func (s *Service) setTick(ctx context.Context, scope, entryID, pupilID string, done bool) error {
	flag := 0
	if done {
		flag = 1
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO homework_ticks(id, scope, hlc, origin, homework_id, pupil_id, done) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET done = excluded.done, deleted = 0, hlc = excluded.hlc, origin = excluded.origin`,
			entryID+":"+pupilID, scope, tx.HLC, tx.Origin, entryID, pupilID, flag)
		return err
	})
}

// File is a file attached to an entry.
type File struct {
	ID, EntryID, Name, Type string
	Size                    int64
	Blob                    string // its content's SHA-256
}

func (s *Service) insertFile(ctx context.Context, scope string, f File) (string, error) {
	id := store.NewID()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO homework_files(id, scope, hlc, origin, homework_id, name, type, size, blob)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, scope, tx.HLC, tx.Origin, f.EntryID, f.Name, f.Type, f.Size, f.Blob)
		return err
	})
	return id, err
}

func (s *Service) file(ctx context.Context, id string) (File, error) {
	var f File
	err := s.db.Reader().QueryRowContext(ctx, "SELECT id, homework_id, name, type, size, blob FROM homework_files WHERE deleted = 0 AND id = ?", id).
		Scan(&f.ID, &f.EntryID, &f.Name, &f.Type, &f.Size, &f.Blob)
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.New(apperr.ErrNotFound, "homework.err.no_file")
	}
	return f, err
}

// files lists the files of the entries, by entry, in one query.
func (s *Service) files(ctx context.Context, es []Entry) (map[string][]File, error) {
	out := map[string][]File{}
	if len(es) == 0 {
		return out, nil
	}
	args := make([]any, len(es))
	for i, e := range es {
		args[i] = e.ID
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, homework_id, name, type, size, blob FROM homework_files
		WHERE deleted = 0 AND homework_id IN (?`+strings.Repeat(", ?", len(es)-1)+`) ORDER BY name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.ID, &f.EntryID, &f.Name, &f.Type, &f.Size, &f.Blob); err != nil {
			return nil, err
		}
		out[f.EntryID] = append(out[f.EntryID], f)
	}
	return out, rows.Err()
}

// searchEntries reads what the search keeps of entries by id: their class
// reads them.
func searchEntries(ctx context.Context, db *store.DB, ids []string) ([]feature.SearchEntry, error) {
	list, args := store.In(ids)
	return store.Query(ctx, db.Reader(), func(r store.Scanner) (feature.SearchEntry, error) {
		var e feature.SearchEntry
		var classID, done string
		err := r.Scan(&e.ID, &classID, &e.Title, &e.Body, &done)
		e.Body = strings.TrimSpace(e.Body + "\n" + done)
		e.URL = Path + "?classe=" + url.QueryEscape(classID)
		e.Audiences = []string{feature.ClassAudience(classID)}
		return e, err
	}, "SELECT id, class_id, title, body, done FROM homework WHERE deleted = 0 AND id IN ("+list+")", args...)
}
