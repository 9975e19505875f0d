package cli

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// writer creates pupils one after another until stopped, and remembers
// which creations had committed.
type writer struct {
	mu        sync.Mutex
	committed []string
	stop      chan struct{}
	done      chan error
}

func startWriter(a *apptest.App) *writer {
	w := &writer{stop: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				w.done <- nil
				return
			default:
			}
			login := fmt.Sprintf("eleve%05d", i)
			_, err := a.Auth.CreateUser(context.Background(), auth.NewUser{Login: login, FirstName: "Élève",
				LastName: fmt.Sprint(i), Profile: auth.Pupil, SchoolID: a.Config.SchoolID})
			if err != nil {
				w.done <- err
				return
			}
			w.mu.Lock()
			w.committed = append(w.committed, login)
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *writer) snapshot() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.committed...)
}

// waitFor waits until the writer has committed at least n more accounts.
func (w *writer) waitFor(t *testing.T, n int) {
	t.Helper()
	target := len(w.snapshot()) + n
	deadline := time.Now().Add(30 * time.Second)
	for len(w.snapshot()) < target {
		if time.Now().After(deadline) {
			t.Fatalf("writer stuck at %d accounts", len(w.snapshot()))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (w *writer) finish(t *testing.T) {
	t.Helper()
	close(w.stop)
	if err := <-w.done; err != nil {
		t.Fatalf("writer: %v", err)
	}
}

func TestBackupRestoreWhileServing(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	a := apptest.New(t, apptest.Options{DataDir: live, NoDemo: true})
	hash := fmt.Sprintf("%x", sha256.Sum256([]byte("un fichier déposé")))
	blob := filepath.Join(live, store.BlobsDir, hash[:2], hash)
	os.MkdirAll(filepath.Dir(blob), 0o750)
	os.WriteFile(blob, []byte("un fichier déposé"), 0o600)

	w := startWriter(a)
	w.waitFor(t, 20)
	before := w.snapshot() // committed before the backup starts
	archive := filepath.Join(t.TempDir(), "preau.tar.gz")
	out, err := run(t, "", "backup", "--data-dir", live, archive)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d accounts committed before the backup, %d while it ran", len(before), len(w.snapshot())-len(before))
	w.waitFor(t, 20) // the server kept writing after the copy was taken
	if !strings.Contains(out, archive) {
		t.Errorf("backup output:\n%s", out)
	}

	// The running server holds its data directory: restore refuses it.
	_, err = run(t, "", "restore", "--force", "--data-dir", live, archive)
	if err == nil || !strings.Contains(err.Error(), "arrêtez le serveur") {
		t.Errorf("restore over a running server: err = %v", err)
	}
	w.finish(t)
	total := len(w.snapshot())

	restoredDir := filepath.Join(t.TempDir(), "restauration")
	out, err = run(t, "", "restore", "--data-dir", restoredDir, archive)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Nouvelle époque") {
		t.Errorf("restore output:\n%s", out)
	}
	if err := store.CheckDatabase(filepath.Join(restoredDir, store.DBFile)); err != nil {
		t.Fatalf("integrity: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(restoredDir, store.BlobsDir, hash[:2], hash)); err != nil || string(b) != "un fichier déposé" {
		t.Errorf("blob not restored: %q, %v", b, err)
	}

	r := apptest.New(t, apptest.Options{DataDir: restoredDir, NoDemo: true})
	for _, login := range before {
		if _, err := r.Auth.UserByLogin(ctx, login); err != nil {
			t.Fatalf("%s, committed before the backup, is missing: %v", login, err)
		}
	}
	pupils, _ := r.Register.SchoolUsers(ctx, r.Config.SchoolID)
	if len(pupils) < len(before) || len(pupils) >= total {
		t.Errorf("restored %d accounts, want the %d committed before the backup, and fewer than the %d at the end",
			len(pupils), len(before), total)
	}
	if r.DB.Node().ID != a.DB.Node().ID || r.DB.Node().Epoch == a.DB.Node().Epoch {
		t.Errorf("restored node %+v, original %+v: want the same id and a new epoch", r.DB.Node(), a.DB.Node())
	}
	if resp, _ := r.Get(r.Client(), "/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("restored appliance /healthz = %d", resp.StatusCode)
	}
	if _, err := r.Auth.CreateUser(ctx, auth.NewUser{Login: "apres.restauration", FirstName: "Nouveau",
		Profile: auth.Pupil, SchoolID: r.Config.SchoolID}); err != nil {
		t.Errorf("the restored appliance does not take writes: %v", err)
	}
}

// tree maps every file under dir to a hash of its content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = fmt.Sprintf("%x", sha256.Sum256(b))
		}
		return err
	})
	return out
}

