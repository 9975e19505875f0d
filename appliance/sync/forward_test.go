package sync_test

import (
	"testing"
	"testing/fstest"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// letters is a test-only table of rows addressed to a person, the way mail
// will be: written by the sender's school (its scope), delivered to the
// recipient's school through central by the table's declared audience.
var letters = store.Schema{
	Name: "letters",
	FS: fstest.MapFS{"0001_letters.sql": {Data: []byte(`CREATE TABLE letters (
		id TEXT PRIMARY KEY, scope TEXT NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL,
		deleted INTEGER NOT NULL DEFAULT 0, recipient_id TEXT NOT NULL, body TEXT NOT NULL)`)}},
	Replicated: []string{"letters"},
	PushChecks: map[string]store.PushCheck{"letters": store.ScopeIsEnough},
	Audience:   map[string]string{"letters": "recipient_id IN (SELECT id FROM users WHERE school_id = :school)"},
}

func TestStoreAndForwardToAnotherSchool(t *testing.T) {
	p := newPair(t, "ecole-a")
	b := enrollSchool(t, p.central, "ecole-b")
	for _, a := range []*apptest.App{p.central, p.school, b} {
		if err := a.DB.Migrate(t.Context(), letters); err != nil {
			t.Fatal(err)
		}
	}
	bob, err := b.Auth.CreateUser(t.Context(), auth.NewUser{Login: "bob.b", Display: "Bob", Profile: auth.Teacher, SchoolID: "ecole-b"})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, b) // central learns who Bob is
	id := store.NewID()
	// Written at school A while its link is down: stored at once...
	err = p.school.DB.Write(t.Context(), func(tx *store.Tx) error {
		_, err := tx.Exec("INSERT INTO letters(id, scope, hlc, origin, recipient_id, body) VALUES (?, 'ecole-a', ?, ?, ?, 'Bonjour Bob')",
			id, tx.HLC, tx.Origin, bob.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// ...forwarded when A's link is up, delivered when B's is.
	syncOnce(t, p.school)
	syncOnce(t, b)
	var body string
	if err := b.DB.Reader().QueryRow("SELECT body FROM letters WHERE id = ?", id).Scan(&body); err != nil || body != "Bonjour Bob" {
		t.Fatalf("letter not delivered to school B: %q %v", body, err)
	}
	// A third school would not receive it.
	var n int
	p.school.DB.Reader().QueryRow("SELECT count(*) FROM users WHERE id = ?", bob.ID).Scan(&n)
	if n != 0 {
		t.Fatal("school A received school B's account")
	}
}
