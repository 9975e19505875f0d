package browser_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// ScreenshotsEnv names the directory TestScreenshots writes to; without it
// the test does nothing (make screenshots sets it). A relative directory is
// taken from the repository root, not from this package's directory where
// go test runs, so ./screenshots lands where .gitignore expects it.
const ScreenshotsEnv = "PREAU_SCREENSHOTS"

// extraPaths are pages reached from dashboards rather than from the menu;
// those a profile may not see, or that do not exist yet, are left out.
var extraPaths = []string{"/classes", "/classes/{class}", "/comptes", "/comptes/nouveau", "/import", "/mot-de-passe"}

// TestScreenshots writes full-page PNGs of every page each profile can
// reach, on a desktop and on a phone, for people to look at.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv(ScreenshotsEnv)
	if dir == "" {
		t.Skip(ScreenshotsEnv + " is not set: no screenshots")
	}
	dir = fromModuleRoot(t, dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	school := apptest.New(t, apptest.Options{})
	central := apptest.New(t, apptest.Options{Role: "central"})
	b := browser.Start(t, 4*time.Minute)
	for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
		s := &shooter{t: t, dir: dir, vp: vp, names: map[string]string{
			school.ClassID("CE1"): "ce1", central.ClassID("CE1"): "ce1", school.User("eleve").ID: "lea"}}
		s.anonymous(b.Tab(t, school.URL, vp))
		for _, login := range []string{"directeur", "enseignant", "eleve", "parent"} {
			s.profile(b.Tab(t, school.URL, vp), login, school)
		}
		s.profile(b.Tab(t, central.URL, vp), "dsi", central)
		s.anonymousCentral(b.Tab(t, central.URL, vp))
	}
}

type shooter struct {
	t     *testing.T
	dir   string
	vp    browser.Viewport
	names map[string]string // ids → readable names in file names
}

func (s *shooter) shoot(tab *browser.Tab, who, name string) {
	s.t.Helper()
	file := filepath.Join(s.dir, s.vp.Name+"-"+who+"-"+name+".png")
	tab.Screenshot(file)
	s.t.Logf("wrote %s", file)
}

// slug turns a path into a file-name part.
func (s *shooter) slug(path string) string {
	for id, name := range s.names {
		path = strings.ReplaceAll(path, id, name)
	}
	path = strings.Trim(path, "/")
	if path == "" {
		return "racine"
	}
	r := strings.NewReplacer("/", "_", "?", "_", "=", "-", "&", "_")
	return r.Replace(path)
}

func (s *shooter) anonymous(tab *browser.Tab) {
	t := s.t
	tab.Open("/connexion")
	s.shoot(tab, "visiteur", "connexion")
	tab.Type(`input[name="login"]`, "directeur")
	tab.Type(`input[name="password"]`, "pas le bon")
	tab.Click(`form[action="/connexion"] button[type="submit"]`)
	s.shoot(tab, "visiteur", "connexion-erreur")
	tab.Open("/connexion/images")
	s.shoot(tab, "visiteur", "images-classes")
	tab.ClickText("a", "CE1")
	s.shoot(tab, "visiteur", "images-eleves")
	tab.ClickText("a", "Léa M.")
	s.shoot(tab, "visiteur", "images-grille")
	tab.Click(`button[data-picture="soleil"]`)
	tab.Click(`button[data-picture="chat"]`)
	s.shoot(tab, "visiteur", "images-grille-2")
	tab.Click(`button[data-picture="arbre"]`)
	s.shoot(tab, "visiteur", "images-erreur")
	tab.Open("/connexion/carte")
	s.shoot(tab, "visiteur", "carte")
	tab.Open("/carte/exemple-de-code")
	s.shoot(tab, "visiteur", "carte-confirmer")
	if st := tab.Open("/page-qui-n-existe-pas"); st != http.StatusNotFound {
		t.Errorf("unknown page: status %d, want 404", st)
	}
	s.shoot(tab, "visiteur", "erreur-404")
}

func (s *shooter) anonymousCentral(tab *browser.Tab) {
	tab.Open("/connexion")
	s.shoot(tab, "visiteur", "connexion-central")
}

// profile signs in through the form, then shoots the dashboard, every
// menu entry and every extra page the profile may open.
func (s *shooter) profile(tab *browser.Tab, login string, app *apptest.App) {
	t := s.t
	loginForm(t, tab, login)
	s.shoot(tab, login, "accueil")
	seen := map[string]bool{"/accueil": true}
	var paths []string
	tab.Doc().Find(`nav a[href^="/"]`).Each(func(_ int, a *goquery.Selection) {
		paths = append(paths, a.AttrOr("href", ""))
	})
	for _, p := range extraPaths {
		paths = append(paths, strings.ReplaceAll(p, "{class}", app.ClassID("CE1")))
	}
	for _, p := range paths {
		u, err := url.Parse(p)
		if err != nil || seen[u.Path] {
			continue
		}
		seen[u.Path] = true
		if st := tab.Open(p); st != http.StatusOK {
			t.Logf("%s %s: %d, not shot", login, p, st)
			continue
		}
		s.shoot(tab, login, s.slug(p))
	}
	if login == "parent" {
		tab.Open("/accueil")
		tab.Click(`form.children button[aria-pressed="false"]`)
		s.shoot(tab, login, "accueil-autre-enfant")
	}
}

// fromModuleRoot resolves a relative dir against the directory of go.mod.
func fromModuleRoot(t *testing.T, dir string) string {
	if filepath.IsAbs(dir) {
		return dir
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return filepath.Join(root, dir)
		}
		parent := filepath.Dir(root)
		if parent == root {
			t.Fatalf("no go.mod above the test's directory to resolve %s", dir)
		}
		root = parent
	}
}
