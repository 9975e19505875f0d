package update_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/update"
)

// libraryKeys are the DSI's keys and two files of its library.
type libraryKeys struct {
	dir, root string
	files     map[string]string // name → path
}

func newLibraryKeys(t *testing.T) libraryKeys {
	t.Helper()
	k := libraryKeys{dir: t.TempDir(), files: map[string]string{}}
	var err error
	if k.root, err = update.Keygen(k.dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	lib := t.TempDir()
	for _, name := range []string{"a.txt", "b.txt"} {
		k.files[name] = filepath.Join(lib, name)
		os.WriteFile(k.files[name], []byte("contenu de "+name), 0o644)
	}
	return k
}

// sign signs the files named, at now, valid for expires.
func (k libraryKeys) sign(t *testing.T, now time.Time, expires time.Duration, names ...string) []byte {
	t.Helper()
	files := map[string]string{}
	for _, n := range names {
		files[n] = k.files[n]
	}
	b, err := update.SignLibrary(k.dir, files, expires, now)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fileOf(t *testing.T, k libraryKeys, name string) (string, int64) {
	data, err := os.ReadFile(k.files[name])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), int64(len(data))
}

// A school vouches for a file of the library only under the newest
// signature it can verify: none yet, an expired one, a file the
// signature does not list or lists with another length, and a signature
// older than one trusted before (central dropped the newest) are
// refused, the school's report says what; without a root key, central's
// word is taken.
func TestLibraryVouch(t *testing.T) {
	k := newLibraryKeys(t)
	school := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"update.root_key": k.root}})
	ctx := t.Context()
	vouch := school.Env.Signatures
	hashA, sizeA := fileOf(t, k, "a.txt")
	hashB, sizeB := fileOf(t, k, "b.txt")
	refused := func(name, hash string, size int64, want string) {
		t.Helper()
		err := vouch.Vouch(ctx, name, hash, size)
		if !errors.Is(err, feature.ErrUnsigned) || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: %v, want a refusal saying %q", name, err, want)
		}
	}
	arrive := func(data []byte) string {
		t.Helper()
		lib, err := update.LibraryOf(data)
		if err != nil {
			t.Fatal(err)
		}
		hash, size, err := school.DB.Blobs().Put(bytes.NewReader(data), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		id := store.NewID()
		if err := school.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO update_library(id, scope, hlc, origin, version, bundle, size, files, expires_at, created_at)
				VALUES (?, 'global', ?, ?, ?, ?, ?, ?, '', '')`, id, tx.HLC, tx.Origin, lib.Version, hash, size, len(lib.Files))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	now := time.Now()

	refused("a.txt", hashA, sizeA, "n'a encore signé aucune liste")
	arrive(k.sign(t, now.Add(-3*time.Hour), time.Hour, "a.txt", "b.txt"))
	refused("a.txt", hashA, sizeA, "paquet périmé")
	arrive(k.sign(t, now.Add(-time.Hour), 24*time.Hour, "a.txt"))
	if err := vouch.Vouch(ctx, "a.txt", hashA, sizeA); err != nil {
		t.Fatalf("a signed file: %v", err)
	}
	refused("b.txt", hashB, sizeB, "absent de la liste signée")
	refused("a.txt", hashA, sizeA+1, "absent de la liste signée")
	newest := arrive(k.sign(t, now, 24*time.Hour, "a.txt", "b.txt"))
	if err := vouch.Vouch(ctx, "b.txt", hashB, sizeB); err != nil {
		t.Fatalf("a file of the newer signature: %v", err)
	}
	// Central drops the newest signature: the older one, still valid,
	// is not trusted again.
	if err := school.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE update_library SET deleted = 1, hlc = ? WHERE id = ?", tx.HLC, newest)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	refused("a.txt", hashA, sizeA, "plus ancienne qu'une liste déjà vérifiée")

	var state, files string
	var n int
	if err := school.DB.Reader().QueryRowContext(ctx, "SELECT state, files, refused FROM update_library_reports WHERE id = ?", school.Config.SchoolID).
		Scan(&state, &files, &n); err != nil || state != update.LibraryRefused || !strings.Contains(files, "a.txt") || n != 1 {
		t.Fatalf("the school's report: %s %s %d %v", state, files, n, err)
	}

	trusting := apptest.New(t, apptest.Options{NoDemo: true})
	if err := trusting.Env.Signatures.Vouch(ctx, "b.txt", hashB, sizeB); err != nil {
		t.Fatalf("no root key: central's word is taken, got %v", err)
	}
}

// Central keeps a library's signature only when it is one, newer than
// the last, and, pinning the root key, verified: anything else is refused
// with its reason and nothing is kept.
func TestPublishLibraryRefusesBadInput(t *testing.T) {
	k := newLibraryKeys(t)
	central := apptest.New(t, apptest.Options{Role: "central", Config: map[string]string{"update.root_key": k.root}})
	dsi := central.ClientAs("dsi")
	publish := func(body []byte) (int, string) {
		resp, text := central.Do(dsi, "POST", "/api/v1/updates/library", "application/octet-stream", string(body))
		return resp.StatusCode, text
	}
	count := func() int {
		var n int
		central.DB.Reader().QueryRowContext(t.Context(), "SELECT count(*) FROM update_library").Scan(&n)
		return n
	}
	now := time.Now()
	good := k.sign(t, now, time.Hour, "a.txt", "b.txt")
	release, err := update.Sign(k.dir, update.Release{Version: "1.4.0", Files: map[string][]byte{"preau/linux-amd64": []byte("preau")}, Expires: time.Hour}, now)
	if err != nil {
		t.Fatal(err)
	}
	otherKeys := newLibraryKeys(t)
	for _, c := range []struct {
		name string
		body []byte
		want string
	}{
		{"not a bundle", []byte("GIF89a"), "tronqué"},
		{"a release", release, "n'est pas un fichier de bibliothèque"},
		{"unsigned", update.UnsignForTest(good), "signature invalide"},
		{"another root", otherKeys.sign(t, now, time.Hour, "a.txt"), "signature invalide"},
		{"expired", k.sign(t, now.Add(-2*time.Hour), time.Hour, "a.txt"), "expiré"},
		{"tampered", update.RewriteForTest(good, func(name string, b []byte) []byte {
			if name == "targets.json" {
				b = bytes.Replace(b, []byte("a.txt"), []byte("z.txt"), 1)
			}
			return b
		}), "altéré"},
	} {
		if status, text := publish(c.body); status != 400 || !strings.Contains(text, c.want) {
			t.Errorf("%s: %d %s, want 400 and %q", c.name, status, text, c.want)
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("%d signatures kept after refusals", n)
	}
	if status, text := publish(good); status != 201 || !strings.Contains(text, `"files":2`) {
		t.Fatalf("a good signature: %d %s", status, text)
	}
	if status, text := publish(k.sign(t, now.Add(-time.Minute), time.Hour, "a.txt")); status != 400 || !strings.Contains(text, "pas plus récente") {
		t.Fatalf("an older signature: %d %s", status, text)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d signatures kept, want 1", n)
	}
}
