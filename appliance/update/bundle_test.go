package update

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preau/appliance/apperr"
)

var now = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

// keys makes a DSI's keys in a temporary directory.
func keys(t testing.TB) (dir, root string) {
	t.Helper()
	dir = t.TempDir()
	root, err := Keygen(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	return dir, root
}

func bundle(t testing.TB, dir, version string, body []byte, expires time.Duration) []byte {
	t.Helper()
	b, err := Sign(dir, Release{Version: version, Files: map[string][]byte{BinaryTarget("linux", "amd64"): body}, Expires: expires}, now)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rewrite changes a bundle's files through f.
func rewrite(t *testing.T, data []byte, f func(name string, body []byte) []byte) []byte {
	t.Helper()
	return RewriteForTest(data, f)
}

func TestVerifyAcceptsASignedRelease(t *testing.T) {
	dir, root := keys(t)
	bin := []byte("#!/bin/sh\necho 1.1.0\n")
	v, err := Verify(bundle(t, dir, "1.1.0", bin, time.Hour), root, "1.0.0", now)
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != "1.1.0" || !bytes.Equal(v.Targets[BinaryTarget("linux", "amd64")], bin) {
		t.Fatalf("verified %+v", v)
	}
	if v, err := ReleaseOf(bundle(t, dir, "2.0.0", bin, time.Hour)); err != nil || v != "2.0.0" {
		t.Fatalf("release of a bundle: %q %v", v, err)
	}
}

// Every refused bundle says why, in the catalogue's words.
func TestVerifyRefusesWithAReason(t *testing.T) {
	dir, root := keys(t)
	_, otherRoot := keys(t)
	good := bundle(t, dir, "1.1.0", []byte("binaire"), time.Hour)
	target := targetsDir + BinaryTarget("linux", "amd64")
	cases := []struct {
		name, rootKey, running string
		data                   []byte
		at                     time.Time
		want                   string
	}{
		{"tampered binary", root, "1.0.0", rewrite(t, good, func(n string, b []byte) []byte {
			if n == target {
				b[0] ^= 1
			}
			return b
		}), now, "update.err.tampered"},
		{"unsigned", root, "1.0.0", UnsignForTest(good), now, "update.err.signature"},
		{"signed by another DSI", otherRoot, "1.0.0", good, now, "update.err.signature"},
		{"expired", root, "1.0.0", good, now.Add(2 * time.Hour), "update.err.expired"},
		{"rolled back", root, "1.2.0", good, now, "update.err.rollback"},
		{"the same release again", root, "1.1.0", good, now, "update.err.rollback"},
		{"truncated", root, "1.0.0", good[:len(good)/2], now, "update.err.truncated"},
		{"not a bundle", root, "1.0.0", []byte("GIF89a et puis rien"), now, "update.err"},
		{"empty", root, "1.0.0", nil, now, "update.err.missing"},
		{"no pinned key", "", "1.0.0", good, now, "update.err.no_root_key"},
		{"a pinned key that is no key", "abcd", "1.0.0", good, now, "update.err.bad_root_key"},
		{"targets swapped for another release's", root, "1.0.0", rewrite(t, good, func(n string, b []byte) []byte {
			if n == targetsFile {
				return bytes.Replace(b, []byte(`1.1.0`), []byte(`9.9.9`), 1)
			}
			return b
		}), now, "update.err.tampered"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Verify(c.data, c.rootKey, c.running, c.at)
			if err == nil || !errors.Is(err, apperr.ErrInvalid) {
				t.Fatalf("accepted, or not as invalid input: %v", err)
			}
			if key := messageKey(err); !strings.HasPrefix(key, c.want) {
				t.Fatalf("refused with %s (%v), want %s", key, err, c.want)
			}
		})
	}
}

// A file slipped into a signed bundle is refused: only what the targets
// role signed is applied.
func TestVerifyRefusesAnUnsignedFile(t *testing.T) {
	dir, root := keys(t)
	good := bundle(t, dir, "1.1.0", []byte("binaire"), time.Hour)
	var buf bytes.Buffer
	buf.Write(good[:len(good)-1024]) // a tar ends with two empty blocks
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: targetsDir + "preau/linux-arm64", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg})
	tw.Write([]byte("abc"))
	tw.Close()
	if _, err := Verify(buf.Bytes(), root, "1.0.0", now); messageKey(err) != "update.err.unsigned_file" {
		t.Fatalf("an unsigned file: %v", err)
	}
}

func TestKeygenKeepsExistingKeys(t *testing.T) {
	dir, _ := keys(t)
	before, _ := os.ReadFile(filepath.Join(dir, "root.key"))
	if _, err := Keygen(dir, now); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("keygen over existing keys: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "root.key"))
	if !bytes.Equal(before, after) {
		t.Fatal("the root key was overwritten")
	}
	if info, _ := os.Stat(filepath.Join(dir, "root.key")); info.Mode().Perm() != 0o600 {
		t.Fatalf("root key mode %v", info.Mode())
	}
}

func TestSignRefusesBadInput(t *testing.T) {
	dir, _ := keys(t)
	files := map[string][]byte{"preau/linux-amd64": []byte("x")}
	for name, rel := range map[string]Release{
		"no version":  {Files: files, Expires: time.Hour},
		"bad version": {Version: "1.x", Files: files, Expires: time.Hour},
		"no file":     {Version: "1.0.0", Expires: time.Hour},
		"no expiry":   {Version: "1.0.0", Files: files},
	} {
		if _, err := Sign(dir, rel, now); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Sign(t.TempDir(), Release{Version: "1.0.0", Files: files, Expires: time.Hour}, now); messageKey(err) != "update.err.key_file" {
		t.Errorf("no keys: %v", err)
	}
}

func TestCompare(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"1.0.0", "1.0.0", 0}, {"1.0.10", "1.0.9", 1}, {"1.2", "1.2.0", 0}, {"dev", "0.0.1", -1}, {"2.0.0", "dev", 1}, {"dev", "dev", 0}} {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%s, %s) = %d", c.a, c.b, got)
		}
	}
}

// messageKey is the catalogue key of an error's message.
func messageKey(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Key
	}
	return ""
}

// BenchmarkVerify20MB is the figure: a bundle of 20 MB verified
// (tar read, four roles' signatures, the binary's SHA-256) in ≤ 1 s.
func BenchmarkVerify20MB(b *testing.B) {
	dir, root := keys(b)
	bin := bytes.Repeat([]byte("préau-binaire-"), 20<<20/15)
	data := bundle(b, dir, "1.1.0", bin, time.Hour)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Verify(data, root, "1.0.0", now); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzVerify: whatever bytes arrive as a bundle, Verify refuses them with
// a reason or accepts a signed release; it never panics.
func FuzzVerify(f *testing.F) {
	dir, root := keys(f)
	good := bundle(f, dir, "1.1.0", []byte("binaire"), time.Hour)
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Verify(data, root, "1.0.0", now)
		if err == nil && v.Version == "" {
			t.Fatal("accepted without a version")
		}
		var r *Refusal
		if err != nil && !errors.As(err, &r) {
			t.Fatalf("refused without a reason: %v", err)
		}
	})
}
