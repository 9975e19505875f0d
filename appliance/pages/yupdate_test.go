package pages

import (
	"bufio"
	"encoding/hex"
	"os"
	"testing"
)

// pagesTypingUpdates is two editors' typing, one update a key
// (bench/yjsmerge/testdata, made by assets/src/test/workload.mjs).
func pagesTypingUpdates(t testing.TB) [][]byte {
	f, err := os.Open("../../bench/yjsmerge/testdata/typing-2x500.hex")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	for sc := bufio.NewScanner(f); sc.Scan(); {
		b, _ := hex.DecodeString(sc.Text())
		out = append(out, b)
	}
	return out
}

func TestParseUpdateReadsWhatYjsWrote(t *testing.T) {
	ups := pagesTypingUpdates(t)
	state := newDocState()
	for i, u := range ups {
		info, err := parseUpdate(u)
		if err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		if state.holds(info) {
			t.Fatalf("update %d already held", i)
		}
		state.add(info)
		if !state.holds(info) {
			t.Fatalf("update %d not held once added", i)
		}
	}
	sv, err := parseStateVector(state.stateVector())
	if err != nil || len(sv) != 2 {
		t.Fatalf("state vector %v %v", sv, err)
	}
	for c, clock := range sv {
		if clock != 500 {
			t.Errorf("client %d at %d, want 500 keys", c, clock)
		}
	}
	// A client holding the first half lacks only the second.
	half := newDocState()
	for _, u := range ups[:500] {
		info, _ := parseUpdate(u)
		half.add(info)
	}
	hsv, _ := parseStateVector(half.stateVector())
	n := 0
	for _, u := range ups {
		if info, _ := parseUpdate(u); lacks(hsv, info) {
			n++
		}
	}
	if n != 500 {
		t.Errorf("a client holding half lacks %d updates, want 500", n)
	}
}

func FuzzParseUpdate(f *testing.F) {
	for _, u := range pagesTypingUpdates(f)[:20] {
		f.Add(u)
	}
	// An update read whole names ranges that end after they start: a
	// wrapped clock would make a client look as if it held everything.
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := parseUpdate(b)
		if err != nil {
			return
		}
		for client, spans := range info.Structs {
			for _, s := range spans {
				if s.To <= s.From {
					t.Fatalf("client %d: structs from %d to %d", client, s.From, s.To)
				}
			}
		}
		for client, spans := range info.Deletes {
			for _, s := range spans {
				if s.To < s.From {
					t.Fatalf("client %d: deletes from %d to %d", client, s.From, s.To)
				}
			}
		}
	})
}
