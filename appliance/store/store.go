// Package store owns the appliance's SQLite database: opening it with the
// right pragmas (one writer connection, a pool of readers), applying each
// component's embedded migrations, the hybrid logical clock, and the change
// log that every replicated table feeds through triggers.
//
// It imports only apperr.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"preau/appliance/apperr"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DBFile is the database's file name inside the data directory.
const DBFile = "preau.db"

// DB is the appliance's database. Writes go through Write, one at a time, on
// a single connection; reads use the reader pool through Read.
type DB struct {
	w, r   *sql.DB
	reader *ReadPool // r, with prepared statements
	dir    string
	log    *slog.Logger
	clock  *Clock
	node   Node
	mu     sync.Mutex // serialises Write so the clock and the change log agree
	tables []string   // replicated tables, in registration order

	audience map[string]string     // table → extra condition, see Schema.Audience
	blobCols map[string]string     // table → column holding a blob's hash
	cached   map[string]CacheRule  // table → how its global rows' files are cached, see Schema.Cached
	unique   map[string]UniqueRule // table → column kept unique across nodes
	secrets  map[string][]string   // table → credential columns, see Schema.Secrets
	labels   map[string]Label      // table → what people call its rows, see Schema.Labels
	// pushChecks: table → the rule a row a school pushes must pass, see Schema.PushChecks
	pushChecks map[string]PushCheck
	hooks      []func() // called after each committed write
	cache      ReadCache

	sqlMu    sync.Mutex
	tableSQL map[string]*tableSQL // replicated tables' columns and row statements
}

// Node is this node's identity in the sync protocol. The epoch changes
// whenever the data directory is restored from a backup, so that a counter
// value is never handed out twice under the same identity.
type Node struct {
	ID    string
	Epoch string
}

// Durability is how a commit reaches the disk: SQLite's synchronous mode,
// in WAL.
type Durability string

const (
	// Durable commits are on the disk before they return (FULL: an fsync
	// of the WAL per commit): a power cut loses nothing that was answered
	// as saved. A school's box may lose power at any moment.
	Durable Durability = "full"
	// Fast commits reach the disk at the next checkpoint (NORMAL): safe
	// from corruption and from a process crash, but a power cut may lose
	// the last transactions. For tests and benchmarks.
	Fast Durability = "normal"
)

// Open opens (creating if needed) the database in dir, durable, and
// applies the store's own schema. Components then call Migrate with theirs.
func Open(ctx context.Context, dir string, log *slog.Logger) (*DB, error) {
	return OpenWith(ctx, dir, log, Durable)
}

// OpenWith is Open with a choice of durability.
func OpenWith(ctx context.Context, dir string, log *slog.Logger, d Durability) (*DB, error) {
	if d != Durable && d != Fast {
		return nil, fmt.Errorf("unknown durability %q", d)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("creating the data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, DBFile)
	pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(on)&_pragma=synchronous(" + string(d) + ")"
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(on)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(max(4, 2*runtime.NumCPU()))
	r.SetMaxIdleConns(max(4, 2*runtime.NumCPU()))
	db := &DB{w: w, r: r, reader: newReadPool(r), dir: dir, log: log}
	if err := db.Migrate(ctx, coreSchema); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.loadNode(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.reader.Close(), db.w.Close())
}

// Dir is the data directory the database lives in.
func (db *DB) Dir() string { return db.dir }

// Node is this node's identity.
func (db *DB) Node() Node { return db.node }

// Clock is this node's hybrid logical clock.
func (db *DB) Clock() *Clock { return db.clock }

// Reader is the read-only pool, for queries outside a write transaction.
func (db *DB) Reader() *ReadPool { return db.reader }

// Ping checks that the database answers, for /healthz.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Tx is a write transaction. Every row it writes to a replicated table is
// stamped with the transaction's HLC and this node's id as origin.
type Tx struct {
	*sql.Tx
	HLC    int64
	Origin string
	stmts  map[string]*sql.Stmt // see prepared
}

// prepared is the transaction's prepared statement for query, made the
// first time: sync merges hundreds of rows a transaction with the same few
// statements, and SQLite took longer parsing each than running it. The
// transaction closes them when it ends.
func (tx *Tx) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[query]; ok {
		return st, nil
	}
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if tx.stmts == nil {
		tx.stmts = make(map[string]*sql.Stmt)
	}
	tx.stmts[query] = st
	return st, nil
}

// Write runs fn in a write transaction and commits it when fn returns nil.
// The transaction takes the next value of the node's clock; the clock's new
// high-water mark is persisted in the same transaction.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, HLC: db.clock.Now(), Origin: db.node.ID}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if _, err := sqlTx.ExecContext(ctx, "UPDATE node SET hlc = max(hlc, ?)", tx.HLC); err != nil {
		sqlTx.Rollback()
		return fmt.Errorf("store: persist clock: %w", err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	db.cache.invalidate()
	for _, h := range db.hooks {
		h()
	}
	return nil
}

// OnCommit registers f to run after every committed write; f must not block
// (sync uses it to wake up when a local write waits to be sent).
func (db *DB) OnCommit(f func()) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.hooks = append(db.hooks, f)
}

// NewID returns a new row id: a UUIDv7, so ids sort by creation time.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// NaturalID derives a stable id from a row's natural key, so that two nodes
// creating the same link or acknowledgement while apart produce one row.
func NaturalID(parts ...string) string {
	data := ""
	for _, p := range parts {
		data += p + "\x00"
	}
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte(data)).String()
}

// ErrNotFound is returned when a looked-up row does not exist: apperr's,
// which the web layer answers with 404.
var ErrNotFound = apperr.ErrNotFound

func (db *DB) loadNode(ctx context.Context) error {
	var n Node
	var hlc int64
	err := db.r.QueryRowContext(ctx, "SELECT id, epoch, hlc FROM node").Scan(&n.ID, &n.Epoch, &hlc)
	if errors.Is(err, sql.ErrNoRows) {
		n = Node{ID: NewID(), Epoch: NewID()}
		if _, err := db.w.ExecContext(ctx, "INSERT INTO node(id, epoch, hlc) VALUES (?, ?, 0)", n.ID, n.Epoch); err != nil {
			return fmt.Errorf("store: create node identity: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("store: read node identity: %w", err)
	}
	db.node = n
	db.clock = NewClock(hlc)
	return nil
}

// RenewEpoch gives the node a new epoch. Restore calls it: the restored copy
// may reuse counter values the lost original already handed out.
func (db *DB) RenewEpoch(ctx context.Context) error {
	epoch := NewID()
	if _, err := db.w.ExecContext(ctx, "UPDATE node SET epoch = ?", epoch); err != nil {
		return fmt.Errorf("store: renew epoch: %w", err)
	}
	db.node.Epoch = epoch
	return nil
}
