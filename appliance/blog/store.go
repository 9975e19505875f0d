package blog

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

// The class blog's SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the class blog's part of the database. Every row has its
// school as scope (central holds them all, for parents at home); photos
// and videos follow their row as blobs.
var Schema = store.Schema{
	Name:       "blog",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"blog_posts", "blog_media", "blog_comments", "blog_settings"},
	Blobs:      map[string]string{"blog_media": "blob"},
	PushChecks: map[string]store.PushCheck{
		"blog_posts": checkPostRow, "blog_media": checkMediaRow, "blog_comments": checkCommentRow, "blog_settings": checkSettingsRow,
	},
	Labels: map[string]store.Label{
		"blog_posts": {Row: "blog.label.post", Columns: []store.ColumnLabel{
			{Column: "title", Label: "blog.label.title"}, {Column: "body", Label: "blog.label.body"},
		}},
		"blog_media":    {Row: "blog.label.media", Columns: []store.ColumnLabel{{Column: "name", Label: "blog.label.name"}}},
		"blog_comments": {Row: "blog.label.comment", Columns: []store.ColumnLabel{{Column: "body", Label: "blog.label.body"}}},
		"blog_settings": {Row: "blog.label.settings", Columns: []store.ColumnLabel{
			{Column: "pupils_post", Label: "blog.label.pupils_post", Flag: true},
			{Column: "comments", Label: "blog.label.comments", Flag: true},
			{Column: "moderated", Label: "blog.label.moderated", Flag: true},
		}},
	},
}

const postColumns = "id, school_id, class_id, author_id, title, body, audience, status, created_at"

func scanPost(row store.Scanner) (Post, error) {
	var p Post
	var created string
	err := row.Scan(&p.ID, &p.SchoolID, &p.ClassID, &p.AuthorID, &p.Title, &p.Body, &p.Audience, &p.Status, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.New(apperr.ErrNotFound, "blog.err.not_found")
	}
	p.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return p, err
}

func (s *Service) getPost(ctx context.Context, id string) (Post, error) {
	return scanPost(s.db.Reader().QueryRowContext(ctx, "SELECT "+postColumns+" FROM blog_posts WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) queryPosts(ctx context.Context, where string, args ...any) ([]Post, error) {
	return store.Query(ctx, s.db.Reader(), scanPost, "SELECT "+postColumns+" FROM blog_posts WHERE deleted = 0 AND "+where, args...)
}

const mediaColumns = "id, post_id, school_id, class_id, token, kind, blob, type, size, name, position"

func scanMedia(row store.Scanner) (Media, error) {
	var m Media
	err := row.Scan(&m.ID, &m.PostID, &m.SchoolID, &m.ClassID, &m.Token, &m.Kind, &m.Blob, &m.Type, &m.Size, &m.Name, &m.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.New(apperr.ErrNotFound, "blog.err.no_media")
	}
	return m, err
}

func (s *Service) mediaByToken(ctx context.Context, token string) (Media, error) {
	return scanMedia(s.db.Reader().QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM blog_media WHERE deleted = 0 AND token = ?", token))
}

// mediaOf lists the photos and videos of posts, in their order.
func (s *Service) mediaOf(ctx context.Context, postIDs []string) ([]Media, error) {
	if len(postIDs) == 0 {
		return nil, nil
	}
	list, args := store.In(postIDs)
	return store.Query(ctx, s.db.Reader(), scanMedia, "SELECT "+mediaColumns+" FROM blog_media WHERE deleted = 0 AND post_id IN ("+list+
		") ORDER BY position, id", args...)
}

const commentColumns = "id, post_id, school_id, class_id, author_id, body, status, created_at"

func scanComment(row store.Scanner) (Comment, error) {
	var c Comment
	var created string
	err := row.Scan(&c.ID, &c.PostID, &c.SchoolID, &c.ClassID, &c.AuthorID, &c.Body, &c.Status, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.ErrNotFound, "blog.err.no_comment")
	}
	c.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return c, err
}

func (s *Service) getComment(ctx context.Context, id string) (Comment, error) {
	return scanComment(s.db.Reader().QueryRowContext(ctx, "SELECT "+commentColumns+" FROM blog_comments WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) queryComments(ctx context.Context, where string, args ...any) ([]Comment, error) {
	return store.Query(ctx, s.db.Reader(), scanComment, "SELECT "+commentColumns+" FROM blog_comments WHERE deleted = 0 AND "+where+
		" ORDER BY created_at, id", args...)
}

// settings reads a class's choices; a class without a row has the
// defaults.
func (s *Service) settings(ctx context.Context, classID string) (Settings, error) {
	st := Settings{ClassID: classID, Moderated: true}
	err := s.db.Reader().QueryRowContext(ctx, "SELECT pupils_post, comments, moderated FROM blog_settings WHERE deleted = 0 AND id = ?", classID).
		Scan(&st.PupilsPost, &st.Comments, &st.Moderated)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return st, err
}

func (s *Service) saveSettings(ctx context.Context, schoolID string, st Settings) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blog_settings(id, scope, hlc, origin, school_id, pupils_post, comments, moderated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET deleted = 0, hlc = excluded.hlc, origin = excluded.origin, pupils_post = excluded.pupils_post,
			comments = excluded.comments, moderated = excluded.moderated`,
			st.ClassID, schoolID, tx.HLC, tx.Origin, schoolID, st.PupilsPost, st.Comments, st.Moderated)
		return err
	})
}

// insertPost writes a post and its media, already stored as blobs, in one
// transaction.
func (s *Service) insertPost(ctx context.Context, p Post, media []Media) (string, error) {
	id := store.NewID()
	now := s.now().UTC().Format(time.RFC3339Nano)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO blog_posts(id, scope, hlc, origin, school_id, class_id, author_id, title, body, audience, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, p.SchoolID, tx.HLC, tx.Origin, p.SchoolID, p.ClassID, p.AuthorID,
			p.Title, p.Body, p.Audience, p.Status, now); err != nil {
			return err
		}
		return insertMedia(ctx, tx, id, p, media, 0, now)
	})
	return id, err
}

// addMedia writes more media to a post, after those it has.
func (s *Service) addMedia(ctx context.Context, p Post, media []Media) error {
	now := s.now().UTC().Format(time.RFC3339Nano)
	return s.db.Write(ctx, func(tx *store.Tx) error {
		var next int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position) + 1, 0) FROM blog_media WHERE post_id = ?", p.ID).Scan(&next); err != nil {
			return err
		}
		return insertMedia(ctx, tx, p.ID, p, media, next, now)
	})
}

func insertMedia(ctx context.Context, tx *store.Tx, postID string, p Post, media []Media, first int, now string) error {
	for i, m := range media {
		if _, err := tx.ExecContext(ctx, `INSERT INTO blog_media(id, scope, hlc, origin, post_id, school_id, class_id, token, kind, blob, type, size, name, position, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, store.NewID(), p.SchoolID, tx.HLC, tx.Origin, postID, p.SchoolID, p.ClassID,
			newToken(), m.Kind, m.Blob, m.Type, m.Size, m.Name, first+i, now); err != nil {
			return err
		}
	}
	return nil
}

// updatePost writes a post's words and audience.
func (s *Service) updatePost(ctx context.Context, p Post) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE blog_posts SET title = ?, body = ?, audience = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?",
			p.Title, p.Body, p.Audience, tx.HLC, tx.Origin, p.ID)
		return err
	})
}

