package store

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func addNote(t *testing.T, db *DB, body string) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *Tx) error {
		_, err := tx.Exec("INSERT INTO notes(id, scope, hlc, origin, body) VALUES (?, 'global', ?, ?, ?)",
			NewID(), tx.HLC, tx.Origin, body)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tree maps every file under dir to a hash of its content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fmt.Sprintf("%x", sha256.Sum256(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func backupOf(t *testing.T, db *DB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := db.Backup(context.Background(), &buf, "test"); err != nil {
		t.Fatalf("backup: %v", err)
	}
	return buf.Bytes()
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	db := openTest(t, src)
	addNote(t, db, "avant")
	hash := fmt.Sprintf("%x", sha256.Sum256([]byte("contenu du fichier")))
	blob := filepath.Join(src, BlobsDir, hash[:2], hash)
	os.MkdirAll(filepath.Dir(blob), 0o750)
	os.WriteFile(blob, []byte("contenu du fichier"), 0o600)
	partial := filepath.Join(src, BlobsDir, "partial", "put-123")
	os.MkdirAll(filepath.Dir(partial), 0o750)
	os.WriteFile(partial, []byte("moitié d'un envoi"), 0o600)

	var buf bytes.Buffer
	m, err := db.Backup(ctx, &buf, "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != "1.2.3" || m.Node != db.Node().ID || m.Epoch != db.Node().Epoch || m.CreatedAt.IsZero() {
		t.Errorf("manifest = %+v", m)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(src, ".backup-*")); len(leftovers) > 0 {
		t.Errorf("temporary snapshot left behind: %v", leftovers)
	}
	addNote(t, db, "après") // not in the copy

	dst := filepath.Join(t.TempDir(), "restored")
	res, err := Restore(ctx, &buf, dst, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest != m || res.Aside != "" {
		t.Errorf("restored = %+v, want manifest %+v and nothing aside", res, m)
	}
	if got, _ := os.ReadFile(filepath.Join(dst, BlobsDir, hash[:2], hash)); string(got) != "contenu du fichier" {
		t.Errorf("blob = %q", got)
	}
	if _, err := os.Stat(filepath.Join(dst, BlobsDir, "partial")); err == nil {
		t.Error("an upload in progress was copied")
	}
	rdb := openTest(t, dst)
	var bodies []string
	rows, _ := rdb.Reader().Query("SELECT body FROM notes ORDER BY body")
	for rows.Next() {
		var b string
		rows.Scan(&b)
		bodies = append(bodies, b)
	}
	rows.Close()
	if !reflect.DeepEqual(bodies, []string{"avant"}) {
		t.Errorf("restored notes = %v, want [avant]", bodies)
	}
	if rdb.Node().ID != db.Node().ID || rdb.Node().Epoch == db.Node().Epoch || rdb.Node().Epoch != res.Epoch {
		t.Errorf("restored node %+v, original %+v, reported epoch %s: want same id, new epoch", rdb.Node(), db.Node(), res.Epoch)
	}
	if matches, _ := filepath.Glob(dst + ".restore-*"); len(matches) > 0 {
		t.Errorf("staging folder left behind: %v", matches)
	}
}

func TestRestoreMovesOldDataAside(t *testing.T) {
	ctx := context.Background()
	archive := backupOf(t, openTest(t, t.TempDir()))
	dst := t.TempDir()
	os.WriteFile(filepath.Join(dst, "ancien.txt"), []byte("x"), 0o600)

	if _, err := Restore(ctx, bytes.NewReader(archive), dst, false, nil); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("restore over data without replace: err = %v, want ErrNotEmpty", err)
	}
	if _, err := os.Stat(filepath.Join(dst, DBFile)); err == nil {
		t.Fatal("refused restore still wrote the database")
	}
	res, err := Restore(ctx, bytes.NewReader(archive), dst, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(res.Aside, "ancien.txt")); err != nil || string(b) != "x" {
		t.Errorf("old data not kept aside in %q: %v", res.Aside, err)
	}
	if err := CheckDatabase(filepath.Join(dst, DBFile)); err != nil {
		t.Error(err)
	}
}

func TestRestoreRefusesLockedDir(t *testing.T) {
	archive := backupOf(t, openTest(t, t.TempDir()))
	dst := t.TempDir()
	lock, err := Lock(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	if _, err := Lock(dst); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: err = %v, want ErrLocked", err)
	}
	if _, err := Restore(context.Background(), bytes.NewReader(archive), dst, true, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("restore on a locked dir: err = %v, want ErrLocked", err)
	}
	lock.Release()
	again, err := Lock(dst)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again.Release()
}

// tarGz builds an archive from name → content; a name ending in / is a folder.
func tarGz(t *testing.T, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{Name: f[0], Mode: 0o600, Size: int64(len(f[1])), Typeflag: tar.TypeReg}
		if f[0][len(f[0])-1] == '/' {
			hdr = &tar.Header{Name: f[0], Mode: 0o750, Typeflag: tar.TypeDir}
		}
		tw.WriteHeader(hdr)
		tw.Write([]byte(f[1]))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func TestRestoreRefusesBadArchives(t *testing.T) {
	good := backupOf(t, openTest(t, t.TempDir()))
	cases := map[string][]byte{
		"garbage":         []byte("ceci n'est pas une archive"),
		"empty":           nil,
		"truncated":       good[:len(good)/2],
		"corrupt trailer": append(append([]byte{}, good[:len(good)-8]...), 1, 2, 3, 4, 5, 6, 7, 8),
		"no database":     tarGz(t, [2]string{"manifest.json", "{}"}),
		"not sqlite":      tarGz(t, [2]string{"preau.db", "pas du SQLite"}),
		"escaping path":   tarGz(t, [2]string{"../preau.db", "x"}),
		"unexpected file": tarGz(t, [2]string{"etc/passwd", "x"}),
		"bad manifest":    tarGz(t, [2]string{"manifest.json", "{"}),
	}
	dst := t.TempDir()
	db := openTest(t, dst)
	addNote(t, db, "à garder")
	db.Close()
	before := tree(t, dst)
	for name, archive := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Restore(context.Background(), bytes.NewReader(archive), dst, true, nil)
			if !errors.Is(err, ErrBadArchive) {
				t.Fatalf("err = %v, want ErrBadArchive", err)
			}
			if after := tree(t, dst); !reflect.DeepEqual(before, after) {
				t.Errorf("data directory changed:\nbefore %v\nafter  %v", before, after)
			}
			if left, _ := filepath.Glob(dst + ".*"); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}
