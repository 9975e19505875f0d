package sync

import (
	"testing"
	"time"

	"preau/appliance/auth"
	"preau/appliance/i18n"
	"preau/appliance/store"
)

func TestWhen(t *testing.T) {
	fr := i18n.For(i18n.FR)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 23, 8, 5, 0, 0, time.Local), "aujourd'hui à 08:05"},
		{time.Date(2026, 11, 22, 23, 59, 0, 0, time.Local), "hier à 23:59"},
		{time.Date(2026, 11, 3, 17, 45, 0, 0, time.Local), "3 novembre 2026 à 17:45"},
	} {
		if got := when(fr, tc.t, now); got != tc.want {
			t.Errorf("when(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
	for _, tc := range []struct {
		ago  time.Duration
		want string
	}{{20 * time.Second, "à l'instant"}, {12*time.Minute + 5*time.Second, "il y a 12 min"}, {3 * time.Hour, "aujourd'hui à 07:00"}} {
		if got := since(fr, now.Add(-tc.ago), now); got != tc.want {
			t.Errorf("since(%s ago) = %q, want %q", tc.ago, got, tc.want)
		}
	}
	if got := (Status{}).LastHeardText(i18n.FR); got != "jamais" {
		t.Errorf("never heard: %q", got)
	}
	if got := (SchoolState{}).LastSeenText(i18n.FR); got != "jamais" {
		t.Errorf("never seen: %q", got)
	}
	if got := (Status{}).LastSyncText(i18n.FR); got != "" {
		t.Errorf("never synchronised: %q", got)
	}
	// The same moments in English and Arabic.
	if got := when(i18n.For(i18n.EN), time.Date(2026, 11, 22, 23, 59, 0, 0, time.Local), now); got != "yesterday at 23:59" {
		t.Errorf("English: %q", got)
	}
	if got := since(i18n.For(i18n.AR), now.Add(-12*time.Minute), now); got != "منذ 12 دقيقة" {
		t.Errorf("Arabic: %q", got)
	}
	if got := (Status{}).LastHeardText(i18n.AR); got != "أبدًا" {
		t.Errorf("Arabic never: %q", got)
	}
}

// TestKeptVersion checks a kept version reads as people know the row: its
// kind and name, fields under French names, flags only when set, and no
// technical column.
func TestKeptVersion(t *testing.T) {
	p := statusPage{Conflicts: []store.Conflict{{ID: "7", Table: "users", Label: auth.Schema.Labels["users"], At: time.Now(), Loser: store.Row{Table: "users", Values: map[string]any{
		"id": "0193", "scope": "ecole-a", "hlc": int64(99), "origin": "n1", "deleted": int64(0), "display_name": "Paul Morin",
		"first_name": "Paul", "login": "paul.morin", "profile": "teacher", "disabled": int64(1), "must_change": int64(0),
		"password_hash": "$argon2id$x", "email": "",
	}}}}}
	k := p.Kept(i18n.FR)
	if len(k) != 1 || k[0].What != "Compte" || k[0].Name != "Paul Morin" || k[0].ID != "7" {
		t.Fatalf("kept %+v", k)
	}
	got := map[string]string{}
	for _, f := range k[0].Fields {
		got[f.Label] = f.Value
	}
	want := map[string]string{"Prénom": "Paul", "Identifiant": "paul.morin", "Profil": "Enseignant·e", "Désactivé": "oui"}
	if len(got) != len(want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	for l, v := range want {
		if got[l] != v {
			t.Errorf("%s = %q, want %q (fields %v)", l, got[l], v, got)
		}
	}
}
