// Package sync replicates the appliance's data between school nodes and the
// city's central node: a star, each school talking only to central, which
// relays. Rows travel whole (the current state of each changed row), in
// batches read from the change log after a cursor; a cursor advances only in
// the transaction that durably applied its batch, so a cut link resumes
// exactly where it stopped and a replayed batch changes nothing.
//
// It knows no feature: every table registered as replicated in the store
// syncs, scoped by its scope column (and the Audience a schema declares).
// It imports store, auth, web, config and feature (the register through
// feature.Register); no other feature.
package sync

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"preau/appliance/i18n"
	"time"

	"preau/appliance/auth"
	"preau/appliance/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is sync's bookkeeping tables.
var Schema = store.Schema{Name: "sync", FS: store.Sub(migrations, "migrations")}

const (
	// BatchRows is how many rows a batch carries at most (Morango's chunk).
	BatchRows = 500
	// scanLimit bounds how many log entries one pull reads, so a school with
	// little to receive from a busy central still gets a quick answer.
	scanLimit = 20000
	// MaxSkew is how far ahead of the receiver a row's clock may be: beyond
	// it the sender's clock is wrong, and its rows would win every conflict.
	MaxSkew = 5 * time.Minute
	// maxBatchBytes bounds a decompressed batch.
	maxBatchBytes = 64 << 20
)

// Batch is what a push sends and a pull returns: the rows of the sender's
// log in (From, To], and whether more remain.
type Batch struct {
	Node    string      `json:"node"`  // sender's node id
	Epoch   string      `json:"epoch"` // sender's epoch; a new one restarts cursors
	From    int64       `json:"from"`
	To      int64       `json:"to"`
	More    bool        `json:"more"`
	Pending int64       `json:"pending,omitempty"` // log entries still after To, an estimate
	Rows    []store.Row `json:"rows"`
}

// Errors of the protocol; their text reaches the other side, in the
// receiver's language.
var (
	ErrBadBatch   = i18n.Error(nil, "sync.err.bad_batch")
	ErrClockAhead = i18n.Error(nil, "sync.err.clock_ahead")
	ErrOutOfScope = i18n.Error(nil, "sync.err.out_of_scope")
)

// signal wakes whoever waits on ch, once, without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func randomKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashKey(k string) string {
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:])
}

// logPage is how many log entries collect reads at a time, up to
// scanLimit: a push keeps nearly every entry, and reading further than one
// batch needs cost it more than the batch itself.
const logPage = 2 * BatchRows

// collect reads the log after since, in one read snapshot, and returns up to
// BatchRows rows that keep accepts. To is the last entry read, kept or not,
// so skipped entries are not read again. It works a page of entries at a
// time: keep judges the page, and the rows kept are read, with one query a
// table each rather than one an entry.
func collect(ctx context.Context, db *store.DB, since int64, keep func(q *sql.Tx, page []logEntry) ([]bool, error)) (Batch, error) {
	b := Batch{From: since, To: since}
	tx, err := db.Reader().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return b, err
	}
	defer tx.Rollback()
	for scanned := 0; scanned < scanLimit && len(b.Rows) < BatchRows; {
		n := min(logPage, scanLimit-scanned)
		entries, err := logEntries(ctx, tx, b.To, n)
		if err != nil {
			return b, err
		}
		scanned += len(entries)
		kept, err := keepReplicated(db, tx, entries, keep)
		if err != nil {
			return b, err
		}
		// The rows that fit in the batch, read in one query a table; the
		// entries are consumed up to the first kept one that does not fit.
		last, room := len(entries), BatchRows-len(b.Rows)
		ids := map[string][]string{}
		for i, e := range entries {
			if !kept[i] {
				continue
			}
			if room == 0 {
				last = i
				break
			}
			ids[e.tbl] = append(ids[e.tbl], e.id)
			room--
		}
		read := map[string]map[string]store.Row{}
		for tbl, list := range ids {
			if read[tbl], err = db.ReadRows(ctx, tx, tbl, list); err != nil {
				return b, fmt.Errorf("read %s: %w", tbl, err)
			}
		}
		for i, e := range entries[:last] {
			b.To = e.seq
			if !kept[i] {
				continue
			}
			r, ok := read[e.tbl][e.id]
			if !ok {
				return b, fmt.Errorf("read %s %s: %w", e.tbl, e.id, store.ErrNotFound)
			}
			b.Rows = append(b.Rows, r)
		}
		if last < len(entries) {
			break // the batch is full
		}
		if len(entries) < n {
			break // the end of the log
		}
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM changes WHERE seq > ?", b.To).Scan(&b.Pending); err != nil {
		return b, err
	}
	b.More = b.Pending > 0
	return b, nil
}

// keepReplicated asks keep about the entries of replicated tables and
// returns its answer for every entry, false for the others.
func keepReplicated(db *store.DB, tx *sql.Tx, entries []logEntry, keep func(q *sql.Tx, page []logEntry) ([]bool, error)) ([]bool, error) {
	var page []logEntry
	var at []int
	for i, e := range entries {
		if db.IsReplicated(e.tbl) {
			page = append(page, e)
			at = append(at, i)
		}
	}
	answers, err := keep(tx, page)
	if err != nil {
		return nil, err
	}
	kept := make([]bool, len(entries))
	for j, i := range at {
		kept[i] = answers[j]
	}
	return kept, nil
}

