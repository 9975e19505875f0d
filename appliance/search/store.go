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
	return store.Query(ctx, db.Reader(), func(r store.Scanner) (change, error) {
		var c change
		return c, r.Scan(&c.seq, &c.table, &c.id)
	}, "SELECT seq, tbl, row_id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
}

func cursor(ctx context.Context, db *store.DB) (int64, error) {
	var seq int64
	err := db.Reader().QueryRowContext(ctx, "SELECT seq FROM search_cursor WHERE id = 1").Scan(&seq)
	return seq, err
}

// reindex replaces what the index holds of a kind's rows by their entries
// (a row without one is forgotten).
func reindex(ctx context.Context, tx *store.Tx, kind string, ids []string, entries []feature.SearchEntry) error {
	for _, id := range ids {
		var rowid int64
		err := tx.QueryRowContext(ctx, "DELETE FROM search_entries WHERE kind = ? AND ref = ? RETURNING id", kind, id).Scan(&rowid)
		if err == nil {
			if _, err := tx.ExecContext(ctx, "DELETE FROM search_words WHERE rowid = ?", rowid); err != nil {
				return err
			}
		}
	}
	for _, e := range entries {
		res, err := tx.ExecContext(ctx, "INSERT INTO search_entries(kind, ref, url, title, body) VALUES (?, ?, ?, ?, ?)",
			kind, e.ID, e.URL, e.Title, e.Body)
		if err != nil {
			return err
		}
		rowid, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO search_words(rowid, words) VALUES (?, ?)",
			rowid, indexed(kind, e.Audiences, e.Title, e.Body)); err != nil {
			return err
		}
		for _, a := range e.Audiences {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO search_audiences(kind, audience) VALUES (?, ?)",
				kind, audienceKind(a)); err != nil {
				return err
			}
		}
	}
	return nil
}

// audienceKinds are the kinds of audience each kind of entry has.
func audienceKinds(ctx context.Context, db *store.DB) (map[string][]string, error) {
	type pair struct{ kind, audience string }
	ps, err := store.Query(ctx, db.Reader(), func(r store.Scanner) (pair, error) {
		var p pair
		return p, r.Scan(&p.kind, &p.audience)
	}, "SELECT kind, audience FROM search_audiences")
	out := map[string][]string{}
	for _, p := range ps {
		out[p.kind] = append(out[p.kind], p.audience)
	}
	return out, err
}

func moveCursor(ctx context.Context, tx *store.Tx, seq int64) error {
	_, err := tx.ExecContext(ctx, "UPDATE search_cursor SET seq = max(seq, ?) WHERE id = 1", seq)
	return err
}

// candidates are the entries of one kind that match, newest first: a
// full-text query (matchQuery) gives their rowids, their titles come from
// search_entries.
func candidates(ctx context.Context, db *store.DB, kind, match string, limit int) ([]candidate, error) {
	return store.Query(ctx, db.Reader(), func(r store.Scanner) (candidate, error) {
		c := candidate{Result: Result{Kind: kind}}
		return c, r.Scan(&c.rowid, &c.ID, &c.URL, &c.Title)
	}, `SELECT e.id, e.ref, e.url, e.title FROM search_entries e
		JOIN (SELECT rowid FROM search_words WHERE search_words MATCH ? ORDER BY rowid DESC LIMIT ?) m ON m.rowid = e.id
		ORDER BY e.id DESC`, match, limit)
}

// bodies are the texts of entries by rowid.
func bodies(ctx context.Context, db *store.DB, rowids []int64) (map[int64]string, error) {
	list, args := store.In(rowids)
	type body struct {
		rowid int64
		text  string
	}
	bs, err := store.Query(ctx, db.Reader(), func(r store.Scanner) (body, error) {
		var b body
		return b, r.Scan(&b.rowid, &b.text)
	}, "SELECT id, body FROM search_entries WHERE id IN ("+list+")", args...)
	out := make(map[int64]string, len(bs))
	for _, b := range bs {
		out[b.rowid] = b.text
	}
	return out, err
}

// matchQuery is the FTS5 query for a kind: every word, as the prefix of
// a word under one of the caller's audiences. Every term is quoted and
// made of letters and digits only: it cannot be an operator.
func matchQuery(kind string, audiences, terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString("(")
		for j, a := range audiences {
			if j > 0 {
				b.WriteString(" OR ")
			}
			b.WriteString(`"` + key(kind, a) + t + `"*`)
		}
		b.WriteString(")")
	}
	return b.String()
}
