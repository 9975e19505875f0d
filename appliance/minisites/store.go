package minisites

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// The mini-sites' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the mini-sites' part of the database: every row has its
// school as scope, so central holds every school's sites and serves the
// public ones; pictures' files follow their rows.
var Schema = store.Schema{
	Name:       "minisites",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"minisites", "minisite_pages", "minisite_images", "minisite_published"},
	Blobs:      map[string]string{"minisite_images": "hash"},
	PushChecks: pushChecks,
	Labels: map[string]store.Label{
		"minisites": {Row: "minisites.label.site", Columns: []store.ColumnLabel{
			{Column: "title", Label: "minisites.field.title"}, {Column: "status", Label: "minisites.label.status"},
		}},
		"minisite_pages":     {Row: "minisites.label.page"},
		"minisite_images":    {Row: "minisites.label.image"},
		"minisite_published": {Row: "minisites.label.published"},
	},
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }

const siteColumns = "id, school_id, class_id, title, theme, pupils, status, audience, slug, comment, credits, author_id, created_at, updated_at, published_at"

func scanSite(row store.Scanner) (Site, error) {
	var s Site
	var pupils, created, updated, published string
	err := row.Scan(&s.ID, &s.SchoolID, &s.ClassID, &s.Title, &s.Theme, &pupils, &s.Status, &s.Audience, &s.Slug, &s.Comment,
		&s.Credits, &s.AuthorID, &created, &updated, &published)
	if errors.Is(err, sql.ErrNoRows) {
		return s, apperr.New(apperr.ErrNotFound, "minisites.err.not_found")
	}
	s.Pupils = strings.Fields(pupils)
	s.CreatedAt, s.UpdatedAt, s.PublishedAt = parseTime(created), parseTime(updated), parseTime(published)
	return s, err
}

func (s *Service) get(ctx context.Context, id string) (Site, error) {
	return scanSite(s.db.Reader().QueryRowContext(ctx, "SELECT "+siteColumns+" FROM minisites WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) bySlug(ctx context.Context, slug string) (Site, error) {
	return scanSite(s.db.Reader().QueryRowContext(ctx, "SELECT "+siteColumns+" FROM minisites WHERE deleted = 0 AND slug = ? AND slug != ''", slug))
}

// sites lists the sites matching an SQL condition, newest first.
func (s *Service) sites(ctx context.Context, where string, args ...any) ([]Site, error) {
	return store.Query(ctx, s.db.Reader(), scanSite,
		"SELECT "+siteColumns+" FROM minisites WHERE deleted = 0 AND "+where+" ORDER BY updated_at DESC", args...)
}

func (s *Service) insertSite(ctx context.Context, site Site) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO minisites(id, scope, hlc, origin, school_id, class_id, title, theme, pupils, status,
			author_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			site.ID, site.SchoolID, tx.HLC, tx.Origin, site.SchoolID, site.ClassID, site.Title, site.Theme, strings.Join(site.Pupils, " "),
			site.Status, site.AuthorID, stamp(site.CreatedAt), stamp(site.UpdatedAt))
		return err
	})
}

// setSite writes a site's changing columns.
func (s *Service) setSite(ctx context.Context, site Site) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		return updateSite(ctx, tx, site)
	})
}

func updateSite(ctx context.Context, tx *store.Tx, site Site) error {
	published := ""
	if !site.PublishedAt.IsZero() {
		published = stamp(site.PublishedAt)
	}
	_, err := tx.ExecContext(ctx, `UPDATE minisites SET title = ?, theme = ?, pupils = ?, status = ?, audience = ?, slug = ?, comment = ?,
		credits = ?, updated_at = ?, published_at = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?`,
		site.Title, site.Theme, strings.Join(site.Pupils, " "), site.Status, site.Audience, site.Slug, site.Comment, site.Credits,
		stamp(site.UpdatedAt), published, tx.HLC, tx.Origin, site.ID)
	return err
}

// Menu entries: where each page stands.

func scanEntry(row store.Scanner) (entry, error) {
	var e entry
	err := row.Scan(&e.PageID, &e.ParentID, &e.Position)
	return e, err
}

func (s *Service) entries(ctx context.Context, siteID string) ([]entry, error) {
	return store.Query(ctx, s.db.Reader(), scanEntry,
		"SELECT id, parent_id, position FROM minisite_pages WHERE deleted = 0 AND site_id = ? ORDER BY position, id", siteID)
}

