package store

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"preau/appliance/i18n"
	"strings"
	"time"
)

// BlobsDir is the folder of content-addressed files inside the data
// directory. Blobs never change once written, so a backup copies them as
// they are.
const BlobsDir = "blobs"

// ManifestFile names the archive's description inside a backup.
const ManifestFile = "manifest.json"

// Manifest describes a backup archive.
type Manifest struct {
	Format    int       `json:"format"`
	Version   string    `json:"version"` // the Préau version that made it
	Node      string    `json:"node"`
	Epoch     string    `json:"epoch"`
	CreatedAt time.Time `json:"created_at"`
}

// backupFormat is the archive layout's version, for future readers.
const backupFormat = 1

// Backup writes a consistent copy of the data directory to w as a tar.gz:
// manifest.json, preau.db and blobs/. It runs while the server serves and
// writes: VACUUM INTO copies the database as of one read transaction, and
// blobs, which are immutable and written before the rows that name them, are
// copied afterwards, so every blob the copied rows reference is there. A
// blob written after the snapshot may be included too; it is harmless.
func (db *DB) Backup(ctx context.Context, w io.Writer, version string) (Manifest, error) {
	m := Manifest{Format: backupFormat, Version: version, Node: db.node.ID, Epoch: db.node.Epoch,
		CreatedAt: time.Now().UTC().Truncate(time.Second)}
	snapshot, err := db.snapshot(ctx)
	if err != nil {
		return m, err
	}
	defer os.Remove(snapshot)

	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	manifest, _ := json.MarshalIndent(m, "", "  ")
	if err := tw.WriteHeader(&tar.Header{Name: ManifestFile, Mode: 0o600, Size: int64(len(manifest)),
		ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return m, err
	}
	if _, err := tw.Write(manifest); err != nil {
		return m, err
	}
	if err := addFile(tw, snapshot, DBFile); err != nil {
		return m, err
	}
	if err := addBlobs(ctx, tw, db.dir); err != nil {
		return m, err
	}
	if err := tw.Close(); err != nil {
		return m, err
	}
	return m, gz.Close()
}

// snapshot copies the database with VACUUM INTO into a temporary file of
// the data directory (same disk, no size surprise in /tmp). It uses a
// connection of its own: the reader pool is query_only, which VACUUM INTO
// refuses, and the writer must stay free for the server.
func (db *DB) snapshot(ctx context.Context) (string, error) {
	f, err := os.CreateTemp(db.dir, ".backup-*.db")
	if err != nil {
		return "", fmt.Errorf("copying the database: %w", err)
	}
	f.Close() // VACUUM INTO accepts an empty file
	conn, err := sql.Open("sqlite", "file:"+filepath.Join(db.dir, DBFile)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", f.Name()); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("copying the database: %w", err)
	}
	return f.Name(), nil
}

func addFile(tw *tar.Writer, src, name string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime(),
		Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := io.CopyN(tw, f, fi.Size()); err != nil {
		return fmt.Errorf("copying %s: %w", name, err)
	}
	return nil
}

// addBlobs copies the complete blobs of <dir>/blobs (ab/abcdef…), keeping
// their layout. Transfers and uploads in progress are left out: they are
// still changing, and sync fetches them again.
func addBlobs(ctx context.Context, tw *tar.Writer, dir string) error {
	root := filepath.Join(dir, BlobsDir)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // no blobs yet, or one removed while we walk
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		name := d.Name()
		if !d.Type().IsRegular() || !ValidHash(name) || filepath.Base(filepath.Dir(p)) != name[:2] {
			return nil
		}
		err = addFile(tw, p, BlobsDir+"/"+name[:2]+"/"+name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("copying the files: %w", err)
	}
	return nil
}

// ErrBadArchive is wrapped by every refusal of an archive's content.
var ErrBadArchive = i18n.Error(nil, "store.archive.bad")

// Unpack extracts a backup archive into dir, which must be new or empty, and
// checks it: a well-formed tar.gz holding only the expected names, with a
// preau.db that passes SQLite's integrity check and holds a node identity.
// On error dir may hold a partial extraction; the caller discards it.
func Unpack(r io.Reader, dir string) (Manifest, error) {
	var m Manifest
	gz, err := gzip.NewReader(r)
	if err != nil {
		return m, i18n.Error([]error{ErrBadArchive}, "store.archive.not_targz", "Bad", ErrBadArchive)
	}
	tr := tar.NewReader(gz)
	hasDB := false
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, i18n.Error([]error{ErrBadArchive}, "store.archive.truncated", "Bad", ErrBadArchive)
		}
		name, err := entryName(hdr)
		if err != nil {
			return m, err
		}
		switch {
		case hdr.Typeflag == tar.TypeDir:
			err = os.MkdirAll(filepath.Join(dir, filepath.FromSlash(name)), 0o750)
		case name == ManifestFile:
			err = json.NewDecoder(io.LimitReader(tr, 1<<16)).Decode(&m)
			if err != nil {
				err = i18n.Error([]error{ErrBadArchive}, "store.archive.unreadable", "Bad", ErrBadArchive, "Name", ManifestFile)
			}
		default:
			hasDB = hasDB || name == DBFile
			err = extractFile(tr, filepath.Join(dir, filepath.FromSlash(name)))
		}
		if err != nil {
			return m, err
		}
	}
	// Reading to the end makes gzip verify its checksum.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return m, i18n.Error([]error{ErrBadArchive}, "store.archive.truncated", "Bad", ErrBadArchive)
	}
	if !hasDB {
		return m, i18n.Error([]error{ErrBadArchive}, "store.archive.no_db", "Bad", ErrBadArchive, "Name", DBFile)
	}
	return m, CheckDatabase(filepath.Join(dir, DBFile))
}

