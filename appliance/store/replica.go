package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"preau/appliance/i18n"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Row is the full current state of one row of a replicated table, as sync
// carries it: rows, not operations, so that applying one twice is harmless.
type Row struct {
	Table  string
	Values map[string]any // every column: int64, float64, string, []byte or nil
	// Clocks are the stamps of the last change of each column changed since
	// the row was created; sync merges rows column by column with them.
	Clocks map[string]ColClock
}

// ID, Scope, HLC, Origin and Deleted read the columns every replicated row has.
func (r Row) ID() string     { s, _ := r.Values["id"].(string); return s }
func (r Row) Scope() string  { s, _ := r.Values["scope"].(string); return s }
func (r Row) Origin() string { s, _ := r.Values["origin"].(string); return s }
func (r Row) HLC() int64     { n, _ := r.Values["hlc"].(int64); return n }
func (r Row) Deleted() bool  { n, _ := r.Values["deleted"].(int64); return n != 0 }

// newer reports whether version a wins over b by last-writer-wins on
// (hlc, origin): the origin breaks ties so every node picks the same winner.
func newer(a, b Row) bool {
	if a.HLC() != b.HLC() {
		return a.HLC() > b.HLC()
	}
	return a.Origin() > b.Origin()
}

// MarshalJSON writes {"t": table, "v": {column: value}}; bytes become
// {"$b": base64} so they survive JSON.
func (r Row) MarshalJSON() ([]byte, error) {
	vals := make(map[string]any, len(r.Values))
	for k, v := range r.Values {
		if b, ok := v.([]byte); ok {
			v = map[string]string{"$b": base64.StdEncoding.EncodeToString(b)}
		}
		vals[k] = v
	}
	return json.Marshal(struct {
		T string              `json:"t"`
		V map[string]any      `json:"v"`
		C map[string]ColClock `json:"c,omitempty"`
	}{r.Table, vals, r.Clocks})
}

