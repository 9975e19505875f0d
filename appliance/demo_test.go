package appliance_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance"
	"preau/appliance/apptest"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// state is what seeding could change: the rows of every table it writes and
// the change log's last entry (any stamped write moves it).
func state(t *testing.T, a *apptest.App) [6]int64 {
	t.Helper()
	var s [6]int64
	for i, q := range []string{
		"SELECT count(*) FROM users", "SELECT count(*) FROM classes", "SELECT count(*) FROM memberships",
		"SELECT count(*) FROM guardians", "SELECT count(*) FROM schools", "SELECT coalesce(max(seq), 0) FROM changes",
	} {
		if err := a.DB.Reader().QueryRowContext(context.Background(), q).Scan(&s[i]); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// seed seeds a school as a node of a.Config.Role seeds its own: central's
// seed brings the DSI.
func seed(t *testing.T, a *apptest.App, schoolID string) error {
	t.Helper()
	return a.SeedDemo(context.Background(), feature.DemoSchool{ID: schoolID, Name: "École " + schoolID,
		Central: a.Config.Role == "central" && schoolID == a.Config.SchoolID})
}

func TestSeedTwiceChangesNothing(t *testing.T) {
	for _, role := range []string{"school", "central"} {
		a := apptest.New(t, apptest.Options{Role: role}) // seeded once at start
		before := state(t, a)
		if err := seed(t, a, a.Config.SchoolID); err != nil {
			t.Fatalf("%s: seed again: %v", role, err)
		}
		if after := state(t, a); after != before {
			t.Errorf("%s: seeding again changed %v into %v", role, before, after)
		}
	}
}

// Whether a school was seeded is the node's mark, not an account: the
// director may rename their login or leave, and a restart with --demo seeds
// nothing again.
func TestSeedKeyedByMarker(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	dir := a.User("directeur")
	if err := a.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET login = 'claire.dubois', hlc = ?, origin = ? WHERE id = ?", tx.HLC, tx.Origin, dir.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Auth.SetDisabled(ctx, a.User("enseignant").ID, true); err != nil {
		t.Fatal(err)
	}
	before := state(t, a)
	if err := seed(t, a, a.Config.SchoolID); err != nil {
		t.Fatalf("seed after the director's login changed: %v", err)
	}
	if after := state(t, a); after != before {
		t.Errorf("seeded again: %v → %v", before, after)
	}

	// Without the mark, the school's classes say it is there (seeded by an
	// older version, or back from central): marked, not seeded again.
	if err := a.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM demo_seeds")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := seed(t, a, a.Config.SchoolID); err != nil {
		t.Fatalf("seed without the mark: %v", err)
	}
	if after := state(t, a); after != before {
		t.Errorf("seeded again without the mark: %v → %v", before, after)
	}
	var marks, seeders int
	for _, f := range appliance.Features {
		if f.Demo.Seed != nil {
			seeders++
		}
	}
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM demo_seeds WHERE school_id = ?", a.Config.SchoolID).Scan(&marks); err != nil || marks != seeders {
		t.Errorf("marks not written back: %d of %d %v", marks, seeders, err)
	}
}

// A second demo school gets logins of its own: both seed on one node, where
// logins are unique as they are city-wide, and the first keeps the logins
// the README lists.
func TestSecondDemoSchoolLogins(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	ctx := context.Background()
	first := state(t, a)
	if err := seed(t, a, "ecole-a"); err != nil {
		t.Fatalf("second demo school: %v", err)
	}
	users, err := a.Register.SchoolUsers(ctx, "ecole-a")
	if err != nil {
		t.Fatal(err)
	}
	demoUsers, err := a.Register.SchoolUsers(ctx, feature.DemoSchoolID)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != len(demoUsers) || len(users) < 50 {
		t.Fatalf("ecole-a has %d accounts, the demo school %d", len(users), len(demoUsers))
	}
	for _, u := range users {
		if !strings.HasSuffix(u.Login, ".ecole-a") {
			t.Errorf("ecole-a's %s has login %q", u.DisplayName, u.Login)
		}
	}
	if after := state(t, a); after[0]-first[0] != int64(len(users)) {
		t.Errorf("%d accounts added, want %d (no second DSI)", after[0]-first[0], len(users))
	}
	for _, id := range []string{feature.DemoSchoolID, "ecole-a"} {
		for _, acc := range appliance.DemoAccounts(feature.DemoSchool{ID: id, Central: false}) {
			u, err := a.Auth.LoginPassword(ctx, acc.Login, feature.DemoPassword, "127.0.0.1")
			if err != nil || u.SchoolID != id {
				t.Errorf("%s at %s: %+v %v", acc.Login, id, u, err)
			}
		}
	}
	if got := appliance.DemoAccounts(feature.DemoSchool{ID: feature.DemoSchoolID, Central: true}); got[0].Login != "directeur" || got[1].Login != "enseignant" || got[2].Login != "eleve" ||
		got[3].Login != "parent" || got[4].Login != "dsi" {
		t.Errorf("the demo school's logins changed: %v", got)
	}
}

// A school id as long as config allows still makes valid logins (the
// school seeds), distinct from those of a school whose id shares its start.
func TestLoginOfLongSchoolID(t *testing.T) {
	long := strings.Repeat("ecole-", 10) + "abcd" // 64 characters
	a := apptest.New(t, apptest.Options{Config: map[string]string{"school.id": long}})
	users, err := a.Register.SchoolUsers(context.Background(), long)
	if err != nil || len(users) < 50 {
		t.Fatalf("%d accounts: %v", len(users), err)
	}
	for _, u := range users {
		if !strings.Contains(u.Login, ".ecole-ecole-") {
			t.Errorf("login %q", u.Login)
		}
	}
	if x, y := feature.DemoLogin(long, "isabelle.mercier"), feature.DemoLogin(long[:63]+"e", "isabelle.mercier"); x == y {
		t.Errorf("two schools share %q", x)
	}
}

// The login page of a second demo school shows its own logins.
func TestLoginPageShowsTheSchoolsLogins(t *testing.T) {
	a := apptest.New(t, apptest.Options{Config: map[string]string{"school.id": "ecole-a"}})
	resp, body := a.Get(a.Client(), "/connexion")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	doc.Find(".demo-accounts code").Each(func(_ int, s *goquery.Selection) { shown = append(shown, s.Text()) })
	if want := "directeur.ecole-a enseignant.ecole-a eleve.ecole-a parent.ecole-a"; strings.Join(shown, " ") != want {
		t.Errorf("demo logins shown: %v, want %s", shown, want)
	}
}
