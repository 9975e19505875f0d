package sites

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

// The sites' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the sites' part of the database: a school's sites of its
// scope, the city's global; pictures follow their row as blobs.
var Schema = store.Schema{
	Name:       "sites",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"sites"},
	Blobs:      map[string]string{"sites": "picture"},
	PushChecks: map[string]store.PushCheck{"sites": checkSiteRow},
	Labels: map[string]store.Label{
		"sites": {Row: "sites.label.site", Columns: []store.ColumnLabel{
			{Column: "title", Label: "sites.label.title"}, {Column: "url", Label: "sites.label.url"},
			{Column: "comment", Label: "sites.label.comment"},
		}},
	},
}

const columns = "id, school_id, class_id, level, schools, url, title, comment, picture, picture_type, author_id, created_at"

func scan(row store.Scanner) (Site, error) {
	var s Site
	var schools, created string
	err := row.Scan(&s.ID, &s.SchoolID, &s.ClassID, &s.Level, &schools, &s.URL, &s.Title, &s.Comment, &s.Picture, &s.PictureType,
		&s.AuthorID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return s, apperr.New(apperr.ErrNotFound, "sites.err.not_found")
	}
	s.Schools = feature.ParseTargets(schools)
	s.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return s, err
}

func (s *Service) get(ctx context.Context, id string) (Site, error) {
	return scan(s.db.Reader().QueryRowContext(ctx, "SELECT "+columns+" FROM sites WHERE deleted = 0 AND id = ?", id))
}

// query lists the sites matching where, newest first.
func (s *Service) query(ctx context.Context, where string, args ...any) ([]Site, error) {
	return store.Query(ctx, s.db.Reader(), scan, "SELECT "+columns+" FROM sites WHERE deleted = 0 AND ("+where+
		") ORDER BY created_at DESC, id", args...)
}

// ofSchool are a school's sites ("" for the city's).
func (s *Service) ofSchool(ctx context.Context, schoolID string) ([]Site, error) {
	return s.query(ctx, "school_id = ?", schoolID)
}

// forPupils are the sites of a school for the pupils of these classes
// and levels.
func (s *Service) forPupils(ctx context.Context, schoolID string, classes, levels []string) ([]Site, error) {
	cl, classArgs := store.In(classes)
	ll, levelArgs := store.In(levels)
	args := append(append([]any{schoolID}, classArgs...), levelArgs...)
	return s.query(ctx, "school_id = ? AND (class_id IN ("+cl+") OR level IN ("+ll+"))", args...)
}

// sameFor is the site of a class with this address, if one exists: a
// site taken up twice for the same class is the one already there.
func (s *Service) sameFor(ctx context.Context, classID, url string) (Site, bool, error) {
	site, err := scan(s.db.Reader().QueryRowContext(ctx, "SELECT "+columns+" FROM sites WHERE deleted = 0 AND class_id = ? AND url = ? LIMIT 1",
		classID, url))
	if errors.Is(err, apperr.ErrNotFound) {
		return site, false, nil
	}
	return site, err == nil, err
}

// scope is where a site replicates: its school, or every node.
func scope(site Site) string {
	if site.City() {
		return store.GlobalScope
	}
	return site.SchoolID
}

func (s *Service) insert(ctx context.Context, site Site) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sites(id, scope, hlc, origin, school_id, class_id, level, schools, url, title, comment,
			picture, picture_type, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			site.ID, scope(site), tx.HLC, tx.Origin, site.SchoolID, site.ClassID, site.Level, site.Schools.String(), site.URL, site.Title,
			site.Comment, site.Picture, site.PictureType, site.AuthorID, site.CreatedAt.UTC().Format(time.RFC3339Nano))
		return err
	})
}

func (s *Service) remove(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE sites SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id)
		return err
	})
}

// searchEntries reads what the search keeps of sites by id: who sees each
// (see viewer.sees), in the search's audiences.
func searchEntries(ctx context.Context, db *store.DB, ids []string) ([]feature.SearchEntry, error) {
	list, args := store.In(ids)
	sites, err := store.Query(ctx, db.Reader(), scan, "SELECT "+columns+" FROM sites WHERE deleted = 0 AND id IN ("+list+")", args...)
	out := make([]feature.SearchEntry, len(sites))
	for i, s := range sites {
		out[i] = feature.SearchEntry{ID: s.ID, Title: s.Title, Body: s.Comment + "\n" + s.Host(), URL: s.URL, Audiences: s.audiences()}
	}
	return out, err
}
