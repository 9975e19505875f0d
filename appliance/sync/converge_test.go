package sync_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/store"
)

// flaky cuts requests at random: before they leave, or after central has
// handled them but before the answer arrives (the hard case: the sender
// must not lose or duplicate what central already applied).
type flaky struct {
	rng          *rand.Rand
	before, lost float64
	on           bool
}

func (f *flaky) RoundTrip(req *http.Request) (*http.Response, error) {
	if f.on && f.rng.Float64() < f.before {
		return nil, errors.New("liaison coupée (avant envoi)")
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil && f.on && f.rng.Float64() < f.lost {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("liaison coupée (réponse perdue)")
	}
	return resp, err
}

// write is one acknowledged write: the value a node committed to one column
// of a row ("body" or "note"; "" for a deletion), with its stamp.
type write struct {
	node, id, col, value string
	deleted              bool
	hlc                  int64
	origin               string
}

func TestRandomizedConvergence(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 42))
	central := apptest.New(t, apptest.Options{Role: "central", NoDemo: true})
	schools := []string{"ecole-a", "ecole-b", "ecole-c"}
	nodes := map[string]*apptest.App{"central": central}
	faults := map[string]*flaky{}
	for _, s := range schools {
		a := enrollSchool(t, central, s)
		f := &flaky{rng: rand.New(rand.NewPCG(seed, uint64(len(faults)))), before: 0.2, lost: 0.2}
		a.Sync.Client.UseTransport(f)
		faults[s], nodes[s] = f, a
	}
	all := append([]*apptest.App{central}, schoolApps(nodes, schools)...)
	withProbes(t, all...)

	var acked []write
	ids := map[string][]string{} // scope → row ids
	for step := 0; step < 400; step++ {
		name := append([]string{"central"}, schools...)[rng.IntN(len(schools)+1)]
		a := nodes[name]
		scope := name
		if name == "central" {
			scope = append([]string{"global"}, schools...)[rng.IntN(len(schools)+1)] // from home, or city-wide
		}
		switch op := rng.IntN(10); {
		case op < 4 || len(ids[scope]) == 0:
			id := store.NewID()
			body := fmt.Sprintf("%s-%d", name, step)
			stamped(t, a, "INSERT INTO probes(id, scope, hlc, origin, body) VALUES (?, ?, $hlc, $origin, ?)", id, scope, body)
			ids[scope] = append(ids[scope], id)
			acked = append(acked, write{node: name, id: id, col: "body", value: body})
		case op < 7:
			// Edits of either column of a row, so that two nodes often change
			// different columns of one row while apart, and sometimes the same.
			id := ids[scope][rng.IntN(len(ids[scope]))]
			if !has(t, a, id) {
				continue // not received here yet
			}
			col := []string{"body", "note"}[rng.IntN(2)]
			value := fmt.Sprintf("%s-%s-%d", name, col, step)
			hlc, origin := stamped(t, a, "UPDATE probes SET "+col+" = ?, hlc = $hlc, origin = $origin WHERE id = ?", value, id)
			acked = append(acked, write{node: name, id: id, col: col, value: value, hlc: hlc, origin: origin})
		case op < 8:
			id := ids[scope][rng.IntN(len(ids[scope]))]
			if !has(t, a, id) {
				continue
			}
			stamped(t, a, "UPDATE probes SET deleted = 1, hlc = $hlc, origin = $origin WHERE id = ?", id)
			acked = append(acked, write{node: name, id: id, deleted: true})
		default: // a sync that may be cut anywhere
			if name != "central" {
				faults[name].on = true
				a.Sync.Client.SyncOnce(t.Context()) // errors expected
				faults[name].on = false
			}
		}
	}
	// The link comes back: sync until nothing moves (twice around, so
	// central relays what one school sent to the others).
	for round := 0; round < 3; round++ {
		for _, s := range schools {
			if _, err := nodes[s].Sync.Client.SyncOnce(t.Context()); err != nil {
				t.Fatalf("final sync of %s: %v", s, err)
			}
		}
	}
	for _, s := range schools {
		assertSameScope(t, central, nodes[s], s)
		assertSameScope(t, central, nodes[s], "global")
	}
	// Every acknowledged write survives on central: each column of a live row
	// holds the value of its latest change (edits of different columns of one
	// row both hold), and a change that lost to a concurrent change of the
	// same column, or to a deletion, is kept as a conflict.
	kept := map[string]bool{}
	var conflicts int
	for _, n := range all {
		cs, err := n.DB.Conflicts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		conflicts += len(cs)
		for _, c := range cs {
			for _, col := range []string{"body", "note"} {
				kept[c.RowID+"|"+col+"|"+fmt.Sprint(c.Loser.Values[col])] = true
			}
			if c.Loser.Deleted() {
				kept[c.RowID+"|deleted"] = true
			}
		}
	}
	latest := map[string]write{} // row|column → its change with the greatest stamp
	for _, w := range acked {
		k := w.id + "|" + w.col
		if l, ok := latest[k]; !w.deleted && (!ok || w.hlc > l.hlc || w.hlc == l.hlc && w.origin > l.origin) {
			latest[k] = w
		}
	}
	lost, merged := 0, 0
	for i, w := range acked {
		r, err := central.DB.ReadRow(t.Context(), central.DB.Reader(), "probes", w.id)
		if err != nil {
			t.Errorf("write %d (%s on %s) never reached central", i, w.id, w.node)
			continue
		}
		switch {
		case w.deleted:
			if !r.Deleted() && !kept[w.id+"|deleted"] {
				lost++
				t.Errorf("the deletion of %s by %s is neither current nor kept", w.id, w.node)
			}
		case r.Deleted():
			// a deletion wins over any edit; the edits are kept as conflicts
			// where they were concurrent with it
		case latest[w.id+"|"+w.col] == w:
			if r.Values[w.col] != w.value {
				lost++
				t.Errorf("column %s of %s holds %q, not its latest change %q (by %s)", w.col, w.id, r.Values[w.col], w.value, w.node)
			}
			if other, ok := latest[w.id+"|body"]; w.col == "note" && ok && other.node != w.node {
				merged++ // its two columns hold the changes of two nodes
			}
		}
	}
	t.Logf("%d acknowledged writes, %d conflicts kept, %d rows holding two nodes' changes, %d lost", len(acked), conflicts, merged, lost)
}

func schoolApps(nodes map[string]*apptest.App, schools []string) []*apptest.App {
	var out []*apptest.App
	for _, s := range schools {
		out = append(out, nodes[s])
	}
	return out
}

// stamped runs one write in its own transaction, $hlc and $origin standing
// for the transaction's stamps, which it returns.
func stamped(t *testing.T, a *apptest.App, q string, args ...any) (hlc int64, origin string) {
	t.Helper()
	err := a.DB.Write(t.Context(), func(tx *store.Tx) error {
		hlc, origin = tx.HLC, tx.Origin
		q := strings.NewReplacer("$hlc", fmt.Sprint(tx.HLC), "$origin", "'"+tx.Origin+"'").Replace(q)
		_, err := tx.Exec(q, args...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return hlc, origin
}

func has(t *testing.T, a *apptest.App, id string) bool {
	_, err := a.DB.ReadRow(t.Context(), a.DB.Reader(), "probes", id)
	return err == nil
}
