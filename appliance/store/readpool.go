package store

import (
	"context"
	"database/sql"
	"sync"
)

// ReadPool is the read-only connection pool. QueryContext and
// QueryRowContext reuse one prepared statement per query text: parsing and
// planning the appliance's short queries took SQLite more than half of a
// dashboard page's time (see docs/performance.md).
type ReadPool struct {
	*sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

// maxStatements bounds the cache; queries beyond it are prepared each time.
const maxStatements = 500

func newReadPool(db *sql.DB) *ReadPool {
	return &ReadPool{DB: db, stmts: make(map[string]*sql.Stmt)}
}

// QueryContext runs a query on a reader, with its prepared statement.
func (r *ReadPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query on a reader, with its prepared statement.
func (r *ReadPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.DB.QueryRowContext(ctx, query, args...)
}

// stmt returns the statement for query, preparing it the first time; nil
// when it cannot be prepared (the plain query then reports why) or the
// cache is full.
func (r *ReadPool) stmt(ctx context.Context, query string) *sql.Stmt {
	r.mu.RLock()
	st, n := r.stmts[query], len(r.stmts)
	r.mu.RUnlock()
	if st != nil || n >= maxStatements {
		return st
	}
	// Prepared outside the lock: preparing waits for a free connection,
	// which a caller iterating rows while it queries again may hold.
	st, err := r.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stmts == nil { // closed meanwhile: the plain query says so
		st.Close()
		return nil
	}
	if prev := r.stmts[query]; prev != nil {
		st.Close()
		return prev
	}
	r.stmts[query] = st
	return st
}

// Close closes the statements and the pool.
func (r *ReadPool) Close() error {
	r.mu.Lock()
	for _, st := range r.stmts {
		st.Close()
	}
	r.stmts = nil
	r.mu.Unlock()
	return r.DB.Close()
}
