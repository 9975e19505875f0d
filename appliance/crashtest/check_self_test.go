package crashtest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"preau/appliance"
	"preau/appliance/apptest"
	"preau/appliance/config"
	"preau/appliance/store"
)

// The checks the crash test makes after each kill do fail: on a write the
// ledger holds but the database does not, and on a blob whose bytes
// changed. Runs with every `make test`, no server started.
func TestChecksCatchLossAndCorruption(t *testing.T) {
	dir := t.TempDir()
	seedSchool(t, dir)
	data := apptest.DataDir(dir)
	cfg, err := config.Load(apptest.ConfigFile(t, dir), map[string]string{"data_dir": data, "school.id": school})
	if err != nil {
		t.Fatal(err)
	}
	db, err := appliance.OpenStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	hash, _, err := db.Blobs().Put(bytes.NewReader(random(4096)), 1<<20)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	clear(verified)

	l := newLedger()
	if err := checkDataDir(data, l); err != nil {
		t.Fatalf("a sound data directory fails the checks: %v", err)
	}
	l.add(write{kind: "homework", table: "homework", key: "0000-never-written"})
	if err := checkDataDir(data, l); err == nil || !strings.Contains(err.Error(), "lost") {
		t.Fatalf("a lost write: %v", err)
	}

	blob := filepath.Join(data, store.BlobsDir, hash[:2], hash)
	if err := os.WriteFile(blob, random(4096), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := checkDataDir(data, newLedger()); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("a corrupt blob: %v", err)
	}
}
