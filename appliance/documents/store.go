package documents

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

// The documents' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the documents' part of the database: one row per document
// shared with a class, its file a blob that follows sync.
var Schema = store.Schema{
	Name:       "documents",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"documents"},
	Blobs:      map[string]string{"documents": "blob"},
	PushChecks: pushChecks,
	Cached:     map[string]store.CacheRule{"documents": {Size: "size", Targets: "schools", Name: "name", Signed: true}},
	Labels: map[string]store.Label{
		"documents": {Row: "documents.label.document", Columns: []store.ColumnLabel{
			{Column: "name", Label: "documents.label.name"}, {Column: "folder", Label: "documents.label.folder"},
		}},
	},
}

const columns = "id, scope, class_id, folder, name, type, size, blob, author_id, created_at, schools"

func scan(row interface{ Scan(...any) error }) (Document, error) {
	var d Document
	var created, schools string
	err := row.Scan(&d.ID, &d.SchoolID, &d.ClassID, &d.Folder, &d.Name, &d.Type, &d.Size, &d.Blob, &d.AuthorID, &created, &schools)
	d.Schools = feature.ParseTargets(schools)
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.New(apperr.ErrNotFound, "documents.err.not_found")
	}
	d.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return d, err
}

func (s *Service) get(ctx context.Context, id string) (Document, error) {
	return scan(s.db.Reader().QueryRowContext(ctx, "SELECT "+columns+" FROM documents WHERE deleted = 0 AND id = ?", id))
}

// list is a class's documents, by folder and name.
func (s *Service) list(ctx context.Context, classID string) ([]Document, error) {
	rows, err := s.db.Reader().QueryContext(ctx, "SELECT "+columns+` FROM documents
		WHERE deleted = 0 AND class_id = ? ORDER BY folder, name COLLATE NOCASE, created_at`, classID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		d, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// same is the document of the class and folder with this name and content,
// if one exists: an upload sent again.
func (s *Service) same(ctx context.Context, classID, folder, name, blob string) (Document, bool, error) {
	d, err := scan(s.db.Reader().QueryRowContext(ctx, "SELECT "+columns+` FROM documents
		WHERE deleted = 0 AND class_id = ? AND folder = ? AND name = ? AND blob = ?`, classID, folder, name, blob))
	if errors.Is(err, apperr.ErrNotFound) {
		return d, false, nil
	}
	return d, err == nil, err
}

// used is what the files of the rows matching where (an author, a school)
// take, each file once however many times it is shared, and whether blob
// is among them.
func (s *Service) used(ctx context.Context, where string, arg any, blob string) (total int64, has bool, err error) {
	err = s.db.Reader().QueryRowContext(ctx, `SELECT coalesce(sum(size), 0), coalesce(max(blob = ?), 0)
		FROM (SELECT DISTINCT blob, size FROM documents WHERE deleted = 0 AND `+where+" = ?)", blob, arg).Scan(&total, &has)
	return total, has, err
}

func (s *Service) insert(ctx context.Context, d Document) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO documents(id, scope, hlc, origin, class_id, folder, name, type, size, blob, author_id, created_at, schools)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, d.SchoolID, tx.HLC, tx.Origin, d.ClassID, d.Folder, d.Name, d.Type, d.Size,
			d.Blob, d.AuthorID, d.CreatedAt.UTC().Format(time.RFC3339), d.Schools.String())
		return err
	})
}

func (s *Service) setFolder(ctx context.Context, id, folder string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE documents SET folder = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", folder, tx.HLC, tx.Origin, id)
		return err
	})
}

func (s *Service) remove(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE documents SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id)
		return err
	})
}

// Usage is what a school's documents take, in all and per author.
type Usage struct {
	Total, Quota int64
	Files        int
	Authors      []AuthorUsage
}

// AuthorUsage is what one person's documents take.
type AuthorUsage struct {
	AuthorID, Name string
	Size, Quota    int64
	Files          int
}

func (s *Service) usage(ctx context.Context, schoolID string) (Usage, error) {
	u := Usage{Quota: s.limits.SchoolQuota}
	err := s.db.Reader().QueryRowContext(ctx, `SELECT coalesce(sum(size), 0), count(*)
		FROM (SELECT DISTINCT blob, size FROM documents WHERE deleted = 0 AND scope = ?)`, schoolID).Scan(&u.Total, &u.Files)
	if err != nil {
		return u, err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT author_id, coalesce(sum(size), 0), count(*)
		FROM (SELECT DISTINCT author_id, blob, size FROM documents WHERE deleted = 0 AND scope = ?)
		GROUP BY author_id ORDER BY 2 DESC`, schoolID)
	if err != nil {
		return u, err
	}
	defer rows.Close()
	for rows.Next() {
		a := AuthorUsage{Quota: s.limits.UserQuota}
		if err := rows.Scan(&a.AuthorID, &a.Size, &a.Files); err != nil {
			return u, err
		}
		u.Authors = append(u.Authors, a)
	}
	return u, rows.Err()
}

// byIDs reads live documents by id.
func byIDs(ctx context.Context, db *store.DB, ids []string) ([]Document, error) {
	list, args := store.In(ids)
	return store.Query(ctx, db.Reader(), func(r store.Scanner) (Document, error) { return scan(r) },
		"SELECT "+columns+" FROM documents WHERE deleted = 0 AND id IN ("+list+")", args...)
}

// city is the city's library, newest first.
func (s *Service) city(ctx context.Context) ([]Document, error) {
	return store.Query(ctx, s.db.Reader(), func(r store.Scanner) (Document, error) { return scan(r) },
		"SELECT "+columns+" FROM documents WHERE deleted = 0 AND scope = 'global' ORDER BY created_at DESC, id")
}
