package sync_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"preau/appliance/apptest"
	"preau/appliance/store"
)

// probeSchema is a replicated table used only by tests, whose rows
// reference files, until a feature stores files of its own.
var probeSchema = store.Schema{
	Name: "probe",
	FS: fstest.MapFS{"0001_probes.sql": {Data: []byte(`CREATE TABLE probes (
		id TEXT PRIMARY KEY, scope TEXT NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL,
		deleted INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL, blob TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '')`)}},
	Replicated: []string{"probes"},
	PushChecks: map[string]store.PushCheck{"probes": store.ScopeIsEnough},
	Blobs:      map[string]string{"probes": "blob"},
}

func withProbes(t *testing.T, apps ...*apptest.App) {
	t.Helper()
	for _, a := range apps {
		if err := a.DB.Migrate(t.Context(), probeSchema); err != nil {
			t.Fatal(err)
		}
	}
}

// writeProbe stores a file of size bytes and a row referencing it.
func writeProbe(t *testing.T, a *apptest.App, scope string, size int) (id, hash string, content []byte) {
	t.Helper()
	content = make([]byte, size)
	rand.Read(content)
	hash, _, err := a.DB.Blobs().Put(bytes.NewReader(content), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	id = store.NewID()
	err = a.DB.Write(t.Context(), func(tx *store.Tx) error {
		_, err := tx.Exec("INSERT INTO probes(id, scope, hlc, origin, body, blob) VALUES (?, ?, ?, ?, 'fichier', ?)", id, scope, tx.HLC, tx.Origin, hash)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, hash, content
}

func readBlob(t *testing.T, a *apptest.App, hash string) []byte {
	t.Helper()
	f, err := a.DB.Blobs().Open(hash)
	if err != nil {
		t.Fatalf("blob %s missing: %v", hash[:8], err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

func TestFilesFollowTheirRows(t *testing.T) {
	p := newPair(t, "ecole-a")
	withProbes(t, p.central, p.school)
	// Up: a school's file reaches central after its row.
	_, up, content := writeProbe(t, p.school, "ecole-a", 9<<20+123) // several chunks
	syncOnce(t, p.school)
	if p.central.DB.Blobs().Has(up) {
		t.Fatal("file sent with the rows: it should follow them")
	}
	if st := syncOnce(t, p.school); st.Files != 1 {
		t.Fatalf("pending files: %d, want 1", st.Files)
	}
	if err := p.school.Sync.Client.TransferBlobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readBlob(t, p.central, up), content) {
		t.Fatal("central's copy differs")
	}
	// Down: a city-wide file reaches the school, resuming a cut transfer.
	_, down, content := writeProbe(t, p.central, "global", 6<<20)
	syncOnce(t, p.school)
	if _, err := p.school.DB.Blobs().Append(down, 0, bytes.NewReader(content[:1<<20]), 1<<30); err != nil {
		t.Fatal(err) // as if the link had been cut after the first megabyte
	}
	if err := p.school.Sync.Client.TransferBlobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readBlob(t, p.school, down), content) {
		t.Fatal("resumed download differs")
	}
	if n, _ := p.school.Sync.Client.PendingBlobs(t.Context()); n != 0 {
		t.Fatalf("%d files still queued", n)
	}
}

func TestCorruptedFileRefused(t *testing.T) {
	p := newPair(t, "ecole-a")
	withProbes(t, p.central, p.school)
	_, hash, _ := writeProbe(t, p.central, "global", 1<<20)
	// Central's copy gets corrupted on disk.
	path := filepath.Join(p.central.DB.Dir(), "blobs", hash[:2], hash)
	if err := os.WriteFile(path, []byte("pas le bon contenu"), 0o640); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	err := p.school.Sync.Client.TransferBlobs(t.Context())
	if err == nil || !strings.Contains(err.Error(), "corrompu") {
		t.Fatalf("corrupted file accepted: %v", err)
	}
	if p.school.DB.Blobs().Has(hash) {
		t.Fatal("corrupted file installed")
	}
	if n, _ := p.school.Sync.Client.PendingBlobs(t.Context()); n != 1 {
		t.Fatal("the file must stay queued for a later attempt")
	}
}