// entryName validates an archive entry: a regular file or folder, named
// manifest.json, preau.db or under blobs/, never escaping the target.
func entryName(hdr *tar.Header) (string, error) {
	name := strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "./"), "/")
	clean := path.Clean(name)
	if name == "" || clean != name || path.IsAbs(name) || strings.HasPrefix(name, "../") || name == ".." {
		return "", i18n.Error([]error{ErrBadArchive}, "store.archive.bad_name", "Bad", ErrBadArchive, "Name", hdr.Name)
	}
	if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != tar.TypeDir {
		return "", i18n.Error([]error{ErrBadArchive}, "store.archive.not_file", "Bad", ErrBadArchive, "Name", hdr.Name)
	}
	inBlobs := name == BlobsDir || strings.HasPrefix(name, BlobsDir+"/")
	if hdr.Typeflag == tar.TypeDir && !inBlobs {
		return "", i18n.Error([]error{ErrBadArchive}, "store.archive.unexpected_dir", "Bad", ErrBadArchive, "Name", hdr.Name)
	}
	if hdr.Typeflag == tar.TypeReg && name != DBFile && name != ManifestFile && !(inBlobs && name != BlobsDir) {
		return "", i18n.Error([]error{ErrBadArchive}, "store.archive.unexpected_file", "Bad", ErrBadArchive, "Name", hdr.Name)
	}
	return name, nil
}

func extractFile(r io.Reader, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return i18n.Error([]error{ErrBadArchive}, "store.archive.twice", "Bad", ErrBadArchive, "Name", filepath.Base(dst))
		}
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return i18n.Error([]error{ErrBadArchive}, "store.archive.truncated", "Bad", ErrBadArchive)
	}
	return f.Close()
}

// CheckDatabase runs SQLite's integrity check on a database file and checks
// that it is a Préau database (it has its node identity).
func CheckDatabase(file string) error {
	conn, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer conn.Close()
	var result string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil {
		return i18n.Error([]error{ErrBadArchive}, "store.archive.db_unreadable", "Bad", ErrBadArchive)
	}
	if result != "ok" {
		return i18n.Error([]error{ErrBadArchive}, "store.archive.db_damaged", "Bad", ErrBadArchive, "Result", result)
	}
	var nodes int
	if err := conn.QueryRow("SELECT count(*) FROM node").Scan(&nodes); err != nil || nodes != 1 {
		return i18n.Error([]error{ErrBadArchive}, "store.archive.not_preau", "Bad", ErrBadArchive)
	}
	return nil
}