func (s *Service) setPostStatus(ctx context.Context, id, status string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE blog_posts SET status = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", status, tx.HLC, tx.Origin, id)
		return err
	})
}

// removePost deletes a post with its media and comments.
func (s *Service) removePost(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		for _, q := range []string{"UPDATE blog_posts SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?",
			"UPDATE blog_media SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND post_id = ?",
			"UPDATE blog_comments SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND post_id = ?"} {
			if _, err := tx.ExecContext(ctx, q, tx.HLC, tx.Origin, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// removeMedia deletes one photo or video of a post; its file goes with
// the next collection of unused files (preau gc).
func (s *Service) removeMedia(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE blog_media SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id)
		return err
	})
}

func (s *Service) insertComment(ctx context.Context, c Comment) (string, error) {
	id := store.NewID()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blog_comments(id, scope, hlc, origin, post_id, school_id, class_id, author_id, body, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, c.SchoolID, tx.HLC, tx.Origin, c.PostID, c.SchoolID, c.ClassID, c.AuthorID, c.Body, c.Status,
			s.now().UTC().Format(time.RFC3339Nano))
		return err
	})
	return id, err
}

func (s *Service) setCommentStatus(ctx context.Context, id, status string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE blog_comments SET status = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", status, tx.HLC, tx.Origin, id)
		return err
	})
}

func (s *Service) removeComment(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE blog_comments SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id)
		return err
	})
}

// searchEntries reads what the search keeps of posts by id: published
// ones, for their class or their school.
func searchEntries(ctx context.Context, db *store.DB, ids []string) ([]feature.SearchEntry, error) {
	list, args := store.In(ids)
	return store.Query(ctx, db.Reader(), func(r store.Scanner) (feature.SearchEntry, error) {
		var e feature.SearchEntry
		var schoolID, classID, audience string
		err := r.Scan(&e.ID, &schoolID, &classID, &audience, &e.Title, &e.Body)
		e.URL = Path + "/" + e.ID
		e.Audiences = []string{feature.ClassAudience(classID)}
		if audience == School {
			e.Audiences = []string{feature.SchoolAudience(schoolID)}
		}
		return e, err
	}, "SELECT id, school_id, class_id, audience, title, body FROM blog_posts WHERE deleted = 0 AND status = 'published' AND id IN ("+list+")", args...)
}
