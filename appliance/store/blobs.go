package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"preau/appliance/i18n"
	"runtime"
)

// Blobs are uploaded files, stored once by content: the SHA-256 of a file is
// its name, under <data_dir>/blobs/ab/abcdef…. Rows reference them by hash.
type Blobs struct {
	dir string
}

// Blobs is the data directory's file store.
func (db *DB) Blobs() *Blobs { return &Blobs{dir: filepath.Join(db.dir, BlobsDir)} }

// ErrBadHash means a blob whose content does not match its name.
var ErrBadHash = i18n.Error(nil, "store.bad_hash")

// ErrTooBig is a file over the limit it was given.
var ErrTooBig = i18n.Error(nil, "store.too_big_short")

// ValidHash checks a blob name: 64 lowercase hex digits.
func ValidHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (b *Blobs) path(hash string) string { return filepath.Join(b.dir, hash[:2], hash) }

// partPath is where a blob being received accumulates (backups skip it), so a transfer cut
// midway resumes from what arrived.
func (b *Blobs) partPath(hash string) string { return filepath.Join(b.dir, "partial", hash) }

// Has reports whether a complete blob is stored.
func (b *Blobs) Has(hash string) bool {
	if !ValidHash(hash) {
		return false
	}
	_, err := os.Stat(b.path(hash))
	return err == nil
}

// Open opens a stored blob.
func (b *Blobs) Open(hash string) (*os.File, error) {
	if !ValidHash(hash) {
		return nil, ErrNotFound
	}
	f, err := os.Open(b.path(hash))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// Put stores r, at most limit bytes, and returns its hash and size.
func (b *Blobs) Put(r io.Reader, limit int64) (string, int64, error) {
	st, err := b.Stage(r, limit)
	if err != nil {
		return "", 0, err
	}
	defer st.Discard()
	return st.Hash, st.Size, st.Install()
}

// Staged is a file received and hashed but not stored yet: its receiver
// checks what only its size and content tell (a quota, a duplicate)
// before it installs or discards it.
type Staged struct {
	Hash string
	Size int64
	b    *Blobs
	path string
}

// Stage receives r, at most limit bytes, beside the store.
func (b *Blobs) Stage(r io.Reader, limit int64) (*Staged, error) {
	tmp, err := b.tempFile()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	// Large reads and writes: a lesson document may be 100 MB.
	n, err := io.CopyBuffer(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1), make([]byte, 256<<10))
	if err == nil && n > limit {
		err = i18n.Error([]error{ErrTooBig}, "store.too_big", "Max", limit)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	return &Staged{Hash: hex.EncodeToString(h.Sum(nil)), Size: n, b: b, path: tmp.Name()}, nil
}

// Install stores the staged file under its hash (a copy already there is
// kept).
func (s *Staged) Install() error { return s.b.install(s.path, s.Hash) }

// Discard drops what is left of the staged file: all of it unless
// installed. It may follow Install.
func (s *Staged) Discard() { os.Remove(s.path) }

func (b *Blobs) tempFile() (*os.File, error) {
	dir := filepath.Join(b.dir, "partial")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return os.CreateTemp(dir, "put-*")
}

// install moves a verified file to its place; an existing copy is kept.
// The file's bytes reach the disk before its name does, and its name
// before install returns: the row that names the blob is committed after
// that, so a power cut (not only a crash) never leaves a row naming a
// blob that is missing or holds other bytes.
func (b *Blobs) install(src, hash string) error {
	dst := b.path(hash)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	if err := syncFile(src); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}

// syncFile flushes a file's bytes to the disk.
func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir flushes a directory's entries (a file renamed into it) to the
// disk. Windows cannot open a directory to flush it, and its NTFS journals
// renames itself.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Received is how many bytes of a blob being received are on disk.
func (b *Blobs) Received(hash string) int64 {
	if !ValidHash(hash) {
		return 0
	}
	fi, err := os.Stat(b.partPath(hash))
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Append adds a chunk at offset to a blob being received. The offset must
// be what has arrived so far, so a chunk sent twice is refused, not doubled.
func (b *Blobs) Append(hash string, offset int64, chunk io.Reader, limit int64) (int64, error) {
	if !ValidHash(hash) {
		return 0, ErrNotFound
	}
	if got := b.Received(hash); got != offset {
		return got, fmt.Errorf("resume at byte %d expected, got %d", got, offset)
	}
	if err := os.MkdirAll(filepath.Dir(b.partPath(hash)), 0o750); err != nil {
		return offset, err
	}
	f, err := os.OpenFile(b.partPath(hash), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return offset, err
	}
	n, err := io.Copy(f, io.LimitReader(chunk, limit))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return offset + n, err
}

// Complete verifies a fully received blob and installs it; a mismatch
// discards what was received.
func (b *Blobs) Complete(hash string) error {
	part := b.partPath(hash)
	f, err := os.Open(part)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return err
	}
	if hex.EncodeToString(h.Sum(nil)) != hash {
		os.Remove(part)
		return ErrBadHash
	}
	return b.install(part, hash)
}

// Remove deletes a stored blob and its thumbnail (and phone copy): only a cache evicting a
// file that no row needs for good calls it (sync's, for the city's
// library); a file is otherwise kept as long as the data directory.
func (b *Blobs) Remove(hash string) error {
	if !ValidHash(hash) {
		return ErrNotFound
	}
	os.Remove(b.thumbPath(hash, thumbSize))
	os.Remove(b.thumbPath(hash, PhoneSize))
	if err := os.Remove(b.path(hash)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
