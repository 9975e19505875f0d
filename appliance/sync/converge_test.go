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

// write is one acknowledged write: the version a node committed.
type write struct {
	node, id, body string
	deleted        bool
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
			acked = append(acked, write{name, id, body, false})
		case op < 7:
			id := ids[scope][rng.IntN(len(ids[scope]))]
			if !has(t, a, id) {
				continue // not received here yet
			}
			body := fmt.Sprintf("%s-%d", name, step)
			stamped(t, a, "UPDATE probes SET body = ?, hlc = $hlc, origin = $origin WHERE id = ?", body, id)
			acked = append(acked, write{name, id, body, false})
		case op < 8:
			id := ids[scope][rng.IntN(len(ids[scope]))]
			if !has(t, a, id) {
				continue
			}
			stamped(t, a, "UPDATE probes SET deleted = 1, hlc = $hlc, origin = $origin WHERE id = ?", id)
			acked = append(acked, write{name, id, "", true})
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
	// Every acknowledged write survives on central: as the current version,
	// or kept as the loser of a conflict, or superseded by a later write of
	// the same row that central holds.
	conflicts, err := central.DB.Conflicts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, c := range conflicts {
		kept[c.RowID+"|"+fmt.Sprint(c.Loser.Values["body"])+"|"+fmt.Sprint(c.Loser.Deleted())] = true
	}
	for _, n := range schoolApps(nodes, schools) {
		cs, _ := n.DB.Conflicts(t.Context())
		for _, c := range cs {
			kept[c.RowID+"|"+fmt.Sprint(c.Loser.Values["body"])+"|"+fmt.Sprint(c.Loser.Deleted())] = true
		}
	}
	last := map[string]int{}
	for i, w := range acked {
		last[w.id] = i
	}
	lost := 0
	for i, w := range acked {
		r, err := central.DB.ReadRow(t.Context(), central.DB.Reader(), "probes", w.id)
		if err != nil {
			t.Errorf("write %d (%s on %s) never reached central", i, w.id, w.node)
			continue
		}
		current := r.Values["body"] == w.body && r.Deleted() == w.deleted
		if w.deleted {
			current = r.Deleted()
		}
		if !current && last[w.id] == i && !kept[w.id+"|"+w.body+"|"+fmt.Sprint(w.deleted)] && !r.Deleted() {
			lost++
			t.Errorf("the last write of %s (%q by %s) is neither current nor kept as a conflict", w.id, w.body, w.node)
		}
	}
	t.Logf("%d acknowledged writes, %d conflicts kept on central, %d lost", len(acked), len(conflicts), lost)
}

func schoolApps(nodes map[string]*apptest.App, schools []string) []*apptest.App {
	var out []*apptest.App
	for _, s := range schools {
		out = append(out, nodes[s])
	}
	return out
}

// stamped runs one write in its own transaction, $hlc and $origin standing
// for the transaction's stamps.
func stamped(t *testing.T, a *apptest.App, q string, args ...any) {
	t.Helper()
	err := a.DB.Write(t.Context(), func(tx *store.Tx) error {
		q := strings.NewReplacer("$hlc", fmt.Sprint(tx.HLC), "$origin", "'"+tx.Origin+"'").Replace(q)
		_, err := tx.Exec(q, args...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func has(t *testing.T, a *apptest.App, id string) bool {
	_, err := a.DB.ReadRow(t.Context(), a.DB.Reader(), "probes", id)
	return err == nil
}
