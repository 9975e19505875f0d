package store

import (
	"encoding/json"
	"testing"
)

// Records gives each row by its column names, text as text whatever SQLite
// hands back, and an empty list (not null) when no row matches.
func TestRecords(t *testing.T) {
	db := openTest(t, t.TempDir())
	ctx := t.Context()
	got, err := Records(ctx, db.Reader(), `SELECT 'Léa' AS name, CAST('octets' AS BLOB) AS data, 3 AS n, NULL AS empty`)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if want := `[{"data":"octets","empty":null,"n":3,"name":"Léa"}]`; string(b) != want {
		t.Errorf("Records = %s, want %s", b, want)
	}
	none, err := Records(ctx, db.Reader(), `SELECT id FROM notes WHERE id = 'aucune'`)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(none); string(b) != "[]" {
		t.Errorf("no rows = %s, want []", b)
	}
}
