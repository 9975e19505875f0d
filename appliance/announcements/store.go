package announcements

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// The announcements' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the announcements' part of the database: global rows, which
// only central writes.
var Schema = store.Schema{
	Name:       "announcements",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"announcements"},
	PushChecks: map[string]store.PushCheck{"announcements": checkRow},
	Labels: map[string]store.Label{
		"announcements": {Row: "announcements.label.row", Columns: []store.ColumnLabel{
			{Column: "title", Label: "announcements.label.title"}, {Column: "body", Label: "announcements.label.body"},
		}},
	},
}

const columns = "id, kind, title, body, schools, starts_at, ends_at, author_id, created_at"

func scan(row store.Scanner) (Announcement, error) {
	var a Announcement
	var schools, starts, ends, created string
	err := row.Scan(&a.ID, &a.Kind, &a.Title, &a.Body, &schools, &starts, &ends, &a.AuthorID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.New(apperr.ErrNotFound, "announcements.err.not_found")
	}
	a.Schools = feature.ParseTargets(schools)
	a.Starts, _ = time.Parse(time.RFC3339, starts)
	a.Ends, _ = time.Parse(time.RFC3339, ends)
	a.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return a, err
}

func (s *Service) get(ctx context.Context, id string) (Announcement, error) {
	return scan(s.db.Reader().QueryRowContext(ctx, "SELECT "+columns+" FROM announcements WHERE deleted = 0 AND id = ?", id))
}

// notEnded lists the announcements that end after t, soonest first.
func (s *Service) notEnded(ctx context.Context, t time.Time) ([]Announcement, error) {
	return store.Query(ctx, s.db.Reader(), scan, "SELECT "+columns+` FROM announcements
		WHERE deleted = 0 AND ends_at > ? ORDER BY starts_at, id`, utc(t))
}

// all lists every announcement, latest first, for the DSI.
func (s *Service) all(ctx context.Context) ([]Announcement, error) {
	return store.Query(ctx, s.db.Reader(), scan, "SELECT "+columns+" FROM announcements WHERE deleted = 0 ORDER BY starts_at DESC, id LIMIT 200")
}

func (s *Service) insert(ctx context.Context, a Announcement) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO announcements(id, scope, hlc, origin, kind, title, body, schools, starts_at, ends_at, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, store.GlobalScope, tx.HLC, tx.Origin, a.Kind, a.Title, a.Body, a.Schools.String(),
			utc(a.Starts), utc(a.Ends), a.AuthorID, a.CreatedAt.UTC().Format(time.RFC3339Nano))
		return err
	})
}

// end moves an announcement's end to t.
func (s *Service) end(ctx context.Context, id string, t time.Time) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE announcements SET ends_at = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", utc(t), tx.HLC, tx.Origin, id)
		return err
	})
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }
