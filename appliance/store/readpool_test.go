package store

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A cached statement must see later writes and schema changes, and a
// query that cannot be prepared must still report its error.
func TestReadPoolReusesStatements(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	insert := func(id, body string) {
		t.Helper()
		err := db.Write(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO notes(id, scope, hlc, origin, body) VALUES (?, 'global', ?, ?, ?)",
				id, tx.HLC, tx.Origin, body)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		t.Helper()
		var n int
		if err := db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM notes WHERE deleted = 0").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert("a", "un")
	if n := count(); n != 1 {
		t.Fatalf("count = %d, want 1", n)
	}
	insert("b", "deux")
	if n := count(); n != 2 {
		t.Fatalf("count after a write = %d, want 2 (stale statement?)", n)
	}
	if got := len(db.Reader().stmts); got == 0 {
		t.Fatal("no statement was cached")
	}

	columns := func() []string {
		t.Helper()
		rows, err := db.Reader().QueryContext(ctx, "SELECT * FROM notes ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		return cols
	}
	before := columns()
	if _, err := db.w.ExecContext(ctx, "ALTER TABLE notes ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'"); err != nil {
		t.Fatal(err)
	}
	if after := columns(); len(after) != len(before)+1 || after[len(after)-1] != "extra" {
		t.Fatalf("columns after ALTER TABLE = %v, want %v and extra", after, before)
	}

	_, err := db.Reader().QueryContext(ctx, "SELECT body FROM nowhere")
	if err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("bad query: err = %v, want the table named", err)
	}
}

// A query that races the pool's Close gets an error, never a panic: a
// service's goroutine may still be reading as the node stops.
func TestReadPoolQueryWhileClosing(t *testing.T) {
	for i := range 10 {
		db := openTest(t, t.TempDir())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for j := 0; ; j++ {
				// a new text each time: each is prepared, the window where Close lands
				rows, err := db.Reader().QueryContext(context.Background(), "SELECT "+strconv.Itoa(j)+" FROM notes")
				if err != nil {
					return
				}
				rows.Close()
			}
		}()
		time.Sleep(time.Duration(i) * 100 * time.Microsecond)
		db.Close()
		<-done
	}
}
