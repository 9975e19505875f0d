package export

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"preau/appliance/store"
)

// archive is a person's export being written: a zip streamed to its
// reader, one folder per feature. Files are copied from the blob store as
// they come, so no file and no zip is ever whole in memory.
type archive struct {
	zw    *zip.Writer
	blobs *store.Blobs
	at    time.Time
	names map[string]bool // every path written, to give a second file of a name its own
	// folders are the features that wrote something, in their order.
	folders []string
	// missing are the files whose rows are here but whose content has not
	// arrived yet (a school's copy of a row that came by sync before its
	// file): the README names them.
	missing []string
}

func newArchive(w io.Writer, blobs *store.Blobs, at time.Time) *archive {
	return &archive{zw: zip.NewWriter(w), blobs: blobs, at: at, names: map[string]bool{}}
}

// folder is one feature's folder of the archive: what its Personal.Export
// writes into (feature.Export).
type folder struct {
	a    *archive
	name string
}

func (a *archive) folder(name string) *folder { return &folder{a: a, name: name} }

// Part writes v as JSON, indented for a person to read.
func (f *folder) Part(name string, v any) error {
	w, err := f.create(name+".json", zip.Deflate)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// File copies a stored blob; a blob not here yet is named in the README
// instead of failing the whole export.
func (f *folder) File(p, hash string) error {
	src, err := f.a.blobs.Open(hash)
	if errors.Is(err, store.ErrNotFound) {
		f.a.missing = append(f.a.missing, f.name+"/"+clean(p))
		return nil
	}
	if err != nil {
		return fmt.Errorf("export %s/%s: %w", f.name, p, err)
	}
	defer src.Close()
	// Stored as they are: photos and videos are compressed already, and
	// deflating them again would cost a small server's CPU for nothing.
	w, err := f.create(p, zip.Store)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, src)
	return err
}

// Write copies what r reads.
func (f *folder) Write(p string, r io.Reader) error {
	w, err := f.create(p, zip.Deflate)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// create opens the next entry of the folder under a safe, unused path.
func (f *folder) create(p string, method uint16) (io.Writer, error) {
	if len(f.a.folders) == 0 || f.a.folders[len(f.a.folders)-1] != f.name {
		f.a.folders = append(f.a.folders, f.name)
	}
	return f.a.create(f.name+"/"+clean(p), method)
}

func (a *archive) create(p string, method uint16) (io.Writer, error) {
	p = a.unused(p)
	a.names[p] = true
	return a.zw.CreateHeader(&zip.FileHeader{Name: p, Method: method, Modified: a.at})
}

// unused is p, or p with " (2)", " (3)"… before its extension when a file
// of that path is written already: two documents may share a name.
func (a *archive) unused(p string) string {
	if !a.names[p] {
		return p
	}
	ext := path.Ext(p)
	base := strings.TrimSuffix(p, ext)
	for n := 2; ; n++ {
		if q := fmt.Sprintf("%s (%d)%s", base, n, ext); !a.names[q] {
			return q
		}
	}
}

// clean makes a path people typed (a document's name) safe inside a zip:
// no way out of its folder (.., a leading /), no separator or control
// character of another system, no empty segment.
func clean(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		s = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f || strings.ContainsRune(`\:*?"<>|`, r) {
				return '_'
			}
			return r
		}, strings.TrimSpace(s))
		if s == "" || s == "." || s == ".." {
			s = "_"
		}
		segs[i] = s
	}
	return strings.Join(segs, "/")
}

// Close writes the zip's directory: the archive is complete.
func (a *archive) Close() error { return a.zw.Close() }