// UnmarshalJSON reads what MarshalJSON writes, keeping integers exact (HLC
// values need all 64 bits).
func (r *Row) UnmarshalJSON(data []byte) error {
	var raw struct {
		T string                     `json:"t"`
		V map[string]json.RawMessage `json:"v"`
		C map[string]ColClock        `json:"c"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	r.Table, r.Clocks = raw.T, raw.C
	r.Values = make(map[string]any, len(raw.V))
	for k, msg := range raw.V {
		v, err := decodeValue(msg)
		if err != nil {
			return fmt.Errorf("column %s: %w", k, err)
		}
		r.Values[k] = v
	}
	return nil
}

// decodeValue reads one column's value by its first byte: a json.Decoder
// for each value made receiving a row cost 27 µs, most of a push's time on
// central.
func decodeValue(msg json.RawMessage) (any, error) {
	if len(msg) == 0 {
		return nil, errors.New("valeur absente")
	}
	switch c := msg[0]; {
	case c == 'n' && string(msg) == "null":
		return nil, nil
	case c == '"':
		var s string
		err := json.Unmarshal(msg, &s)
		return s, err
	case c == '-' || c >= '0' && c <= '9':
		if n, err := strconv.ParseInt(string(msg), 10, 64); err == nil {
			return n, nil
		}
		return strconv.ParseFloat(string(msg), 64)
	case c == '{':
		var x map[string]any
		if err := json.Unmarshal(msg, &x); err != nil {
			return nil, err
		}
		if s, ok := x["$b"].(string); ok && len(x) == 1 {
			return base64.StdEncoding.DecodeString(s)
		}
	}
	return nil, errors.New("value of an unsupported type")
}

// tableSQL is a replicated table's columns, sorted, and the statements
// reading and writing its rows whole, built once: sync runs them for every
// row it sends or receives.
type tableSQL struct {
	cols     []string
	read     string // the row by id
	readMany string // the rows whose ids are in a JSON array
	insert   string // the row unless its id exists
	upsert   string // the row, replacing any version
}

// columns returns a table's column names, sorted; cached per table.
func (db *DB) columns(ctx context.Context, q querier, table string) ([]string, error) {
	t, err := db.statements(ctx, q, table)
	if err != nil {
		return nil, err
	}
	return t.cols, nil
}

// statements returns a table's columns and row statements, built the
// first time.
func (db *DB) statements(ctx context.Context, q querier, table string) (*tableSQL, error) {
	db.sqlMu.Lock()
	defer db.sqlMu.Unlock()
	if t, ok := db.tableSQL[table]; ok {
		return t, nil
	}
	cols, err := tableColumns(ctx, q, table)
	if err != nil {
		return nil, err
	}
	sort.Strings(cols)
	set := make([]string, 0, len(cols))
	for _, c := range cols {
		if c != "id" {
			set = append(set, c+" = excluded."+c)
		}
	}
	list := strings.Join(cols, ", ")
	insert := "INSERT INTO " + table + "(" + list + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	t := &tableSQL{cols: cols, read: "SELECT " + list + " FROM " + table + " WHERE id = ?",
		readMany: "SELECT " + list + " FROM " + table + " WHERE id IN (SELECT value FROM json_each(?))",
		insert:   insert + " ON CONFLICT(id) DO NOTHING", upsert: insert + " ON CONFLICT(id) DO UPDATE SET " + strings.Join(set, ", ")}
	if db.tableSQL == nil {
		db.tableSQL = make(map[string]*tableSQL)
	}
	db.tableSQL[table] = t
	return t, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// query runs text on q, with the transaction's prepared statement when q is
// a write transaction.
func query(ctx context.Context, q querier, text string, args ...any) (*sql.Rows, error) {
	if tx, ok := q.(*Tx); ok {
		st, err := tx.prepared(ctx, text)
		if err != nil {
			return nil, err
		}
		return st.QueryContext(ctx, args...)
	}
	return q.QueryContext(ctx, text, args...)
}

// IsReplicated reports whether a table is registered for sync.
func (db *DB) IsReplicated(table string) bool {
	for _, t := range db.tables {
		if t == table {
			return true
		}
	}
	return false
}

// ReadRow reads one row of a replicated table; ErrNotFound when absent.
func (db *DB) ReadRow(ctx context.Context, q querier, table, id string) (Row, error) {
	if !db.IsReplicated(table) {
		return Row{}, fmt.Errorf("table %q is not replicated", table)
	}
	t, err := db.statements(ctx, q, table)
	if err != nil {
		return Row{}, err
	}
	rows, err := query(ctx, q, t.read, id)
	if err != nil {
		return Row{}, err
	}
	if !rows.Next() {
		err := rows.Err()
		rows.Close()
		if err != nil {
			return Row{}, err
		}
		return Row{}, ErrNotFound
	}
	r, err := scanRow(rows, table, t.cols)
	rows.Close()
	if err != nil {
		return r, err
	}
	one := map[string]Row{id: r}
	if err := db.readClocks(ctx, q, table, one); err != nil {
		return r, err
	}
	return one[id], nil
}

// ReadRows reads the rows of a replicated table with the given ids in one
// query, by id; an id with no row is absent from the result. Sync reads a
// batch's rows this way rather than one query a row.
func (db *DB) ReadRows(ctx context.Context, q querier, table string, ids []string) (map[string]Row, error) {
	if !db.IsReplicated(table) {
		return nil, fmt.Errorf("table %q is not replicated", table)
	}
	t, err := db.statements(ctx, q, table)
	if err != nil {
		return nil, err
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := query(ctx, q, t.readMany, string(list))
	if err != nil {
		return nil, err
	}
	out := make(map[string]Row, len(ids))
	for rows.Next() {
		r, err := scanRow(rows, table, t.cols)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out[r.ID()] = r
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	return out, db.readClocks(ctx, q, table, out)
}

// scanRow reads the current row of rows, which selects cols of table.
func scanRow(rows *sql.Rows, table string, cols []string) (Row, error) {
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return Row{}, err
	}
	r := Row{Table: table, Values: make(map[string]any, len(cols))}
	for i, c := range cols {
		r.Values[c] = vals[i]
	}
	return r, nil
}

// Validate checks a row received from a peer against the local schema: a
// replicated table, known columns only, every column present, and the sync
// columns of the right type. It says what is wrong, in French.
func (db *DB) Validate(ctx context.Context, r Row) error {
	if !db.IsReplicated(r.Table) {
		return i18n.Error(nil, "store.row.unknown_table", "Table", r.Table)
	}
	cols, err := db.columns(ctx, db.r, r.Table)
	if err != nil {
		return err
	}
	if len(r.Values) != len(cols) {
		return i18n.Error(nil, "store.row.columns", "Table", r.Table, "Got", len(r.Values), "Want", len(cols))
	}
	for _, c := range cols {
		if _, ok := r.Values[c]; !ok {
			return i18n.Error(nil, "store.row.missing", "Table", r.Table, "Column", c)
		}
	}
	if r.ID() == "" || r.Scope() == "" || r.Origin() == "" || r.HLC() <= 0 {
		return i18n.Error(nil, "store.row.identity", "Table", r.Table)
	}
	if d, ok := r.Values["deleted"].(int64); !ok || (d != 0 && d != 1) {
		return i18n.Error(nil, "store.row.deleted", "Table", r.Table, "ID", r.ID())
	}
	clocked := clockedColumns(cols)
	for col, c := range r.Clocks {
		if !slices.Contains(clocked, col) || c.HLC <= 0 || c.Origin == "" || c.PrevHLC < 0 {
			return i18n.Error(nil, "store.row.clock", "Table", r.Table, "ID", r.ID(), "Column", col)
		}
	}
	return nil
}

// LatestHLC is the newest stamp a row carries, its columns' included: the
// clock guard judges that one.
func (r Row) LatestHLC() int64 {
	latest := r.HLC()
	for _, c := range r.Clocks {
		latest = max(latest, c.HLC)
	}
	return latest
}

// Outcome is what applying a remote row did.
type Outcome int

const (
	Same       Outcome = iota // the same version was already here
	Applied                   // the remote version replaced or created the row
	KeptLocal                 // the local version won; the remote one is older
	DeleteWon                 // a remote delete beat a concurrent local edit
	KeptDelete                // a local delete beat a concurrent remote edit
	Merged                    // each side's columns won some: a new version of both
)

// Concurrency tells Apply whether the local version of a row was written
// without the sender having seen it (an edit not yet sent, or not yet
// received by the sender): only then is a lost version a conflict.
type Concurrency func(localSeq int64, localOrigin string) bool

// Apply merges a remote row inside a write transaction, last writer wins on
// (hlc, origin), a delete winning over a concurrent edit. The losing version
// of a concurrent pair goes to the conflicts table; nothing is dropped
// silently. When a delete wins against a newer edit, the winner is written
// again with a new local stamp, so every node converges on it.
func (db *DB) Apply(ctx context.Context, tx *Tx, remote Row, concurrent Concurrency) (Outcome, error) {
	remote, err := db.settleUnique(ctx, tx, remote)
	if err != nil {
		return 0, err
	}
	// Most rows of a backlog are new here: they are inserted at once, and
	// the local version read only when there is one.
	inserted, err := db.insertRow(ctx, tx, remote)
	if err != nil {
		return 0, err
	}
	if inserted {
		return Applied, nil
	}
	local, err := db.ReadRow(ctx, tx, remote.Table, remote.ID())
	if err != nil {
		return 0, err
	}
	if sameRow(local, remote) {
		return Same, nil
	}
	var seq int64
	st, err := tx.prepared(ctx, "SELECT seq FROM changes WHERE tbl = ? AND row_id = ?")
	if err != nil {
		return 0, err
	}
	if err := st.QueryRowContext(ctx, remote.Table, remote.ID()).Scan(&seq); err != nil {
		return 0, fmt.Errorf("change log of %s %s: %w", remote.Table, remote.ID(), err)
	}
	// Versions that differ only by their stamps lose nothing to each other.
	conc := concurrent != nil && concurrent(seq, local.Origin()) && !sameContent(local, remote)
	if !local.Deleted() && !remote.Deleted() {
		return db.merge(ctx, tx, local, remote, conc)
	}
	// A deletion settles the whole row: it wins over a concurrent edit.
	switch {
	case conc && remote.Deleted() && !local.Deleted() && !newer(remote, local):
		restamped := restamp(remote, tx)
		if err := db.recordConflict(ctx, tx, local, restamped, nil); err != nil {
			return 0, err
		}
		return DeleteWon, db.writeRow(ctx, tx, restamped)
	case conc && local.Deleted() && !remote.Deleted() && newer(remote, local):
		restamped := restamp(local, tx)
		if err := db.recordConflict(ctx, tx, remote, restamped, nil); err != nil {
			return 0, err
		}
		return KeptDelete, db.writeRow(ctx, tx, restamped)
	case newer(remote, local):
		if conc {
			if err := db.recordConflict(ctx, tx, local, remote, nil); err != nil {
				return 0, err
			}
		}
		if err := db.writeRow(ctx, tx, remote); err != nil {
			return 0, err
		}
		return Applied, db.writeClocks(ctx, tx, remote)
	default:
		if conc {
			if err := db.recordConflict(ctx, tx, remote, local, nil); err != nil {
				return 0, err
			}
		}
		return KeptLocal, nil
	}
}

// merge settles two live versions of a row column by column: each column
// takes the value of its latest change (its clock), so that a password reset
// on one side and a disabling on the other both hold. Only a column changed
// on both sides without either seeing the other's change is a conflict (see
// lostTo); the losing side's version is kept for those columns. A column
// changed on neither side since the row was created, yet different (a row
// created on two nodes under one natural id), is settled by the rows' stamps.
func (db *DB) merge(ctx context.Context, tx *Tx, local, remote Row, conc bool) (Outcome, error) {
	merged := Row{Table: local.Table, Values: maps.Clone(local.Values), Clocks: map[string]ColClock{}}
	var lostLocal, lostRemote []string
	fromRemote, fromLocal := 0, 0
	t, err := db.statements(ctx, tx, local.Table)
	if err != nil {
		return 0, err
	}
	for _, col := range clockedColumns(t.cols) {
		lc, rc := local.Clocks[col], remote.Clocks[col]
		if equalValue(local.Values[col], remote.Values[col]) {
			if rc.after(lc) {
				lc = rc
			}
			if !lc.zero() {
				merged.Clocks[col] = lc
			}
			continue
		}
		remoteWins := rc.after(lc)
		if lc.zero() && rc.zero() {
			remoteWins = newer(remote, local)
		}
		switch {
		case remoteWins:
			merged.Values[col] = remote.Values[col]
			fromRemote++
			if lc.lostTo(rc, conc) {
				lostLocal = append(lostLocal, col)
			}
			if !rc.zero() {
				merged.Clocks[col] = rc
			}
		default:
			fromLocal++
			if rc.lostTo(lc, conc) {
				lostRemote = append(lostRemote, col)
			}
			if !lc.zero() {
				merged.Clocks[col] = lc
			}
		}
	}
	if len(lostLocal) > 0 {
		if err := db.recordConflict(ctx, tx, local, remote, lostLocal); err != nil {
			return 0, err
		}
	}
	if len(lostRemote) > 0 {
		if err := db.recordConflict(ctx, tx, remote, local, lostRemote); err != nil {
			return 0, err
		}
	}
	switch {
	case fromRemote == 0 && fromLocal == 0 && newer(remote, local):
		// The same content: the newer stamp, so every node holds one version.
		if err := db.writeRow(ctx, tx, remote); err != nil {
			return 0, err
		}
		return Applied, db.writeClocks(ctx, tx, merged)
	case fromRemote == 0:
		// Nothing of the remote version is newer here; equal values may
		// still bring newer clocks.
		return KeptLocal, db.writeClocks(ctx, tx, merged)
	case fromLocal == 0 && newer(remote, local):
		merged.Values["hlc"], merged.Values["origin"] = remote.HLC(), remote.Origin()
		if err := db.writeRow(ctx, tx, merged); err != nil {
			return 0, err
		}
		return Applied, db.writeClocks(ctx, tx, merged)
	}
	// A version neither side had, or the remote's columns under an older
	// stamp than the local row's: written anew here, so that it reaches every
	// node, the one the remote version came from included.
	merged.Values["hlc"], merged.Values["origin"] = tx.HLC, tx.Origin
	if err := db.writeRow(ctx, tx, merged); err != nil {
		return 0, err
	}
	return Merged, db.writeClocks(ctx, tx, merged)
}

// settleUnique resolves a clash on a table's unique column: two nodes gave
// two rows the same value (a login) while apart. The row created later (ids
// are UUIDv7, ordered by creation) gets "value-<4 chars of its id>", the same
// on every node, and its flag; the change is a new local write, so it
// reaches every node, and the event is kept in conflicts for an admin.
func (db *DB) settleUnique(ctx context.Context, tx *Tx, remote Row) (Row, error) {
	rule, ok := db.unique[remote.Table]
	value, _ := remote.Values[rule.Column].(string)
	if !ok || remote.Deleted() || value == "" {
		return remote, nil
	}
	var otherID string
	st, err := tx.prepared(ctx, "SELECT id FROM "+remote.Table+" WHERE "+rule.Column+" = ? COLLATE NOCASE AND deleted = 0 AND id != ?")
	if err != nil {
		return remote, err
	}
	err = st.QueryRowContext(ctx, value, remote.ID()).Scan(&otherID)
	if errors.Is(err, sql.ErrNoRows) {
		return remote, nil
	}
	if err != nil {
		return remote, err
	}
	if remote.ID() > otherID { // the incoming row is the later one
		renamed := renameUnique(restamp(remote, tx), rule, tx)
		return renamed, db.recordConflict(ctx, tx, remote, renamed, nil)
	}
	other, err := db.ReadRow(ctx, tx, remote.Table, otherID)
	if err != nil {
		return remote, err
	}
	renamed := renameUnique(restamp(other, tx), rule, tx)
	if err := db.recordConflict(ctx, tx, other, renamed, nil); err != nil {
		return remote, err
	}
	if err := db.writeRow(ctx, tx, renamed); err != nil {
		return remote, err
	}
	return remote, db.writeClocks(ctx, tx, renamed)
}

// renameUnique gives r's unique column its derived value and raises its
// flag, both changes of this node's, stamped as such.
func renameUnique(r Row, rule UniqueRule, tx *Tx) Row {
	r.Values[rule.Column] = fmt.Sprintf("%s-%s", r.Values[rule.Column], strings.ReplaceAll(r.ID(), "-", "")[28:32])
	r.Values[rule.Flag] = int64(1)
	for _, col := range []string{rule.Column, rule.Flag} {
		prev := r.Clocks[col]
		r.Clocks[col] = ColClock{HLC: tx.HLC, Origin: tx.Origin, PrevHLC: prev.HLC, PrevOrigin: prev.Origin}
	}
	return r
}

// restamp is a copy of r written anew by this node in tx.
func restamp(r Row, tx *Tx) Row {
	c := Row{Table: r.Table, Values: make(map[string]any, len(r.Values)), Clocks: maps.Clone(r.Clocks)}
	if c.Clocks == nil {
		c.Clocks = map[string]ColClock{}
	}
	for k, v := range r.Values {
		c.Values[k] = v
	}
	c.Values["hlc"] = tx.HLC
	c.Values["origin"] = tx.Origin
	return c
}

func sameRow(a, b Row) bool { return equalValues(a, b, false) }

// sameContent compares rows but for their hlc and origin stamps.
func sameContent(a, b Row) bool { return equalValues(a, b, true) }

func equalValues(a, b Row, ignoreStamps bool) bool {
	if len(a.Values) != len(b.Values) {
		return false
	}
	for k, av := range a.Values {
		if ignoreStamps && (k == "hlc" || k == "origin") {
			continue
		}
		bv, ok := b.Values[k]
		if !ok {
			return false
		}
		ab, aIsBytes := av.([]byte)
		bb, bIsBytes := bv.([]byte)
		if aIsBytes || bIsBytes {
			if !bytes.Equal(ab, bb) {
				return false
			}
			continue
		}
		if av != bv {
			return false
		}
	}
	return true
}

// writeRow upserts every column of r. The change-log triggers record it with
// its own origin, so it is relayed onward but never back to its origin.
func (db *DB) writeRow(ctx context.Context, tx *Tx, r Row) error {
	_, err := db.execRow(ctx, tx, r, func(t *tableSQL) string { return t.upsert })
	return err
}

// insertRow writes r unless a row with its id exists, and reports whether
// it did.
func (db *DB) insertRow(ctx context.Context, tx *Tx, r Row) (bool, error) {
	n, err := db.execRow(ctx, tx, r, func(t *tableSQL) string { return t.insert })
	if err != nil || n != 1 || len(r.Clocks) == 0 {
		return n == 1, err
	}
	// A new row here has no clocks yet: most of a backlog pays nothing more.
	return true, db.writeClocks(ctx, tx, r)
}

// execRow runs one of a table's row statements with r's values, and
// returns how many rows it wrote.
func (db *DB) execRow(ctx context.Context, tx *Tx, r Row, statement func(*tableSQL) string) (int64, error) {
	t, err := db.statements(ctx, tx, r.Table)
	if err != nil {
		return 0, err
	}
	args := make([]any, len(t.cols))
	for i, c := range t.cols {
		args[i] = r.Values[c]
	}
	st, err := tx.prepared(ctx, statement(t))
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("%s %s : %w", r.Table, r.ID(), err)
	}
	return res.RowsAffected()
}

func (db *DB) recordConflict(ctx context.Context, tx *Tx, loser, winner Row, columns []string) error {
	data, err := json.Marshal(db.blankSecrets(loser))
	if err != nil {
		return err
	}
	// The id derives from the losing version, so two nodes recording the
	// same loss make one row.
	id := NaturalID("conflict", loser.Table, loser.ID(), fmt.Sprint(loser.HLC()), loser.Origin())
	_, err = tx.ExecContext(ctx, `INSERT INTO conflicts(id, scope, hlc, origin, tbl, row_id, loser, winner_hlc, winner_origin, at, columns)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`, id, loser.Scope(), tx.HLC, tx.Origin, loser.Table, loser.ID(),
		string(data), winner.HLC(), winner.Origin(), time.Now().UTC().Format(time.RFC3339), strings.Join(columns, ","))
	return err
}

// Conflict is a version that lost to a concurrent one, kept for an admin.
type Conflict struct {
	ID           string
	Table, RowID string
	Scope        string
	Loser        Row
	WinnerHLC    int64
	WinnerOrigin string
	At           time.Time
	Restored     bool
	Columns      []string // the columns that lost; none when the whole row did
	Label        Label    // what people call the table's rows and columns
}

// Conflicts lists kept versions for the given scopes (all when none), newest first.
func (db *DB) Conflicts(ctx context.Context, scopes ...string) ([]Conflict, error) {
	q := "SELECT id, tbl, row_id, scope, loser, winner_hlc, winner_origin, at, restored_at != '', columns FROM conflicts WHERE deleted = 0"
	args := make([]any, len(scopes))
	if len(scopes) > 0 {
		q += " AND scope IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(scopes)), ", ") + ")"
		for i, s := range scopes {
			args[i] = s
		}
	}
	rows, err := db.r.QueryContext(ctx, q+" ORDER BY at DESC, id LIMIT 500", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Conflict
	for rows.Next() {
		var c Conflict
		var loser, at, columns string
		if err := rows.Scan(&c.ID, &c.Table, &c.RowID, &c.Scope, &loser, &c.WinnerHLC, &c.WinnerOrigin, &at, &c.Restored, &columns); err != nil {
			return nil, err
		}
		if columns != "" {
			c.Columns = strings.Split(columns, ",")
		}
		if err := json.Unmarshal([]byte(loser), &c.Loser); err != nil {
			return nil, fmt.Errorf("conflict %s: %w", c.ID, err)
		}
		c.At, _ = time.Parse(time.RFC3339, at)
		c.Label = db.Label(c.Table)
		out = append(out, c)
	}
	return out, rows.Err()
}

// RestoreConflict writes a kept version back as a new local edit, which then
// replicates like any other write: the whole row, or only the columns that
// lost when the conflict concerned some.
func (db *DB) RestoreConflict(ctx context.Context, id string) error {
	return db.Write(ctx, func(tx *Tx) error {
		var loser, columns string
		err := tx.QueryRowContext(ctx, "SELECT loser, columns FROM conflicts WHERE deleted = 0 AND id = ?", id).Scan(&loser, &columns)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var kept Row
		if err := json.Unmarshal([]byte(loser), &kept); err != nil {
			return err
		}
		r := restamp(kept, tx)
		if cur, err := db.ReadRow(ctx, tx, kept.Table, kept.ID()); err == nil {
			if columns != "" {
				r = restamp(cur, tx)
				for _, col := range strings.Split(columns, ",") {
					r.Values[col] = kept.Values[col]
				}
			}
			// Kept versions hold no credentials: the row keeps its current ones.
			for _, col := range db.secrets[r.Table] {
				r.Values[col] = cur.Values[col]
			}
		}
		// The write's own trigger stamps the columns it changes.
		if err := db.writeRow(ctx, tx, r); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE conflicts SET restored_at = ?, hlc = ?, origin = ? WHERE id = ?",
			time.Now().UTC().Format(time.RFC3339), tx.HLC, tx.Origin, id)
		return err
	})
}