// logEntry is one entry of the change log.
type logEntry struct {
	seq             int64
	tbl, id, origin string
}

// logEntries reads up to n entries of the log after seq after.
func logEntries(ctx context.Context, tx *sql.Tx, after int64, n int) ([]logEntry, error) {
	rows, err := tx.QueryContext(ctx, "SELECT seq, tbl, row_id, origin FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	entries := make([]logEntry, 0, n)
	for rows.Next() {
		var e logEntry
		if err := rows.Scan(&e.seq, &e.tbl, &e.id, &e.origin); err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, rows.Err()
}

// keepWhere judges a page of entries in one query per table: an entry is
// kept when first accepts it (nil accepts all) and its row satisfies cond,
// an SQL condition on the table's columns with args.
func keepWhere(ctx context.Context, q *sql.Tx, page []logEntry, first func(logEntry) bool, cond func(tbl string) string, args ...any) ([]bool, error) {
	ids := map[string][]string{}
	for _, e := range page {
		if first == nil || first(e) {
			ids[e.tbl] = append(ids[e.tbl], e.id)
		}
	}
	match := map[string]map[string]bool{}
	for tbl, list := range ids {
		data, err := json.Marshal(list)
		if err != nil {
			return nil, err
		}
		rows, err := q.QueryContext(ctx, "SELECT id FROM "+tbl+" WHERE id IN (SELECT value FROM json_each(:ids)) AND ("+cond(tbl)+")",
			append(args, sql.Named("ids", string(data)))...)
		if err != nil {
			return nil, err
		}
		match[tbl] = map[string]bool{}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			match[tbl][id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	kept := make([]bool, len(page))
	for i, e := range page {
		kept[i] = match[e.tbl][e.id]
	}
	return kept, nil
}

// check validates every row of a batch before anything is written: schema,
// the sender's right to the row (inScope), and the clock guard.
func check(ctx context.Context, db *store.DB, b Batch, inScope func(store.Row) bool) (maxHLC int64, err error) {
	limit := store.MakeHLC(time.Now().Add(MaxSkew), 0)
	if len(b.Rows) > BatchRows*4 {
		return 0, i18n.Error([]error{ErrBadBatch}, "sync.err.batch_too_big", "Batch", ErrBadBatch, "Rows", len(b.Rows), "Max", BatchRows*4)
	}
	if b.To < b.From || b.From < 0 {
		return 0, i18n.Error([]error{ErrBadBatch}, "sync.err.batch_incoherent", "Batch", ErrBadBatch, "From", b.From, "To", b.To)
	}
	for i, r := range b.Rows {
		if err := db.Validate(ctx, r); err != nil {
			return 0, i18n.Error([]error{ErrBadBatch, err}, "sync.err.batch_line", "Batch", ErrBadBatch, "Line", i+1, "Problem", err)
		}
		if !inScope(r) {
			return 0, i18n.Error([]error{ErrBadBatch, ErrOutOfScope}, "sync.err.batch_scope", "Batch", ErrBadBatch, "Line", i+1,
				"Table", r.Table, "ID", r.ID(), "Scope", r.Scope(), "Problem", ErrOutOfScope)
		}
		if r.LatestHLC() > limit {
			return 0, i18n.Error([]error{ErrBadBatch, ErrClockAhead}, "sync.err.batch_clock", "Batch", ErrBadBatch, "Line", i+1,
				"Table", r.Table, "When", store.HLCTime(r.HLC()).UTC().Format(time.RFC3339), "Problem", ErrClockAhead, "Skew", MaxSkew.String())
		}
		maxHLC = max(maxHLC, r.HLC())
	}
	return maxHLC, nil
}

// apply writes a checked batch in one transaction, then runs after (the
// cursor update) in the same transaction: the cursor never gets ahead of
// the rows. On central, pushedBy names the school that pushed the batch:
// once the rows are applied, each must pass its table's rule against
// central's versions from before the batch, or the whole batch is undone.
func apply(ctx context.Context, db *store.DB, rows []store.Row, maxHLC int64, conc store.Concurrency, pushedBy string,
	after func(tx *store.Tx) error) error {
	db.Clock().Observe(maxHLC)
	return db.Write(ctx, func(tx *store.Tx) error {
		var priors map[string]map[string]store.Row
		if pushedBy != "" {
			var err error
			if priors, err = db.Priors(ctx, tx, rows); err != nil {
				return err
			}
		}
		for _, r := range rows {
			if _, err := db.Apply(ctx, tx, r, conc); err != nil {
				return err
			}
		}
		if pushedBy != "" {
			if err := db.CheckPushed(ctx, tx, pushedBy, rows, priors); err != nil {
				return err
			}
		}
		return after(tx)
	})
}

// recordVolume adds to the hourly volume counters.
func recordVolume(ctx context.Context, tx *store.Tx, school string, in, out int) error {
	if in == 0 && out == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_volume(hour, school_id, rows_in, rows_out) VALUES (?, ?, ?, ?)
		ON CONFLICT(hour, school_id) DO UPDATE SET rows_in = rows_in + excluded.rows_in, rows_out = rows_out + excluded.rows_out`,
		time.Now().UTC().Format("2006-01-02T15"), school, in, out)
	return err
}

// inSchoolScope accepts the rows a school may write: its own scope.
func inSchoolScope(school string) func(store.Row) bool {
	return func(r store.Row) bool { return r.Scope() == school && r.Scope() != auth.GlobalScope }
}
