package pages

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// The class pages' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the pages' part of the database: every row has its school as
// scope; update and version rows are append-only, so a page written on
// both sides of a cut link holds both sides' updates once sync runs.
var Schema = store.Schema{
	Name:       "pages",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"pages", "page_updates", "page_versions"},
	PushChecks: pushChecks,
	Labels: map[string]store.Label{
		"pages": {Row: "pages.label.page", Columns: []store.ColumnLabel{
			{Column: "title", Label: "pages.label.title"}, {Column: "html", Label: "pages.label.text"},
		}},
		"page_updates":  {Row: "pages.label.update"},
		"page_versions": {Row: "pages.label.version"},
	},
}

const pageColumns = "id, school_id, class_id, kind, title, html, author_id, created_at, updated_at, owner_id"

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func scanPage(row store.Scanner) (Page, error) {
	var p Page
	var created, updated string
	err := row.Scan(&p.ID, &p.SchoolID, &p.ClassID, &p.Kind, &p.Title, &p.HTML, &p.AuthorID, &created, &updated, &p.OwnerID)
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.New(apperr.ErrNotFound, "pages.err.not_found")
	}
	p.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	p.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	return p, err
}

func (s *Service) get(ctx context.Context, id string) (Page, error) {
	return scanPage(s.db.Reader().QueryRowContext(ctx, "SELECT "+pageColumns+" FROM pages WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) classPages(ctx context.Context, classID string) ([]Page, error) {
	return store.Query(ctx, s.db.Reader(), scanPage,
		"SELECT "+pageColumns+" FROM pages WHERE deleted = 0 AND class_id = ? AND owner_id = '' ORDER BY updated_at DESC", classID)
}

func (s *Service) insert(ctx context.Context, p Page) (string, error) {
	id := store.NewID()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO pages(id, scope, hlc, origin, school_id, class_id, kind, title, html, author_id, created_at, updated_at, owner_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)`, id, p.SchoolID, tx.HLC, tx.Origin, p.SchoolID, p.ClassID, p.Kind, p.Title,
			p.AuthorID, stamp(p.CreatedAt), stamp(p.UpdatedAt), p.OwnerID)
		return err
	})
	return id, err
}

// saveHTML sets the page's HTML and adds a version, or brings the last
// version (the same author's, a moment ago) up to date.
func (s *Service) saveHTML(ctx context.Context, p Page, authorID, html string, now time.Time, newVersion bool, lastID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE pages SET html = ?, updated_at = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?",
			html, stamp(now), tx.HLC, tx.Origin, p.ID); err != nil {
			return err
		}
		if !newVersion {
			_, err := tx.ExecContext(ctx, "UPDATE page_versions SET html = ?, created_at = ?, hlc = ?, origin = ? WHERE id = ?",
				html, stamp(now), tx.HLC, tx.Origin, lastID)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO page_versions(id, scope, hlc, origin, page_id, school_id, author_id, html, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, store.NewID(), p.SchoolID, tx.HLC, tx.Origin, p.ID, p.SchoolID, authorID, html, stamp(now))
		return err
	})
}

func scanVersion(row store.Scanner) (Version, error) {
	var v Version
	var created string
	err := row.Scan(&v.ID, &v.PageID, &v.AuthorID, &v.HTML, &created)
	v.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return v, err
}

func (s *Service) versions(ctx context.Context, pageID string) ([]Version, error) {
	return store.Query(ctx, s.db.Reader(), scanVersion,
		"SELECT id, page_id, author_id, html, created_at FROM page_versions WHERE deleted = 0 AND page_id = ? ORDER BY created_at DESC", pageID)
}

func (s *Service) lastVersion(ctx context.Context, pageID string) (Version, error) {
	v, err := scanVersion(s.db.Reader().QueryRowContext(ctx,
		"SELECT id, page_id, author_id, html, created_at FROM page_versions WHERE deleted = 0 AND page_id = ? ORDER BY created_at DESC LIMIT 1", pageID))
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, nil
	}
	return v, err
}

// updates lists a page's Yjs updates in the order this node stored them
// (any order makes the same document).
func (s *Service) updates(ctx context.Context, pageID string) ([][]byte, error) {
	return store.Query(ctx, s.db.Reader(), func(r store.Scanner) ([]byte, error) {
		var b []byte
		err := r.Scan(&b)
		return b, err
	}, "SELECT data FROM page_updates WHERE deleted = 0 AND page_id = ? ORDER BY rowid", pageID)
}

func (s *Service) appendUpdate(ctx context.Context, pageID, authorID string, data []byte) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO page_updates(id, scope, hlc, origin, page_id, school_id, author_id, data, created_at)
			SELECT ?, scope, ?, ?, id, school_id, ?, ?, ? FROM pages WHERE id = ?`,
			store.NewID(), tx.HLC, tx.Origin, authorID, data, stamp(s.now()), pageID)
		return err
	})
}

