package browser_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// dashboards says, per demo login, what its own dashboard shows and no
// other does.
var dashboards = []struct {
	login, profile string
	central        bool
	mine           func(d *goquery.Document) bool
}{
	{"directeur", "director", false, func(d *goquery.Document) bool {
		return text(d, "h1") == "École de démonstration" && d.Find("table.classes-table tbody tr").Length() == 5
	}},
	{"enseignant", "teacher", false, func(d *goquery.Document) bool {
		return d.Find(`a.class-card[href^="/classes/"]`).Length() == 1 && text(d, "a.class-card h3") == "Classe CE1"
	}},
	{"eleve", "pupil", false, func(d *goquery.Document) bool {
		return text(d, "h1") == "Bonjour Léa !" && d.Find(".friends li").Length() == 6 && text(d, ".friends li.me bdi") == "Moi"
	}},
	{"parent", "parent", false, func(d *goquery.Document) bool {
		return d.Find("form.children button").Length() == 2 && text(d, "[data-child] h2") == "Léa Martin"
	}},
	{"dsi", "dsi", true, func(d *goquery.Document) bool {
		return text(d, "h1") == "Écoles de la ville" && strings.Contains(text(d, "table.list tbody"), "École de démonstration")
	}},
}

// TestEachProfileLandsOnItsDashboard signs every demo account in through
// the login form and checks it lands on its own dashboard, and that the
// checks tell the dashboards apart.
func TestEachProfileLandsOnItsDashboard(t *testing.T) {
	school := apptest.New(t, apptest.Options{})
	central := apptest.New(t, apptest.Options{Role: "central"})
	b := browser.Start(t, browser.DefaultTimeout)
	seen := map[string]*goquery.Document{}
	for _, c := range dashboards {
		t.Run(c.login, func(t *testing.T) {
			app := school
			if c.central {
				app = central
			}
			tab := b.Tab(t, app.URL, browser.Desktop)
			loginForm(t, tab, c.login)
			if p := tab.Path(); p != "/accueil" {
				t.Fatalf("landed on %s, want /accueil", p)
			}
			d := tab.Doc()
			if p := profileOf(d); p != c.profile {
				t.Errorf("body[data-profile] = %q, want %q", p, c.profile)
			}
			if !c.mine(d) {
				t.Errorf("%s's dashboard does not show what it should", c.login)
			}
			seen[c.login] = d
		})
	}
	for _, c := range dashboards {
		for login, d := range seen {
			if login != c.login && c.mine(d) {
				t.Errorf("the check for %s's dashboard also passes on %s's: it proves nothing", c.login, login)
			}
		}
	}
}

func TestWrongPasswordShowsFrenchError(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	tab := browser.Start(t, browser.DefaultTimeout).Tab(t, app.URL, browser.Desktop)
	tab.Open("/connexion")
	tab.Type(`input[name="login"]`, "directeur")
	tab.Type(`input[name="password"]`, "pas-le-bon")
	if st := tab.Click(`form[action="/connexion"] button[type="submit"]`); st != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", st)
	}
	d := tab.Doc()
	if p := profileOf(d); p != "anonymous" {
		t.Errorf("logged in as %q with a wrong password", p)
	}
	if e := text(d, `.error[role="alert"]`); !strings.Contains(e, "identifiant ou mot de passe incorrect") {
		t.Errorf("error shown: %q", e)
	}
	if v := d.Find(`input[name="login"]`).AttrOr("value", ""); v != "directeur" {
		t.Errorf("login field lost what was typed: %q", v)
	}
}

// pictureLogin goes from the login page to Léa's picture grid by clicking,
// as a pupil does.
func pictureLogin(t *testing.T, tab *browser.Tab) {
	t.Helper()
	tab.Open("/connexion")
	tab.Click(`a[href="/connexion/images"]`)
	tab.ClickText("a", "CE1")
	tab.ClickText("a", "Léa M.")
	if h := text(tab.Doc(), "h1"); h != "Bonjour Léa M. !" {
		t.Fatalf("picture grid greets %q", h)
	}
}

