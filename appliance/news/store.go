package news

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

// The news' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the news' part of the database: a school's news of its scope,
// the city's global; pictures follow their row as blobs.
var Schema = store.Schema{
	Name:       "news",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"news"},
	Blobs:      map[string]string{"news": "image"},
	PushChecks: map[string]store.PushCheck{"news": checkNewsRow},
	Labels: map[string]store.Label{
		"news": {Row: "news.label.item", Columns: []store.ColumnLabel{
			{Column: "title", Label: "news.label.title"}, {Column: "body", Label: "news.label.body"},
		}},
	},
}

const itemColumns = "id, school_id, audience, class_id, author_id, title, body, image, image_type, created_at"

func scanItem(row store.Scanner) (Item, error) {
	var it Item
	var created string
	err := row.Scan(&it.ID, &it.SchoolID, &it.Audience, &it.ClassID, &it.AuthorID, &it.Title, &it.Body, &it.Image, &it.ImageType, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return it, apperr.New(apperr.ErrNotFound, "news.err.not_found")
	}
	it.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return it, err
}

func (s *Service) get(ctx context.Context, id string) (Item, error) {
	return scanItem(s.db.Reader().QueryRowContext(ctx, "SELECT "+itemColumns+" FROM news WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) query(ctx context.Context, where string, args ...any) ([]Item, error) {
	return store.Query(ctx, s.db.Reader(), scanItem, "SELECT "+itemColumns+" FROM news WHERE deleted = 0 AND "+where, args...)
}

// scope is where a piece of news replicates: its school, or every node.
func scope(it Item) string {
	if it.City() {
		return store.GlobalScope
	}
	return it.SchoolID
}

func (s *Service) insert(ctx context.Context, it Item) (string, error) {
	id := store.NewID()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO news(id, scope, hlc, origin, school_id, audience, class_id, author_id, title, body, image, image_type, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, scope(it), tx.HLC, tx.Origin, it.SchoolID, it.Audience, it.ClassID, it.AuthorID,
			it.Title, it.Body, it.Image, it.ImageType, s.now().UTC().Format(time.RFC3339Nano))
		return err
	})
	return id, err
}

func (s *Service) update(ctx context.Context, it Item) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE news SET audience = ?, class_id = ?, title = ?, body = ?, image = ?, image_type = ?, hlc = ?, origin = ?
			WHERE deleted = 0 AND id = ?`, it.Audience, it.ClassID, it.Title, it.Body, it.Image, it.ImageType, tx.HLC, tx.Origin, it.ID)
		return err
	})
}

func (s *Service) remove(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE news SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id)
		return err
	})
}

// searchEntries reads what the search keeps of news by id: its audience,
// within its school or the city.
func searchEntries(ctx context.Context, db *store.DB, ids []string) ([]feature.SearchEntry, error) {
	list, args := store.In(ids)
	return store.Query(ctx, db.Reader(), func(r store.Scanner) (feature.SearchEntry, error) {
		var e feature.SearchEntry
		var schoolID, audience, classID string
		err := r.Scan(&e.ID, &schoolID, &audience, &classID, &e.Title, &e.Body)
		if schoolID == "" {
			schoolID = feature.Global
		}
		e.URL = Path + "/" + e.ID
		switch audience {
		case Class:
			e.Audiences = []string{feature.ClassAudience(classID)}
		case Parents:
			e.Audiences = []string{feature.SchoolParentsAudience(schoolID)}
		case Staff:
			e.Audiences = []string{feature.SchoolStaffAudience(schoolID)}
		default:
			e.Audiences = []string{feature.SchoolAudience(schoolID)}
		}
		return e, err
	}, "SELECT id, school_id, audience, class_id, title, body FROM news WHERE deleted = 0 AND id IN ("+list+")", args...)
}
