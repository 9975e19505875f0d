package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Schema is one component's part of the database: its numbered migration
// files (NNNN_name.sql, applied in order, never edited once released) and
// the tables it owns that replicate between nodes.
type Schema struct {
	Name       string
	FS         fs.FS // holds the .sql files at its root; nil for none
	Replicated []string
	// Audience widens, per table, the rows central sends a school beyond
	// those of its scope and the global ones: an SQL condition on the
	// table's columns where :school is the receiving school's id (a parent
	// registered at another school, linked to a pupil of this one).
	Audience map[string]string
	// Blobs names, per table, the column holding the SHA-256 of a file the
	// row references; sync transfers the file after the row.
	Blobs map[string]string
	// Unique names, per table, a column whose live values must stay unique
	// city-wide (a login) although two nodes may pick the same value while
	// apart; sync then renames the later row's value and sets its flag column.
	Unique map[string]UniqueRule
	// Carries names, per table, rows that writing one of its rows carries
	// along: a parent's account enters a school's audience when it is linked
	// to a pupil there, so writing the link logs the account again (same
	// content, clock and origin), for central to send it where it now goes.
	Carries map[string][]Carry
	// PushChecks gives, per replicated table, the rule central applies to
	// every row a school pushes: what that school's own users could have
	// written through the pages and the API. A table without one is refused.
	PushChecks map[string]PushCheck
	// Secrets names, per table, credential columns (password hashes, card
	// secrets) that go only to the nodes where the row's account logs in:
	// central blanks them in the global rows it sends to schools.
	Secrets map[string][]string
	// Labels name, per replicated table, what people call its rows and the
	// columns worth showing: sync shows a conflict's losing version by them
	// for a director to restore. A table without one shows its name.
	Labels map[string]Label
	// Cached names, per table whose files are blobs, how a school keeps
	// the files of its global rows (the city's library): in a cache under
	// its budget rather than for good, fetched when the link is idle or
	// when asked for (see sync's cache).
	Cached map[string]CacheRule
}

// CacheRule is how the files of a table's global rows are cached at a
// school.
type CacheRule struct {
	Size    string // the column holding the file's size in bytes
	Targets string // the column of the schools a row is meant for (feature.Targets), "" for every school
	// Name is the column that names the file for people (a document's
	// name, a release's version), for the director's page of the cache.
	Name string
	// Signed says the files are the city's content, which a school caches
	// and serves only when the city's signed library lists them (see
	// feature.Signatures); a file verified otherwise (an update bundle
	// carries its own signatures) is not.
	Signed bool
}

// Label is how people name a replicated table's rows.
type Label struct {
	Row string // "Compte"
	// Columns are those worth showing, in the order shown; the others (ids,
	// clocks, secrets' hashes) stay hidden, and the row's name is its title.
	Columns []ColumnLabel
}

// ColumnLabel names a column for people.
type ColumnLabel struct {
	Column, Label string
	Flag          bool              // 0 or 1, shown as « non » or « oui »
	Values        map[string]string // what people call the column's values, when they are codes ("teacher")
}

// GlobalScope is the scope of the rows every node holds.
const GlobalScope = "global"

// Carry is a row carried along: the row of Table whose id is in Column.
type Carry struct {
	Column string
	Table  string
}

// UniqueRule is a column kept unique across nodes, case-insensitively.
type UniqueRule struct {
	Column string // e.g. login
	Flag   string // set to 1 on a row whose value sync had to change
}

//go:embed migrations/*.sql
var coreMigrations embed.FS

var coreSchema = Schema{Name: "store", FS: sub(coreMigrations, "migrations"), Replicated: []string{"conflicts"},
	PushChecks: map[string]PushCheck{"conflicts": checkConflict}}