// updateRows lists a page's live update rows with their ids, in the order
// kept: what an editor merges to compact them.
func (s *Service) updateRows(ctx context.Context, pageID string) (ids []string, data [][]byte, err error) {
	type row struct {
		id   string
		data []byte
	}
	rows, err := store.Query(ctx, s.db.Reader(), func(r store.Scanner) (row, error) {
		var x row
		err := r.Scan(&x.id, &x.data)
		return x, err
	}, "SELECT id, data FROM page_updates WHERE deleted = 0 AND page_id = ? ORDER BY rowid", pageID)
	for _, r := range rows {
		ids, data = append(ids, r.id), append(data, r.data)
	}
	return ids, data, err
}

// compact replaces the page's live update rows kept up to through (that
// one included) by merged, in one transaction: the rows become tombstones,
// which replicate, and merged a new row. Rows kept after through, or
// arriving later from another node, stay as they are.
func (s *Service) compact(ctx context.Context, pageID, through, authorID string, merged []byte) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var last int64
		err := tx.QueryRowContext(ctx, "SELECT rowid FROM page_updates WHERE deleted = 0 AND page_id = ? AND id = ?", pageID, through).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.ErrConflict, "pages.err.compacted")
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE page_updates SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND page_id = ? AND rowid <= ?",
			tx.HLC, tx.Origin, pageID, last)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = tx.ExecContext(ctx, `INSERT INTO page_updates(id, scope, hlc, origin, page_id, school_id, author_id, data, created_at)
			SELECT ?, scope, ?, ?, id, school_id, ?, ?, ? FROM pages WHERE id = ?`,
			store.NewID(), tx.HLC, tx.Origin, authorID, merged, stamp(s.now()), pageID)
		return err
	})
	return int(n), err
}

// updateCount counts a page's live update rows.
func (s *Service) updateCount(ctx context.Context, pageID string) (int, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM page_updates WHERE deleted = 0 AND page_id = ?", pageID).Scan(&n)
	return n, err
}

// ownedPages lists the pages an owner holds, oldest first.
func (s *Service) ownedPages(ctx context.Context, ownerID string) ([]Page, error) {
	return store.Query(ctx, s.db.Reader(), scanPage,
		"SELECT "+pageColumns+" FROM pages WHERE deleted = 0 AND owner_id = ? ORDER BY created_at, id", ownerID)
}

// setOwned renames (title) or removes (deleted) one of an owner's pages.
func (s *Service) setOwned(ctx context.Context, ownerID, pageID, title string, deleted bool) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		q, args := "UPDATE pages SET title = ?, updated_at = ?, hlc = ?, origin = ? WHERE deleted = 0 AND owner_id = ? AND id = ?",
			[]any{title, stamp(s.now()), tx.HLC, tx.Origin, ownerID, pageID}
		if deleted {
			q, args = "UPDATE pages SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND owner_id = ? AND id = ?",
				[]any{tx.HLC, tx.Origin, ownerID, pageID}
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.ErrNotFound, "pages.err.not_found")
		}
		return nil
	})
}
