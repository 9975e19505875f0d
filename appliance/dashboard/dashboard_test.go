package dashboard_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/roster"
)

func dashboard(t *testing.T, a *apptest.App, c *http.Client) *goquery.Document {
	t.Helper()
	resp, body := a.Get(c, "/accueil")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", resp.StatusCode)
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEachProfileHasItsDashboard(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	cases := []struct {
		login, profile string
		check          func(d *goquery.Document) bool
	}{
		{"eleve", "pupil", func(d *goquery.Document) bool {
			return strings.Contains(d.Find("h1").Text(), "Bonjour Léa") && d.Find(".friends li").Length() == 6
		}},
		{"enseignant", "teacher", func(d *goquery.Document) bool {
			return d.Find("a.card[href^='/classes/']").Length() == 1 && strings.Contains(d.Find("a.card").Text(), "CE1") &&
				d.Find(`.tiles a[href="/classes"]`).Length() == 1
		}},
		{"parent", "parent", func(d *goquery.Document) bool { return d.Find(".children button").Length() == 2 }},
		{"directeur", "director", func(d *goquery.Document) bool {
			return d.Find("table.list tbody tr").Length() == 5 && strings.Contains(d.Find("h1").Text(), "École de démonstration")
		}},
		{"dsi", "dsi", func(d *goquery.Document) bool {
			return strings.Contains(d.Find("table.list").Text(), "École de démonstration") && d.Find(`.tiles a[href="/ecoles"]`).Length() == 1
		}},
	}
	for _, c := range cases {
		d := dashboard(t, a, a.ClientAs(c.login))
		if p, _ := d.Find("body").Attr("data-profile"); p != c.profile {
			t.Errorf("%s: data-profile %q", c.login, p)
		}
		if !c.check(d) {
			t.Errorf("%s: dashboard lacks its content", c.login)
		}
		// One-level navigation: the top bar leads home, to the
		// notifications and to the account, the home page's tiles to the
		// rest, with no nested menu.
		if d.Find(`header nav a[href="/accueil"]`).Length() != 1 || d.Find(`header nav a[href="/notifications"]`).Length() != 1 ||
			d.Find("header nav a").Length() != 2 {
			t.Errorf("%s: the top bar holds more than the way home", c.login)
		}
		if d.Find(".tiles .tiles, .tiles nav, .tiles ul ul").Length() > 0 {
			t.Errorf("%s: the menu is not one flat level", c.login)
		}
		if c.profile != "pupil" && d.Find(`header .account a[href="/mot-de-passe"]`).Length() != 1 {
			t.Errorf("%s: the account menu has no way to the password", c.login)
		}
		if d.Find(`header form[action="/deconnexion"] button`).Length() != 1 {
			t.Errorf("%s: no logout in the top bar", c.login)
		}
	}
}

func TestParentSwitchesChild(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.ClientAs("parent")
	d := dashboard(t, a, c)
	if !strings.Contains(d.Find("[data-child] h2").Text(), "Léa") {
		t.Fatalf("first child not shown: %q", d.Find("[data-child] h2").Text())
	}
	tom := a.User("tom.martin")
	resp, _ := a.PostForm(c, "/enfant", url.Values{"child": {tom.ID}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch: %d", resp.StatusCode)
	}
	d = dashboard(t, a, c)
	if !strings.Contains(d.Find("[data-child] h2").Text(), "Tom") || !strings.Contains(d.Find("[data-child]").Text(), "CM2") {
		t.Fatalf("switch to Tom not shown: %q", d.Find("[data-child]").Text())
	}
	if pressed, _ := d.Find(".children button[aria-pressed=true]").Attr("value"); pressed != tom.ID {
		t.Error("the chosen child is not marked")
	}
	// Someone else's child is refused and changes nothing.
	other := a.User("helene.roux")
	if resp, _ := a.PostForm(c, "/enfant", url.Values{"child": {other.ID}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign child: %d", resp.StatusCode)
	}
	if !strings.Contains(dashboard(t, a, c).Find("[data-child] h2").Text(), "Tom") {
		t.Fatal("refused switch changed the child shown")
	}
}

// The director is told about pupils who cannot log in at all: no password,
// no pictures, no card.
func TestDirectorSeesPupilsWithoutLogin(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	badge := func() string { return dashboard(t, a, a.ClientAs("directeur")).Find(".badge.warn").Text() }
	if b := badge(); b != "" {
		t.Fatalf("every demo pupil can log in, yet the dashboard says %q", b)
	}
	if _, err := a.Register.CreateUser(t.Context(), roster.NewUser{NewUser: auth.NewUser{FirstName: "Nouvel", LastName: "Élève", Profile: auth.Pupil,
		SchoolID: "demo"}, ClassIDs: []string{a.ClassID("CP")}}); err != nil {
		t.Fatal(err)
	}
	if b := badge(); !strings.Contains(b, "1 sans moyen de connexion") {
		t.Fatalf("badge %q", b)
	}
}

// Each profile's home page shows its day, from every feature's panels:
// the pupil what is due tomorrow and the news; the parent, per child, what
// is due, the notes to sign, the absences to justify; the teacher the
// registers and the signatures awaited; the director the day's absences.
func TestHomePagesShowTheDay(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	for login, panels := range map[string][]string{
		"eleve":      {".homework-panel", ".news-panel"},
		"parent":     {".liaison-panel", ".homework-panel", "#panel-absences", ".news-panel"},
		"enseignant": {"#panel-appel", ".liaison-panel", ".news-panel"},
		"directeur":  {"#panel-jour", ".news-panel"},
	} {
		d := dashboard(t, a, a.ClientAs(login))
		for _, p := range panels {
			if d.Find(".panels "+p).Length() != 1 {
				t.Errorf("%s's home page lacks %s", login, p)
			}
		}
	}
	d := dashboard(t, a, a.ClientAs("parent"))
	if n := d.Find(".homework-panel h3").Length(); n != 2 {
		t.Errorf("the parent's « pour demain » shows %d children, want both", n)
	}
}