// sub narrows an embedded FS to a folder; components use it the same way.
func sub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Sub is fs.Sub for embedded migration folders, which cannot fail.
func Sub(f fs.FS, dir string) fs.FS { return sub(f, dir) }

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// Migrate applies the schema's migrations not applied yet, each in its own
// transaction on the writer connection, then installs the change-log
// triggers of its replicated tables.
func (db *DB) Migrate(ctx context.Context, s Schema) error {
	var files []fs.DirEntry
	if s.FS != nil { // a component whose tables another's migrations made has none of its own yet
		var err error
		if files, err = fs.ReadDir(s.FS, "."); err != nil {
			return fmt.Errorf("migrations %s: %w", s.Name, err)
		}
	}
	type mig struct {
		version int
		name    string
	}
	var migs []mig
	for _, f := range files {
		m := migrationName.FindStringSubmatch(f.Name())
		if m == nil {
			return fmt.Errorf("migrations %s: file name %q is not NNNN_name.sql", s.Name, f.Name())
		}
		v, _ := strconv.Atoi(m[1])
		migs = append(migs, mig{v, f.Name()})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })

	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))`); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for _, m := range migs {
		var n int
		if err := db.w.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE component = ? AND version = ?",
			s.Name, m.version).Scan(&n); err != nil {
			return fmt.Errorf("migrations %s: %w", s.Name, err)
		}
		if n > 0 {
			continue
		}
		body, err := fs.ReadFile(s.FS, path.Clean(m.name))
		if err != nil {
			return fmt.Errorf("migrations %s/%s: %w", s.Name, m.name, err)
		}
		if err := db.applyMigration(ctx, s.Name, m.version, string(body)); err != nil {
			return fmt.Errorf("migration %s/%s: %w", s.Name, m.name, err)
		}
		if db.log != nil {
			db.log.Info("migration applied", "component", s.Name, "file", m.name)
		}
	}
	for _, t := range s.Replicated {
		if err := db.track(ctx, t); err != nil {
			return err
		}
	}
	for t, carries := range s.Carries {
		for _, c := range carries {
			if err := db.carry(ctx, t, c); err != nil {
				return err
			}
		}
	}
	for t, col := range s.Blobs {
		if db.blobCols == nil {
			db.blobCols = make(map[string]string)
		}
		db.blobCols[t] = col
	}
	for t, rule := range s.Unique {
		if db.unique == nil {
			db.unique = make(map[string]UniqueRule)
		}
		db.unique[t] = rule
	}
	for t, check := range s.PushChecks {
		if db.pushChecks == nil {
			db.pushChecks = make(map[string]PushCheck)
		}
		db.pushChecks[t] = check
	}
	for t, cols := range s.Secrets {
		if db.secrets == nil {
			db.secrets = make(map[string][]string)
		}
		db.secrets[t] = cols
	}
	for t, l := range s.Labels {
		if db.labels == nil {
			db.labels = make(map[string]Label)
		}
		db.labels[t] = l
	}
	for t, rule := range s.Cached {
		if db.cached == nil {
			db.cached = make(map[string]CacheRule)
		}
		db.cached[t] = rule
	}
	for t, cond := range s.Audience {
		if db.audience == nil {
			db.audience = make(map[string]string)
		}
		db.audience[t] = cond
	}
	return nil
}

// BlobColumn is the column of a table that references a blob, "" if none.
func (db *DB) BlobColumn(table string) string { return db.blobCols[table] }

// Label is how people name a table's rows, its name when no schema says.
func (db *DB) Label(table string) Label {
	if l, ok := db.labels[table]; ok {
		return l
	}
	return Label{Row: table}
}

// Cached is how a table's global rows' files are cached at a school, and
// whether they are.
func (db *DB) Cached(table string) (CacheRule, bool) {
	r, ok := db.cached[table]
	return r, ok
}

// Audience is the extra condition for a table's rows sent to a school, "" if none.
func (db *DB) Audience(table string) string { return db.audience[table] }

func (db *DB) applyMigration(ctx context.Context, component string, version int, body string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations(component, version) VALUES (?, ?)", component, version); err != nil {
		return err
	}
	return tx.Commit()
}

// track installs the triggers that make a table replicated: every insert and
// update appends the row to the change log in the same transaction, every
// update must advance the row's HLC (so no write escapes stamping; an equal
// HLC from another origin is a tie that last-writer-wins settles by origin),
// and rows are never deleted, only tombstoned.
func (db *DB) track(ctx context.Context, table string) error {
	if !regexp.MustCompile(`^[a-z_][a-z0-9_]*$`).MatchString(table) {
		return fmt.Errorf("store: invalid table name %q", table)
	}
	for _, col := range []string{"id", "scope", "hlc", "origin", "deleted"} {
		var n int
		if err := db.w.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", table, col).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("store: replicated table %s lacks column %s", table, col)
		}
	}
	log := fmt.Sprintf(`DELETE FROM changes WHERE tbl = '%[1]s' AND row_id = NEW.id;
		INSERT INTO changes(tbl, row_id, origin, hlc) VALUES ('%[1]s', NEW.id, NEW.origin, NEW.hlc);`, table)
	stmts := []string{
		fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %[1]s_log_insert AFTER INSERT ON %[1]s BEGIN %[2]s END`, table, log),
		fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %[1]s_log_update AFTER UPDATE ON %[1]s BEGIN %[2]s END`, table, log),
		fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %[1]s_hlc_advances BEFORE UPDATE ON %[1]s
			WHEN NEW.hlc < OLD.hlc OR (NEW.hlc = OLD.hlc AND NEW.origin = OLD.origin)
			BEGIN SELECT RAISE(ABORT, '%[1]s: every write must take a new hlc'); END`, table),
		fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %[1]s_no_delete BEFORE DELETE ON %[1]s
			BEGIN SELECT RAISE(ABORT, '%[1]s: replicated rows are tombstoned, never deleted'); END`, table),
	}
	for _, s := range stmts {
		if _, err := db.w.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("store: track %s: %w", table, err)
		}
	}
	if err := db.installClocks(ctx, table); err != nil {
		return err
	}
	db.tables = append(db.tables, table)
	return nil
}

// carry installs the triggers that log a carried row again when a row of
// table is written.
func (db *DB) carry(ctx context.Context, table string, c Carry) error {
	name := regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	if !name.MatchString(table) || !name.MatchString(c.Column) || !name.MatchString(c.Table) {
		return fmt.Errorf("store: invalid carry %s.%s → %s", table, c.Column, c.Table)
	}
	body := fmt.Sprintf(`DELETE FROM changes WHERE tbl = '%[3]s' AND row_id = NEW.%[2]s;
		INSERT INTO changes(tbl, row_id, origin, hlc) SELECT '%[3]s', id, origin, hlc FROM %[3]s WHERE id = NEW.%[2]s;`,
		table, c.Column, c.Table)
	for _, event := range []string{"INSERT", "UPDATE"} {
		q := fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS %[1]s_carries_%[2]s_%[3]s_%[4]s AFTER %[4]s ON %[1]s BEGIN %[5]s END`,
			table, c.Table, c.Column, strings.ToLower(event), body)
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: carry %s.%s: %w", table, c.Column, err)
		}
	}
	return nil
}

// Replicated lists the replicated tables registered so far.
func (db *DB) Replicated() []string {
	return append([]string(nil), db.tables...)
}
