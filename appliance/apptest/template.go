package apptest

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Template is a data directory seeded once (demo school, extra accounts) that
// tests start copies of: seeding hashes passwords and writes a school, which
// a test starting many appliances should not pay each time. Copies share the
// template's node identity, so two of them must never sync with each other.
type Template struct {
	dir  string
	opts Options
}

// NewTemplate seeds a data directory under t's temporary directory with o,
// then runs prepare on it; it lives as long as t.
func NewTemplate(t testing.TB, o Options, prepare func(a *App)) *Template {
	t.Helper()
	o.DataDir = t.TempDir()
	a := New(t, o)
	if prepare != nil {
		prepare(a)
	}
	a.server.Close()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return &Template{dir: o.DataDir, opts: o}
}

// New starts an appliance on a fresh copy of the template.
func (tm *Template) New(t testing.TB) *App {
	t.Helper()
	o := tm.opts
	o.DataDir = t.TempDir()
	if err := copyDir(tm.dir, o.DataDir); err != nil {
		t.Fatalf("copy template: %v", err)
	}
	return New(t, o) // the demo seed finds its school and does nothing

}

func copyDir(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		if info.Name() == "preau.lock" {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