// ErrNotEmpty is returned by Restore when the data directory holds data and
// the caller did not allow replacing it.
var ErrNotEmpty = i18n.Error(nil, "store.not_empty")

// Restored tells what Restore did.
type Restored struct {
	Manifest Manifest
	Epoch    string // the node's new epoch
	Aside    string // where the previous data directory was moved, "" if none
}

// Restore replaces the data directory dir by the backup read from r. It
// refuses while a server holds dir, and refuses a non-empty dir unless
// replace is set, in which case the old one is moved aside, never deleted.
// The archive is extracted and checked in a sibling folder first, so a bad
// archive leaves dir untouched. The restored node gets a new epoch: the lost
// original may have handed out counter values after the backup was taken,
// and sync must never see one reused.
func Restore(ctx context.Context, r io.Reader, dir string, replace bool, log *slog.Logger) (Restored, error) {
	var res Restored
	used, err := hasData(dir)
	if err != nil {
		return res, err
	}
	if used && !replace {
		return res, fmt.Errorf("%w : %s", ErrNotEmpty, dir)
	}
	done := false
	if _, err := os.Stat(dir); err == nil {
		unlock, err := lockForRestore(dir, &done)
		if err != nil {
			return res, err
		}
		defer unlock()
	}
	stamp := time.Now().Format("20060102-150405")
	staging := dir + ".restore-" + stamp
	if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
		return res, err
	}
	if err := os.Mkdir(staging, 0o750); err != nil {
		return res, fmt.Errorf("restore directory: %w", err)
	}
	defer func() {
		if !done {
			os.RemoveAll(staging)
		}
	}()
	if res.Manifest, err = Unpack(r, staging); err != nil {
		return res, err
	}
	if res.Epoch, err = renewEpoch(ctx, staging, log); err != nil {
		return res, err
	}
	if res.Aside, err = swapIn(dir, staging, used, stamp); err != nil {
		return res, err
	}
	done = true
	return res, nil
}

// lockForRestore holds dir while Restore works. When the restore fails, a
// lock file that Restore had to create is removed again, so a refused
// archive leaves dir exactly as it was.
func lockForRestore(dir string, done *bool) (unlock func(), err error) {
	path := filepath.Join(dir, LockFile)
	_, statErr := os.Stat(path)
	lock, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	return func() {
		if !*done && errors.Is(statErr, fs.ErrNotExist) {
			os.Remove(path)
		}
		lock.Release()
	}, nil
}

func renewEpoch(ctx context.Context, dir string, log *slog.Logger) (string, error) {
	db, err := Open(ctx, dir, log)
	if err != nil {
		return "", fmt.Errorf("opening the restored database: %w", err)
	}
	defer db.Close()
	if err := db.RenewEpoch(ctx); err != nil {
		return "", err
	}
	return db.Node().Epoch, nil
}

// swapIn puts staging in dir's place; a used dir is moved aside first, an
// unused one (at most our lock file) removed.
func swapIn(dir, staging string, used bool, stamp string) (aside string, err error) {
	switch {
	case used:
		aside = dir + ".before-restore-" + stamp
		if err := os.Rename(dir, aside); err != nil {
			return "", fmt.Errorf("setting %s aside: %w", dir, err)
		}
	default:
		os.Remove(filepath.Join(dir, LockFile))
		if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	if err := os.Rename(staging, dir); err != nil {
		if aside != "" {
			os.Rename(aside, dir)
		}
		return "", fmt.Errorf("putting the copy in place in %s: %w", dir, err)
	}
	return aside, nil
}

// hasData reports whether dir exists and holds anything besides the lock
// and the control socket a stopped server may have left.
func hasData(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("data directory %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.Name() != LockFile && e.Name() != ControlSocket {
			return true, nil
		}
	}
	return false, nil
}
