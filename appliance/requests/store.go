package requests

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// The requests' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the requests' part of the database: a request and its events
// have their school's scope; the catalogues are global, the DSI's. Files
// follow their event as blobs.
var Schema = store.Schema{
	Name:       "requests",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"requests", "request_events", "request_items"},
	Blobs:      map[string]string{"request_events": "file"},
	PushChecks: map[string]store.PushCheck{"requests": checkRequestRow, "request_events": checkEventRow, "request_items": checkItemRow},
	Labels: map[string]store.Label{
		"requests": {Row: "requests.label.request", Columns: []store.ColumnLabel{
			{Column: "title", Label: "requests.label.title"}, {Column: "kind", Label: "requests.label.kind"},
		}},
		"request_events": {Row: "requests.label.event", Columns: []store.ColumnLabel{
			{Column: "status", Label: "requests.label.status"}, {Column: "body", Label: "requests.label.comment"},
		}},
		"request_items": {Row: "requests.label.item", Columns: []store.ColumnLabel{
			{Column: "name", Label: "requests.label.name"}, {Column: "unit", Label: "requests.label.unit"},
		}},
	},
}

const stamp = time.RFC3339Nano

// requestColumns read a request with its latest status, agent and event's
// time, from its events.
const requestColumns = `r.id, r.school_id, r.kind, r.title, r.fields, r.author_id, r.created_at,
	coalesce((SELECT e.status FROM request_events e WHERE e.request_id = r.id AND e.deleted = 0 AND e.status != ''
		ORDER BY e.created_at DESC, e.hlc DESC LIMIT 1), ''),
	coalesce((SELECT e.assignee FROM request_events e WHERE e.request_id = r.id AND e.deleted = 0 AND e.assignee != ''
		ORDER BY e.created_at DESC, e.hlc DESC LIMIT 1), ''),
	coalesce((SELECT max(e.created_at) FROM request_events e WHERE e.request_id = r.id AND e.deleted = 0), '')`

func scanRequest(row store.Scanner) (Request, error) {
	var r Request
	var fields, created, updated string
	err := row.Scan(&r.ID, &r.SchoolID, &r.Kind, &r.Title, &fields, &r.AuthorID, &created, &r.Status, &r.Assignee, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.ErrNotFound, "requests.err.not_found")
	}
	if err != nil {
		return r, err
	}
	json.Unmarshal([]byte(fields), &r.Fields) // a row sync brought is the school's: what it holds shows as it can
	r.Created, _ = time.Parse(stamp, created)
	r.Updated = r.Created
	if u, err := time.Parse(stamp, updated); err == nil && u.After(r.Updated) {
		r.Updated = u
	}
	if r.Status == "" {
		r.Status = Received
	}
	return r, nil
}

func (s *Service) get(ctx context.Context, id string) (Request, error) {
	return scanRequest(s.db.Reader().QueryRowContext(ctx, "SELECT "+requestColumns+" FROM requests r WHERE r.deleted = 0 AND r.id = ?", id))
}

func (s *Service) query(ctx context.Context, where string, args ...any) ([]Request, error) {
	return store.Query(ctx, s.db.Reader(), scanRequest, "SELECT "+requestColumns+" FROM requests r WHERE r.deleted = 0 AND "+where+
		" ORDER BY r.created_at DESC", args...)
}

// insert writes a request and its first events (its photos) in one
// transaction.
func (s *Service) insert(ctx context.Context, r Request, fields string, events []Event) (string, error) {
	id := store.NewID()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO requests(id, scope, hlc, origin, school_id, kind, title, fields, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, r.SchoolID, tx.HLC, tx.Origin, r.SchoolID, r.Kind, r.Title, fields, r.AuthorID,
			r.Created.Format(stamp)); err != nil {
			return err
		}
		for _, e := range events {
			e.RequestID = id
			if err := s.insertEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// insertEvent writes an event, with its own id and time when it has them.
func (s *Service) insertEvent(ctx context.Context, tx *store.Tx, e Event) error {
	if e.Created.IsZero() {
		e.Created = s.now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO request_events(id, scope, hlc, origin, request_id, school_id, author_id, author_name,
		status, assignee, body, file, file_name, file_type, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		cmp.Or(e.ID, store.NewID()), e.SchoolID, tx.HLC, tx.Origin, e.RequestID, e.SchoolID, e.AuthorID, e.AuthorName, e.Status, e.Assignee, e.Body,
		e.File, e.FileName, e.FileType, e.Created.UTC().Format(stamp))
	return err
}

func (s *Service) append(ctx context.Context, e Event) error {
	return s.db.Write(ctx, func(tx *store.Tx) error { return s.insertEvent(ctx, tx, e) })
}

const eventColumns = "id, request_id, school_id, author_id, author_name, status, assignee, body, file, file_name, file_type, created_at"

func scanEvent(row store.Scanner) (Event, error) {
	var e Event
	var created string
	err := row.Scan(&e.ID, &e.RequestID, &e.SchoolID, &e.AuthorID, &e.AuthorName, &e.Status, &e.Assignee, &e.Body, &e.File, &e.FileName,
		&e.FileType, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.New(apperr.ErrNotFound, "requests.err.not_found")
	}
	e.Created, _ = time.Parse(stamp, created)
	return e, err
}

func (s *Service) events(ctx context.Context, requestID string) ([]Event, error) {
	return store.Query(ctx, s.db.Reader(), scanEvent, "SELECT "+eventColumns+
		" FROM request_events WHERE deleted = 0 AND request_id = ? ORDER BY created_at, hlc", requestID)
}

func (s *Service) event(ctx context.Context, id string) (Event, error) {
	return scanEvent(s.db.Reader().QueryRowContext(ctx, "SELECT "+eventColumns+" FROM request_events WHERE deleted = 0 AND id = ?", id))
}

func scanItem(row store.Scanner) (Item, error) {
	var it Item
	err := row.Scan(&it.ID, &it.Catalogue, &it.Name, &it.Unit)
	if errors.Is(err, sql.ErrNoRows) {
		return it, apperr.New(apperr.ErrNotFound, "requests.err.no_item")
	}
	return it, err
}

func (s *Service) items(ctx context.Context, catalogue string) ([]Item, error) {
	return store.Query(ctx, s.db.Reader(), scanItem,
		"SELECT id, catalogue, name, unit FROM request_items WHERE deleted = 0 AND catalogue = ? ORDER BY name COLLATE NOCASE", catalogue)
}

func (s *Service) item(ctx context.Context, id string) (Item, error) {
	return scanItem(s.db.Reader().QueryRowContext(ctx, "SELECT id, catalogue, name, unit FROM request_items WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) insertItem(ctx context.Context, it Item) (string, error) {
	id := store.NewID()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO request_items(id, scope, hlc, origin, catalogue, name, unit, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, store.GlobalScope, tx.HLC, tx.Origin, it.Catalogue, it.Name, it.Unit, s.now().UTC().Format(stamp))
		return err
	})
	return id, err
}

func (s *Service) removeItem(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE request_items SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id)
		return err
	})
}

// pushedRequestSchool is the school of a request central holds, with the
// batch applied: what a pushed event points to.
func pushedRequestSchool(ctx context.Context, tx *store.Tx, id string) string {
	var school string
	tx.QueryRowContext(ctx, "SELECT school_id FROM requests WHERE id = ? AND deleted = 0", id).Scan(&school)
	return school
}
