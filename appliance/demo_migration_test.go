package appliance

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"

	"preau/appliance/store"
)

// A node that seeded its demo school before the marks named features keeps
// it seeded: its mark becomes the register's, the only part there was.
func TestDemoMarksOfBeforeFeatures(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first, err := fs.ReadFile(demoSchema.FS, "0001_demo_seeds.sql")
	if err != nil {
		t.Fatal(err)
	}
	before := store.Schema{Name: demoSchema.Name, FS: fstest.MapFS{"0001_demo_seeds.sql": {Data: first}}}
	if err := db.Migrate(ctx, before); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO demo_seeds(school_id, seeded_at) VALUES ('ecole-a', '2026-11-20T08:00:00Z')")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, demoSchema); err != nil {
		t.Fatal(err)
	}
	var feature, at string
	if err := db.Reader().QueryRowContext(ctx, "SELECT feature, seeded_at FROM demo_seeds WHERE school_id = 'ecole-a'").Scan(&feature, &at); err != nil ||
		feature != "roster" || at != "2026-11-20T08:00:00Z" {
		t.Fatalf("mark after the migration: %q %q %v", feature, at, err)
	}
}