func (s *Service) insertEntry(ctx context.Context, site Site, e entry) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO minisite_pages(id, scope, hlc, origin, site_id, school_id, parent_id, position)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.PageID, site.SchoolID, tx.HLC, tx.Origin, site.ID, site.SchoolID, e.ParentID, e.Position)
		return err
	})
}

// setEntries writes the menu's new order in one transaction.
func (s *Service) setEntries(ctx context.Context, siteID string, es []entry) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		for _, e := range es {
			if _, err := tx.ExecContext(ctx, `UPDATE minisite_pages SET parent_id = ?, position = ?, hlc = ?, origin = ?
				WHERE deleted = 0 AND site_id = ? AND id = ? AND (parent_id != ? OR position != ?)`,
				e.ParentID, e.Position, tx.HLC, tx.Origin, siteID, e.PageID, e.ParentID, e.Position); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) removeEntry(ctx context.Context, siteID, pageID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE minisite_pages SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND site_id = ? AND id = ?",
			tx.HLC, tx.Origin, siteID, pageID)
		return err
	})
}

// Pictures.

const imageColumns = "id, site_id, page_id, token, hash, type, name, deleted"

func scanImage(row store.Scanner) (Image, error) {
	var im Image
	err := row.Scan(&im.ID, &im.SiteID, &im.PageID, &im.Token, &im.Hash, &im.Type, &im.Name, &im.Deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return im, apperr.New(apperr.ErrNotFound, "minisites.err.no_image")
	}
	return im, err
}

func (s *Service) images(ctx context.Context, siteID string) ([]Image, error) {
	return store.Query(ctx, s.db.Reader(), scanImage,
		"SELECT "+imageColumns+" FROM minisite_images WHERE deleted = 0 AND site_id = ? ORDER BY created_at, id", siteID)
}

// imageByToken finds a picture, removed ones too: a published page keeps
// showing the pictures it had.
func (s *Service) imageByToken(ctx context.Context, token string) (Image, error) {
	return scanImage(s.db.Reader().QueryRowContext(ctx, "SELECT "+imageColumns+" FROM minisite_images WHERE token = ?", token))
}

func (s *Service) insertImage(ctx context.Context, site Site, im Image, authorID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO minisite_images(id, scope, hlc, origin, site_id, school_id, page_id, token, hash, type, name,
			author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, store.NewID(), site.SchoolID, tx.HLC, tx.Origin,
			site.ID, site.SchoolID, im.PageID, im.Token, im.Hash, im.Type, im.Name, authorID, stamp(s.now()))
		return err
	})
}

func (s *Service) removeImage(ctx context.Context, siteID, imageID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE minisite_images SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND site_id = ? AND id = ?",
			tx.HLC, tx.Origin, siteID, imageID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.ErrNotFound, "minisites.err.no_image")
		}
		return nil
	})
}

// Publication.

func scanPublished(row store.Scanner) (PublishedPage, error) {
	var p PublishedPage
	var images string
	err := row.Scan(&p.PageID, &p.ParentID, &p.Position, &p.Title, &p.HTML, &images)
	p.Images = strings.Fields(images)
	return p, err
}

func (s *Service) published(ctx context.Context, siteID string) ([]PublishedPage, error) {
	return store.Query(ctx, s.db.Reader(), scanPublished, `SELECT page_id, parent_id, position, title, html, images
		FROM minisite_published WHERE deleted = 0 AND site_id = ? ORDER BY position, page_id`, siteID)
}

// publish replaces the site's published pages by pages and writes the
// site, in one transaction; no pages unpublishes.
func (s *Service) publish(ctx context.Context, site Site, pages []PublishedPage) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE minisite_published SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND site_id = ?",
			tx.HLC, tx.Origin, site.ID); err != nil {
			return err
		}
		for _, p := range pages {
			if _, err := tx.ExecContext(ctx, `INSERT INTO minisite_published(id, scope, hlc, origin, site_id, school_id, page_id, parent_id,
				position, title, html, images, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, store.NewID(), site.SchoolID,
				tx.HLC, tx.Origin, site.ID, site.SchoolID, p.PageID, p.ParentID, p.Position, p.Title, p.HTML, strings.Join(p.Images, " "),
				stamp(site.PublishedAt)); err != nil {
				return err
			}
		}
		return updateSite(ctx, tx, site)
	})
}

// deleteSite makes tombstones of a site and its rows, in one transaction.
func (s *Service) deleteSite(ctx context.Context, siteID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		for _, table := range []string{"minisite_pages", "minisite_images", "minisite_published"} {
			if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND site_id = ?",
				tx.HLC, tx.Origin, siteID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "UPDATE minisites SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, siteID)
		return err
	})
}
