package search

import (
	"context"
	"embed"
	"strings"

	"preau/appliance/feature"
	"preau/appliance/store"
)

// The search's SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the search index: local, never replicated.
var Schema = store.Schema{Name: "search", FS: store.Sub(migrations, "migrations")}

// change is one row of the change log: a table's row written since.
type change struct {
	seq       int64
	table, id string
}

// changesAfter reads up to limit entries of the change log after seq.
func changesAfter(ctx context.Context, db *store.DB, seq int64, limit int) ([]change, error) {
	rows, err := db.Reader().QueryContext(ctx, "SELECT seq, tbl, row_id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.seq, &c.table, &c.id); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func cursor(ctx context.Context, db *store.DB) (int64, error) {
	var seq int64
	err := db.Reader().QueryRowContext(ctx, "SELECT seq FROM search_cursor WHERE id = 1").Scan(&seq)
	return seq, err
}

// reindex replaces what the index holds of a kind's rows by their entries
// (a row without one is forgotten), and moves the cursor to seq.
func reindex(ctx context.Context, tx *store.Tx, kind string, ids []string, entries []feature.SearchEntry, seq int64) error {
	for _, id := range ids {
		var rowid int64
		err := tx.QueryRowContext(ctx, "DELETE FROM search_entries WHERE kind = ? AND ref = ? RETURNING id", kind, id).Scan(&rowid)
		if err == nil {
			if _, err := tx.ExecContext(ctx, "DELETE FROM search_text WHERE rowid = ?", rowid); err != nil {
				return err
			}
		}
	}
	for _, e := range entries {
		res, err := tx.ExecContext(ctx, "INSERT INTO search_entries(kind, ref, url) VALUES (?, ?, ?)", kind, e.ID, e.URL)
		if err != nil {
			return err
		}
		rowid, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO search_text(rowid, kind, audience, title, body) VALUES (?, ?, ?, ?, ?)",
			rowid, kind, strings.Join(e.Audiences, " "), e.Title, e.Body); err != nil {
			return err
		}
	}
	return moveCursor(ctx, tx, seq)
}

func moveCursor(ctx context.Context, tx *store.Tx, seq int64) error {
	_, err := tx.ExecContext(ctx, "UPDATE search_cursor SET seq = max(seq, ?) WHERE id = 1", seq)
	return err
}

// Marks around the words found in a snippet; never in what people type
// (control characters are dropped from the text the index keeps).
const (
	markOpen  = "\x02"
	markClose = "\x03"
)

// find runs a full-text query for one kind, best matches first.
func find(ctx context.Context, db *store.DB, kind, match string, limit int) ([]Result, error) {
	rows, err := db.Reader().QueryContext(ctx, `SELECT e.ref, e.url, t.title,
			snippet(search_text, 3, '`+markOpen+`', '`+markClose+`', '…', 16)
		FROM search_text t JOIN search_entries e ON e.id = t.rowid
		WHERE search_text MATCH ? ORDER BY t.rank LIMIT ?`, match, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		r := Result{Kind: kind}
		if err := rows.Scan(&r.ID, &r.URL, &r.Title, &r.snippet); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
