package appliance_test

import (
	"fmt"
	"testing"

	"preau/appliance/apptest"
)

// Every row of every replicated table — whichever feature registered it —
// has its entry in the change log with its current clock: no write escapes
// sync. The demo seed exercises inserts and updates across the tables.
func TestEveryReplicatedRowIsLogged(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	tables := a.DB.Replicated()
	if len(tables) < 5 {
		t.Fatalf("only %d replicated tables registered: %v", len(tables), tables)
	}
	// Some updates too: a password reset and a disabled account.
	u := a.User("helene.roux")
	if err := a.Auth.SetPassword(t.Context(), u.ID, "nouveau-mdp", true); err != nil {
		t.Fatal(err)
	}
	if err := a.Auth.SetDisabled(t.Context(), a.User("parent").ID, true); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, table := range tables {
		var rows, unlogged int
		q := fmt.Sprintf(`SELECT count(*), coalesce(sum(NOT EXISTS (SELECT 1 FROM changes c
			WHERE c.tbl = '%[1]s' AND c.row_id = t.id AND c.hlc = t.hlc)), 0) FROM %[1]s t`, table)
		if err := a.DB.Reader().QueryRow(q).Scan(&rows, &unlogged); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if unlogged > 0 {
			t.Errorf("%s: %d of %d rows missing from the change log", table, unlogged, rows)
		}
		total += rows
	}
	var logged int
	a.DB.Reader().QueryRow("SELECT count(*) FROM changes").Scan(&logged)
	if logged != total || total == 0 {
		t.Fatalf("change log has %d entries for %d replicated rows", logged, total)
	}
}
