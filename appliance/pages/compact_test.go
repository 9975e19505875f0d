package pages_test

import (
	"bufio"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/pages"
)

// pagesNode runs assets/src/test/ytext.mjs with the updates on stdin
// (skipped without Node: see needNode).
func pagesNode(t *testing.T, mode string, updates [][]byte) string {
	t.Helper()
	dir := pages.NeedNode(t)
	var in strings.Builder
	for _, u := range updates {
		in.WriteString(hex.EncodeToString(u) + "\n")
	}
	args := []string{"test/ytext.mjs"}
	if mode != "" {
		args = append(args, mode)
	}
	cmd := exec.Command("node", args...)
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// pagesTyping is two editors' typing, one update a key.
func pagesTyping(t *testing.T, n int) [][]byte {
	f, err := os.Open("../../bench/yjsmerge/testdata/typing-2x500.hex")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	for sc := bufio.NewScanner(f); sc.Scan() && len(out) < n; {
		b, _ := hex.DecodeString(sc.Text())
		out = append(out, b)
	}
	return out
}

// TestCompactionKeepsTheDocument: an editor merges a page's 300 update
// rows into one; an update kept meanwhile stays; the document the rows
// make is the same text before and after, and a stale compaction is
// refused.
func TestCompactionKeepsTheDocument(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	ctx := t.Context()
	s := pages.Of(app.Env)
	pupil := app.User("eleve")
	id, err := s.Create(ctx, pupil, pages.Draft{Title: "Musée", ClassID: app.ClassID("CE1")})
	if err != nil {
		t.Fatal(err)
	}
	typing := pagesTyping(t, 301)
	for _, u := range typing[:300] {
		if err := s.Write(ctx, pupil, id, u); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.ForCompaction(ctx, pupil, id)
	if err != nil || len(st.Updates) != 300 {
		t.Fatalf("%d rows to merge: %v", len(st.Updates), err)
	}
	merged, _ := hex.DecodeString(pagesNode(t, "merge", st.Updates))
	if err := s.Write(ctx, app.User("enseignant"), id, typing[300]); err != nil { // meanwhile
		t.Fatal(err)
	}
	before, _ := s.Updates(ctx, pupil, id)
	n, err := s.Compact(ctx, pupil, id, st.Through, merged)
	if err != nil || n != 300 {
		t.Fatalf("replaced %d: %v", n, err)
	}
	after, _ := s.Updates(ctx, pupil, id)
	if len(after) != 2 {
		t.Fatalf("%d rows after compaction, want 2", len(after))
	}
	if a, b := pagesNode(t, "", before), pagesNode(t, "", after); a != b || a == "" {
		t.Fatalf("the document changed: %q then %q", a, b)
	}
	if _, err := s.Compact(ctx, pupil, id, st.Through, merged); err == nil {
		t.Error("a second compaction naming a replaced row was accepted")
	}
	if _, err := s.Compact(ctx, app.User("parent"), id, st.Through, merged); err == nil {
		t.Error("a parent compacted")
	}
}