// pick clicks pictures in order and checks each lands in a slot.
func pick(t *testing.T, tab *browser.Tab, keys ...string) int64 {
	t.Helper()
	var st int64
	for i, k := range keys {
		st = tab.Click(`button[data-picture="` + k + `"]`)
		if i < len(keys)-1 {
			if n := tab.Doc().Find(".slot img").Length(); n != i+1 {
				t.Fatalf("after %d pictures, %d shown as chosen", i+1, n)
			}
		}
	}
	return st
}

func TestPupilLogsInWithPictures(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	tab := browser.Start(t, browser.DefaultTimeout).Tab(t, app.URL, browser.Desktop)
	pictureLogin(t, tab)
	pick(t, tab, "soleil", "chat", "pomme")
	d := tab.Doc()
	if tab.Path() != "/accueil" || profileOf(d) != "pupil" || text(d, "h1") != "Bonjour Léa !" {
		t.Fatalf("after the pictures: %s, profile %q, %q", tab.Path(), profileOf(d), text(d, "h1"))
	}
}

func TestWrongPicturesShowFrenchError(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	tab := browser.Start(t, browser.DefaultTimeout).Tab(t, app.URL, browser.Desktop)
	pictureLogin(t, tab)
	if st := pick(t, tab, "soleil", "chat", "arbre"); st != http.StatusUnauthorized {
		t.Errorf("wrong pictures: status %d, want 401", st)
	}
	d := tab.Doc()
	if p := profileOf(d); p != "anonymous" {
		t.Fatalf("logged in as %q with the wrong pictures", p)
	}
	if e := text(d, `.error[role="alert"]`); !strings.Contains(e, "ce ne sont pas les bonnes images") {
		t.Errorf("error shown: %q", e)
	}
	if n := d.Find(".slot img").Length(); n != 0 {
		t.Errorf("%d pictures still chosen after a failure, want a fresh start", n)
	}
	// The pupil tries again on the same page and gets in.
	pick(t, tab, "soleil", "chat", "pomme")
	if p := profileOf(tab.Doc()); p != "pupil" {
		t.Errorf("second try: profile %q", p)
	}
}

func TestParentSwitchesChild(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	tab := browser.Start(t, browser.DefaultTimeout).Tab(t, app.URL, browser.Desktop)
	loginForm(t, tab, "parent")
	if h := text(tab.Doc(), "[data-child] h2"); h != "Léa Martin" {
		t.Fatalf("first child shown: %q", h)
	}
	tab.ClickText("button", "Tom")
	d := tab.Doc()
	if h := text(d, "[data-child] h2"); h != "Tom Martin" {
		t.Errorf("after choosing Tom: %q", h)
	}
	if !strings.Contains(text(d, "[data-child]"), "CM2") {
		t.Errorf("Tom's class is not shown: %q", text(d, "[data-child]"))
	}
	if pressed := text(d, `form.children button[aria-pressed="true"] bdi`); pressed != "Tom" {
		t.Errorf("button marked as chosen: %q", pressed)
	}
}

func TestLogoutReturnsToLogin(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	tab := browser.Start(t, browser.DefaultTimeout).Tab(t, app.URL, browser.Desktop)
	loginForm(t, tab, "enseignant")
	logout(t, tab)
	d := tab.Doc()
	if tab.Path() != "/connexion" || profileOf(d) != "anonymous" || d.Find(`input[name="password"]`).Length() != 1 {
		t.Fatalf("after logout: %s, profile %q", tab.Path(), profileOf(d))
	}
	if f := text(d, ".flash"); !strings.Contains(f, "déconnecté") {
		t.Errorf("no goodbye message: %q", f)
	}
	// The session is gone, not just the page.
	tab.Open("/accueil")
	if p := tab.Path(); !strings.HasPrefix(p, "/connexion?suite=") {
		t.Errorf("dashboard after logout went to %s", p)
	}
}
