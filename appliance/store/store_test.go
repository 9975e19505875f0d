package store

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// testSchema is a replicated table used only by these tests.
var testSchema = Schema{
	Name: "storetest",
	FS: fstest.MapFS{"0001_notes.sql": {Data: []byte(`CREATE TABLE notes (
		id TEXT PRIMARY KEY, scope TEXT NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL,
		deleted INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL)`)}},
	Replicated: []string{"notes"},
}

func openTest(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background(), testSchema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type change struct {
	seq      int64
	tbl, row string
	hlc      int64
}

func changes(t *testing.T, db *DB) []change {
	t.Helper()
	rows, err := db.Reader().Query("SELECT seq, tbl, row_id, hlc FROM changes ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []change
	for rows.Next() {
		var c change
		rows.Scan(&c.seq, &c.tbl, &c.row, &c.hlc)
		out = append(out, c)
	}
	return out
}

func TestEveryWriteIsLogged(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	var first int64
	err := db.Write(ctx, func(tx *Tx) error {
		first = tx.HLC
		_, err := tx.Exec("INSERT INTO notes(id, scope, hlc, origin, body) VALUES ('a', 'global', ?, ?, 'un'), ('b', 'global', ?, ?, 'deux')",
			tx.HLC, tx.Origin, tx.HLC, tx.Origin)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cs := changes(t, db)
	if len(cs) != 2 || cs[0].row != "a" || cs[1].row != "b" || cs[0].hlc != first {
		t.Fatalf("inserts not logged: %+v", cs)
	}
	// An update moves the row to the end of the log with its new clock.
	err = db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE notes SET body = 'UN', hlc = ?, origin = ? WHERE id = 'a'", tx.HLC, tx.Origin)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cs = changes(t, db)
	if len(cs) != 2 || cs[1].row != "a" || cs[1].hlc <= first || cs[1].seq <= cs[0].seq {
		t.Fatalf("update not logged at the end: %+v", cs)
	}
	// A tombstone is an update too.
	db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE notes SET deleted = 1, hlc = ?, origin = ? WHERE id = 'b'", tx.HLC, tx.Origin)
		return err
	})
	if cs = changes(t, db); cs[len(cs)-1].row != "b" {
		t.Fatalf("tombstone not logged: %+v", cs)
	}
}

func TestWriteMustStampAndNeverDelete(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("INSERT INTO notes(id, scope, hlc, origin, body) VALUES ('a', 'global', ?, ?, 'un')", tx.HLC, tx.Origin)
		return err
	})
	err := db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE notes SET body = 'sans horloge' WHERE id = 'a'")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "new hlc") {
		t.Fatalf("unstamped update accepted: %v", err)
	}
	err = db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("DELETE FROM notes WHERE id = 'a'")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "tombstoned") {
		t.Fatalf("hard delete accepted: %v", err)
	}
	var body string
	db.Reader().QueryRow("SELECT body FROM notes WHERE id = 'a'").Scan(&body)
	if body != "un" {
		t.Fatalf("refused writes changed the row: %q", body)
	}
}

// A failed transaction leaves neither rows nor log entries.
func TestRollbackLogsNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	err := db.Write(ctx, func(tx *Tx) error {
		tx.Exec("INSERT INTO notes(id, scope, hlc, origin, body) VALUES ('a', 'global', ?, ?, 'un')", tx.HLC, tx.Origin)
		return context.Canceled
	})
	if err == nil {
		t.Fatal("error lost")
	}
	if cs := changes(t, db); len(cs) != 0 {
		t.Fatalf("rolled-back write logged: %+v", cs)
	}
}

func TestReplicatedTableNeedsColumns(t *testing.T) {
	db := openTest(t, t.TempDir())
	bad := Schema{Name: "bad", FS: fstest.MapFS{"0001_x.sql": {Data: []byte("CREATE TABLE x (id TEXT PRIMARY KEY, body TEXT)")}},
		Replicated: []string{"x"}}
	if err := db.Migrate(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "lacks column") {
		t.Fatalf("table without sync columns accepted: %v", err)
	}
}

func TestMigrationsApplyOnce(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir).Close()
	db := openTest(t, dir) // a second open must not re-run 0001 (CREATE TABLE would fail)
	var n int
	db.Reader().QueryRow("SELECT count(*) FROM schema_migrations WHERE component = 'storetest'").Scan(&n)
	if n != 1 {
		t.Fatalf("migration recorded %d times", n)
	}
	bad := Schema{Name: "misnamed", FS: fstest.MapFS{"first.sql": {Data: []byte("SELECT 1")}}}
	if err := db.Migrate(context.Background(), bad); err == nil {
		t.Fatal("misnamed migration accepted")
	}
}

// The clock survives a restart: the next value is above every persisted one,
// even if the wall clock went back.
func TestClockPersisted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)
	future := MakeHLC(time.Now().Add(time.Hour), 0)
	db.Clock().Observe(future)
	var used int64
	db.Write(ctx, func(tx *Tx) error { used = tx.HLC; return nil })
	node := db.Node()
	db.Close()

	db = openTest(t, dir)
	if db.Node() != node {
		t.Fatalf("node identity changed across restart: %+v → %+v", node, db.Node())
	}
	if next := db.Clock().Now(); next <= used || used <= future {
		t.Fatalf("clock went back across restart: used %d, next %d", used, next)
	}
}

func TestClockMonotonic(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	c := NewClock(0)
	c.now = func() time.Time { return now }
	a := c.Now()
	b := c.Now()
	now = now.Add(-time.Minute) // the wall clock steps back
	d := c.Now()
	if !(a < b && b < d) {
		t.Fatalf("not monotonic: %d %d %d", a, b, d)
	}
	if got := HLCTime(a); !got.Equal(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("HLCTime = %v", got)
	}
}

func TestRenewEpoch(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir)
	before := db.Node()
	if err := db.RenewEpoch(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openTest(t, dir)
	if db.Node().ID != before.ID || db.Node().Epoch == before.Epoch {
		t.Fatalf("epoch not renewed and persisted: %+v → %+v", before, db.Node())
	}
}

// Writers from many goroutines serialize without "database is locked".
func TestConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		go func(i int) {
			errs <- db.Write(ctx, func(tx *Tx) error {
				_, err := tx.Exec("INSERT INTO notes(id, scope, hlc, origin, body) VALUES (?, 'global', ?, ?, 'x')", NewID(), tx.HLC, tx.Origin)
				return err
			})
		}(i)
	}
	for i := 0; i < 50; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if cs := changes(t, db); len(cs) != 50 {
		t.Fatalf("%d changes, want 50", len(cs))
	}
}
