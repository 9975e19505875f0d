package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func insertNote(t *testing.T, db *DB, id, body string) Row {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO notes(id, scope, hlc, origin, body) VALUES (?, 'ecole-a', ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET body = excluded.body, hlc = excluded.hlc, origin = excluded.origin`, id, tx.HLC, tx.Origin, body)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return readNote(t, db, id)
}

func deleteNote(t *testing.T, db *DB, id string) Row {
	t.Helper()
	err := db.Write(context.Background(), func(tx *Tx) error {
		_, err := tx.Exec("UPDATE notes SET deleted = 1, hlc = ?, origin = ? WHERE id = ?", tx.HLC, tx.Origin, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return readNote(t, db, id)
}

func readNote(t *testing.T, db *DB, id string) Row {
	t.Helper()
	r, err := db.ReadRow(context.Background(), db.Reader(), "notes", id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func apply(t *testing.T, db *DB, r Row, concurrent bool) Outcome {
	t.Helper()
	var out Outcome
	db.Clock().Observe(r.HLC())
	err := db.Write(context.Background(), func(tx *Tx) error {
		var err error
		out, err = db.Apply(context.Background(), tx, r, func(int64, string) bool { return concurrent })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRowJSONRoundTrip(t *testing.T) {
	r := Row{Table: "notes", Values: map[string]any{"id": "x", "hlc": int64(1<<62 + 12345), "f": 1.5, "b": []byte{0, 1, 255}, "n": nil, "s": "é"}}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Row
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !sameRow(r, back) || back.Table != "notes" {
		t.Fatalf("round trip changed the row:\n%v\n%v", r.Values, back.Values)
	}
	if err := json.Unmarshal([]byte(`{"t":"notes","v":{"x":[1,2]}}`), &back); err == nil {
		t.Fatal("array value accepted")
	}
}

func TestValidate(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	good := insertNote(t, db, "a", "un")
	if err := db.Validate(ctx, good); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		want   string
		mutate func(r *Row)
	}{
		{"non répliquée", func(r *Row) { r.Table = "sessions" }},
		{"colonnes reçues", func(r *Row) { r.Values["extra"] = "x" }},
		{"manquante", func(r *Row) { delete(r.Values, "body"); r.Values["autre"] = "x" }},
		{"absent ou invalide", func(r *Row) { r.Values["hlc"] = "demain" }},
		{"deleted doit", func(r *Row) { r.Values["deleted"] = int64(7) }},
	}
	for _, c := range cases {
		r := Row{Table: good.Table, Values: map[string]any{}}
		for k, v := range good.Values {
			r.Values[k] = v
		}
		c.mutate(&r)
		if err := db.Validate(ctx, r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.want, err)
		}
	}
}

func TestApplyLastWriterWins(t *testing.T) {
	a, b := openTest(t, t.TempDir()), openTest(t, t.TempDir())
	v1 := insertNote(t, a, "n", "v1")
	if got := apply(t, b, v1, false); got != Applied {
		t.Fatalf("new row: %v", got)
	}
	if got := apply(t, b, v1, false); got != Same {
		t.Fatalf("replayed row: %v", got)
	}
	v2 := insertNote(t, a, "n", "v2")
	if got := apply(t, b, v2, false); got != Applied || readNote(t, b, "n").Values["body"] != "v2" {
		t.Fatalf("newer row: %v", got)
	}
	if got := apply(t, b, v1, false); got != KeptLocal || readNote(t, b, "n").Values["body"] != "v2" {
		t.Fatalf("older row must not win: %v", got)
	}
	// The applied row keeps its origin: it is relayed but not sent back.
	var origin string
	b.Reader().QueryRow("SELECT origin FROM changes WHERE row_id = 'n'").Scan(&origin)
	if origin != a.Node().ID {
		t.Fatalf("change log origin %q, want the writer %q", origin, a.Node().ID)
	}
	if cs, _ := b.Conflicts(context.Background()); len(cs) != 0 {
		t.Fatalf("sequential versions recorded as conflicts: %d", len(cs))
	}
}

func TestApplyTieBrokenByOrigin(t *testing.T) {
	a, b := openTest(t, t.TempDir()), openTest(t, t.TempDir())
	va := insertNote(t, a, "n", "de a")
	vb := Row{Table: "notes", Values: map[string]any{}}
	for k, v := range va.Values {
		vb.Values[k] = v
	}
	vb.Values["body"] = "de b"
	vb.Values["origin"] = "zzzz" // same hlc, greater origin
	apply(t, b, va, false)
	if got := apply(t, b, vb, true); got != Applied || readNote(t, b, "n").Values["body"] != "de b" {
		t.Fatalf("tie: %v", got)
	}
	cs, _ := b.Conflicts(context.Background())
	if len(cs) != 1 || cs[0].Loser.Values["body"] != "de a" {
		t.Fatalf("concurrent loser not kept: %+v", cs)
	}
}

func TestDeleteWinsOverConcurrentEdit(t *testing.T) {
	a, b := openTest(t, t.TempDir()), openTest(t, t.TempDir())
	base := insertNote(t, a, "n", "base")
	apply(t, b, base, false)
	tomb := deleteNote(t, a, "n")          // a deletes...
	edit := insertNote(t, b, "n", "édité") // ...b edits later, unaware
	if got := apply(t, b, tomb, true); got != DeleteWon {
		t.Fatalf("b receiving a's delete: %v", got)
	}
	onB := readNote(t, b, "n")
	if !onB.Deleted() || !newer(onB, edit) {
		t.Fatalf("b must hold a restamped tombstone newer than its edit: %v", onB.Values)
	}
	// a receives b's edit (concurrent with its delete): the delete stays.
	if got := apply(t, a, edit, true); got != KeptDelete {
		t.Fatalf("a receiving b's edit: %v", got)
	}
	// Exchanging the restamped winners converges both on one row.
	apply(t, a, onB, false)
	apply(t, b, readNote(t, a, "n"), false)
	if ra, rb := readNote(t, a, "n"), readNote(t, b, "n"); !sameRow(ra, rb) || !ra.Deleted() {
		t.Fatalf("not converged:\na %v\nb %v", ra.Values, rb.Values)
	}
	// The lost edit is kept and can be restored.
	cs, _ := b.Conflicts(context.Background())
	if len(cs) != 1 || cs[0].Loser.Values["body"] != "édité" {
		t.Fatalf("edit not kept: %+v", cs)
	}
	if err := b.RestoreConflict(context.Background(), cs[0].ID); err != nil {
		t.Fatal(err)
	}
	if r := readNote(t, b, "n"); r.Deleted() || r.Values["body"] != "édité" {
		t.Fatalf("restored row: %v", r.Values)
	}
	if err := b.RestoreConflict(context.Background(), "inconnu"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown conflict: %v", err)
	}
}
