package sync_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"preau/appliance/pages"
)

// Two Yjs updates made apart by two documents that never met (the text
// "t"), as assets/src/test/ytext.mjs make writes them: what the school's
// editor typed during the outage, and what the teacher typed from home on
// central meanwhile.
const (
	pagesAtSchool  = "0101c2d69b9d0d00040101741ec380206c27c3a9636f6c652070656e64616e74206c612070616e6e652e2000"
	pagesAtCentral = "0101d4fcae8609000401017428c380206c61206d6169736f6e20737572206c652073657276657572206465206c612076696c6c652e00"
)

// TestPagesEditedOnBothSidesOfAnOutage: a page written at school while
// the link is down and on central at the same time holds both sides'
// updates once sync runs, on both nodes; with Node at hand, the document
// they make holds both texts.
func TestPagesEditedOnBothSidesOfAnOutage(t *testing.T) {
	p := newPair(t, "ecole-a")
	ctx := t.Context()
	class, teacher, pupil, parent := p.family(t, "CE1", "a")
	atSchool := pages.Of(p.school.Env)
	id, err := atSchool.Create(ctx, teacher, pages.Draft{Title: "Les insectes", ClassID: class.ID})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)

	// The link is down: each side writes.
	school, _ := hex.DecodeString(pagesAtSchool)
	central, _ := hex.DecodeString(pagesAtCentral)
	if err := atSchool.Write(ctx, pupil, id, school); err != nil {
		t.Fatal(err)
	}
	atCentral := pages.Of(p.central.Env)
	if err := atCentral.Write(ctx, teacher, id, central); err != nil {
		t.Fatalf("the teacher writes from home: %v", err)
	}
	if err := atCentral.Write(ctx, parent, id, []byte{1}); err == nil {
		t.Fatal("a parent wrote on central")
	}

	syncOnce(t, p.school)
	for name, s := range map[string]*pages.Service{"school": atSchool, "central": atCentral} {
		got, err := s.Updates(ctx, teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !slices.ContainsFunc(got, func(b []byte) bool { return bytes.Equal(b, school) }) ||
			!slices.ContainsFunc(got, func(b []byte) bool { return bytes.Equal(b, central) }) {
			t.Fatalf("%s holds %x", name, got)
		}
		if text := pagesText(t, got); text != "" && (!strings.Contains(text, "pendant la panne") || !strings.Contains(text, "serveur de la ville")) {
			t.Fatalf("%s's document reads %q", name, text)
		} else if text != "" {
			t.Logf("%s's document reads %q", name, text)
		}
	}
}

// pagesText is the text of the document the updates make, read by Yjs
// itself in Node; "" without Node or assets/src/node_modules, unless
// PREAU_NODE_TESTS is "required" (CI).
func pagesText(t *testing.T, updates [][]byte) string {
	dir, _ := filepath.Abs("../../assets/src")
	_, errMods := os.Stat(filepath.Join(dir, "node_modules", "yjs"))
	_, errNode := exec.LookPath("node")
	if errMods != nil || errNode != nil {
		if os.Getenv("PREAU_NODE_TESTS") == "required" {
			t.Fatal("node and assets/src/node_modules are required (npm ci in assets/src)")
		}
		return ""
	}
	var in strings.Builder
	for _, u := range updates {
		in.WriteString(hex.EncodeToString(u) + "\n")
	}
	cmd := exec.Command("node", "test/ytext.mjs")
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	return strings.TrimSpace(string(out))
}