func TestRestoreRefusesBadArchiveAndLeavesDataAlone(t *testing.T) {
	src := t.TempDir()
	a := apptest.New(t, apptest.Options{DataDir: src, NoDemo: true})
	good := filepath.Join(t.TempDir(), "bonne.tar.gz")
	if _, err := run(t, "", "backup", "--data-dir", src, good); err != nil {
		t.Fatal(err)
	}
	a.Close() // stopped: restore may now take the directory
	goodBytes, _ := os.ReadFile(good)
	truncated := filepath.Join(t.TempDir(), "tronquee.tar.gz")
	os.WriteFile(truncated, goodBytes[:len(goodBytes)*2/3], 0o600)
	garbage := filepath.Join(t.TempDir(), "nimporte.tar.gz")
	os.WriteFile(garbage, []byte("pas une sauvegarde"), 0o600)

	before := tree(t, src)
	for _, bad := range []string{truncated, garbage, filepath.Join(t.TempDir(), "absente.tar.gz")} {
		_, err := run(t, "", "restore", "--force", "--data-dir", src, bad)
		if err == nil {
			t.Fatalf("%s accepted", bad)
		}
		if after := tree(t, src); !reflect.DeepEqual(before, after) {
			t.Errorf("%s changed the data directory", bad)
		}
		if left, _ := filepath.Glob(src + ".*"); len(left) > 0 {
			t.Errorf("%s left %v", bad, left)
		}
	}
	if _, err := run(t, "", "restore", "--force", "--data-dir", src, truncated); !strings.Contains(err.Error(), "rien n'a été modifié") {
		t.Errorf("message does not reassure: %v", err)
	}

	// A good archive over existing data needs --force, and keeps the old data.
	if _, err := run(t, "", "restore", "--data-dir", src, good); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over data without --force: err = %v", err)
	}
	out, err := run(t, "", "restore", "--force", "--data-dir", src, good)
	if err != nil {
		t.Fatal(err)
	}
	aside, _ := filepath.Glob(src + ".before-restore-*")
	if len(aside) != 1 || !strings.Contains(out, aside[0]) {
		t.Errorf("old data not set aside (%v):\n%s", aside, out)
	}
}

func TestBackupRefusesMissingDataAndBadTarget(t *testing.T) {
	empty := t.TempDir()
	if _, err := run(t, "", "backup", "--data-dir", empty, filepath.Join(t.TempDir(), "x.tar.gz")); err == nil ||
		!strings.Contains(err.Error(), "aucune base") {
		t.Errorf("backup of nothing: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(empty, store.DBFile)); err == nil {
		t.Error("backup of nothing created a database")
	}
	src := t.TempDir()
	apptest.New(t, apptest.Options{DataDir: src, NoDemo: true})
	if _, err := run(t, "", "backup", "--data-dir", src, filepath.Join(src, "copie.tar.gz")); err == nil {
		t.Error("a backup inside the data directory was accepted")
	}
	if _, err := run(t, "", "backup", "--data-dir", src); err == nil {
		t.Error("backup without a file name was accepted")
	}
}
