package export

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// A name people typed cannot lead out of its folder, nor break a zip
// program of another system.
func TestCleanKeepsPathsInside(t *testing.T) {
	for in, want := range map[string]string{
		"files/cours.pdf":        "files/cours.pdf",
		"files/../../etc/passwd": "files/_/_/etc/passwd",
		"/racine.txt":            "_/racine.txt",
		`files/a\b:c?.txt`:       "files/a_b_c_.txt",
		"files/ bonjour\n.txt ":  "files/bonjour_.txt",
		"files//vide":            "files/_/vide",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// Two files of one name are both kept, the second renamed.
func TestSameNameTwice(t *testing.T) {
	var buf bytes.Buffer
	a := newArchive(&buf, nil, time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	f := a.folder("documents")
	for _, body := range []string{"un", "deux", "trois"} {
		if err := f.Write("files/cours.txt", strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Part("documents", []map[string]string{{"name": "cours.txt"}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, zf := range zr.File {
		r, _ := zf.Open()
		b, _ := io.ReadAll(r)
		got[zf.Name] = string(b)
	}
	want := map[string]string{"documents/files/cours.txt": "un", "documents/files/cours (2).txt": "deux", "documents/files/cours (3).txt": "trois"}
	for name, body := range want {
		if got[name] != body {
			t.Errorf("%s = %q, want %q (zip holds %v)", name, got[name], body, got)
		}
	}
	if !strings.Contains(got["documents/documents.json"], `"name": "cours.txt"`) {
		t.Errorf("the JSON part is not indented JSON: %q", got["documents/documents.json"])
	}
	if len(a.folders) != 1 || a.folders[0] != "documents" {
		t.Errorf("folders = %v, want [documents]", a.folders)
	}
}
