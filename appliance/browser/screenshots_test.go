package browser_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/browser"
	"preau/appliance/feature"
)

// ScreenshotsEnv names the directory TestScreenshots writes to; without it
// the test does nothing (make screenshots sets it). A relative directory is
// taken from the repository root, not from this package's directory where
// go test runs, so ./screenshots lands where .gitignore expects it.
const ScreenshotsEnv = "PREAU_SCREENSHOTS"

// extraPaths are pages reached from dashboards rather than from the menu;
// those a profile may not see, or that do not exist yet, are left out.
var extraPaths = []string{"/classes", "/classes/{class}", "/comptes", "/comptes?page=2", "/comptes?profil=parent", "/comptes/{pupil}",
	"/comptes/nouveau", "/import", "/mot-de-passe"}

// TestScreenshots writes full-page PNGs of every page each profile can
// reach, on a desktop and on a phone, and every home page on a laptop, for
// people to look at.
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
	enrolled := enrolledSchool(t, central)
	b := browser.Start(t, 4*time.Minute)
	for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
		s := &shooter{t: t, dir: dir, vp: vp, names: map[string]string{
			school.ClassID("CE1"): "ce1", central.ClassID("CE1"): "ce1", school.User("eleve").ID: "lea",
			central.User("eleve").ID: "lea"}}
		s.anonymous(b.Tab(t, school.URL, vp))
		for _, login := range []string{"directeur", "enseignant", "eleve", "parent"} {
			s.profile(b.Tab(t, school.URL, vp), login, school)
		}
		s.director(b.Tab(t, school.URL, vp), school)
		s.profile(b.Tab(t, central.URL, vp), "dsi", central)
		s.anonymousCentral(b.Tab(t, central.URL, vp))
		parent := parentOfAnotherSchool(t, central, "beatrice.roche."+vp.Name)
		storyTab := b.Tab(t, central.URL, vp)
		linkRequestStory(t, storyTab, central, parent, func(name string) { s.shoot(storyTab, "parent-autre-ecole", name) })
		tab := b.Tab(t, enrolled.URL, vp)
		loginForm(t, tab, "directrice.jaures")
		tab.Open("/synchronisation")
		s.shoot(tab, "directeur", "synchronisation-inscrite")
	}
	// A laptop's 1280 px: every profile's home page, with its account menu.
	s := &shooter{t: t, dir: dir, vp: browser.Laptop}
	for _, login := range []string{"directeur", "enseignant", "eleve", "parent"} {
		s.home(b.Tab(t, school.URL, browser.Laptop), login)
	}
	s.home(b.Tab(t, central.URL, browser.Laptop), "dsi")
}

// home shoots a profile's home page, then with its account menu open.
func (s *shooter) home(tab *browser.Tab, login string) {
	loginForm(s.t, tab, login)
	tab.Open("/accueil")
	s.shoot(tab, login, "accueil")
	s.shootMenu(tab, login)
}

// shootMenu shoots the page with the account menu open (a pupil has none).
func (s *shooter) shootMenu(tab *browser.Tab, login string) {
	if !browser.Eval[bool](tab, `!!document.querySelector("details.account")`) {
		return
	}
	browser.Eval[bool](tab, `document.querySelector("details.account").open = true`) // no navigation: Click would wait for one
	s.shoot(tab, login, "accueil-menu")
	browser.Eval[bool](tab, `document.querySelector("details.account").open = false`)
}

// enrolledSchool is a second school, enrolled with central and synchronised,
// with a version that lost a conflict: the sync pages as they are in use. A
// third school waits with an enrollment token not used yet.
func enrolledSchool(t *testing.T, central *apptest.App) *apptest.App {
	t.Helper()
	ctx := t.Context()
	token, err := central.Sync.Central.AddSchool(ctx, "ecole-jaures", "École Jean-Jaurès")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := central.Sync.Central.AddSchool(ctx, "ecole-pasteur", "École Pasteur"); err != nil {
		t.Fatal(err)
	}
	s := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": "ecole-jaures", "school.name": "École Jean-Jaurès"}})
	if _, err := s.Sync.Client.Enroll(ctx, central.URL, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Auth.CreateUser(ctx, auth.NewUser{Login: "directrice.jaures", FirstName: "Nadia", LastName: "Benali",
		Profile: auth.Director, SchoolID: "ecole-jaures", Password: feature.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	teacher, err := s.Auth.CreateUser(ctx, auth.NewUser{FirstName: "Paul", LastName: "Morin", Profile: auth.Teacher, SchoolID: "ecole-jaures"})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce := func() {
		if _, err := s.Sync.Client.SyncOnce(ctx); err != nil {
			t.Fatalf("sync: %v", err)
		}
	}
	syncOnce()
	// The same column of an account edited on both sides: the school's edit loses.
	s.Auth.SetDisabled(ctx, teacher.ID, true)
	central.Auth.SetDisabled(ctx, teacher.ID, true)
	central.Auth.SetDisabled(ctx, teacher.ID, false)
	syncOnce()
	return s
}

// director shoots the pages a director reaches through a form: an import
// preview with errors, a new password, a new picture password, the class's
// login cards.
func (s *shooter) director(tab *browser.Tab, app *apptest.App) {
	t := s.t
	loginForm(t, tab, "directeur")
	tab.Open("/import")
	browser.Eval[bool](tab, `document.querySelector("#envoi details").open = true`) // no navigation: Click would wait for one
	tab.Type(`textarea[name="contenu"]`, "profil;prénom;nom;classe;enfants\nélève;Zoé;Lambert;CE1;\nélève;Léo;Petit;CE4;\n"+
		"parent;Anne;Lambert;;Zoé Lambert\nparent;Marc;Petit;;Léo Inconnu\nenseignant;Jean;;CP;\n")
	tab.Click("#envoi button[type=submit]")
	s.shoot(tab, "directeur", "import-apercu-erreurs")
	tab.Open("/comptes/" + app.User("marc.andre").ID)
	tab.Click(`#actions form[action$="/mot-de-passe"] button`)
	s.shoot(tab, "directeur", "comptes_mot-de-passe")
	class := "/classes/" + app.ClassID("CE1")
	tab.Open(class)
	tab.Click(`tr[data-pupil="` + app.User("adam.laurent").ID + `"] form[action$="/images"] button`)
	s.shoot(tab, "directeur", "classes_ce1_images")
	tab.Open(class)
	tab.Click("#cartes button[type=submit]")
	s.shoot(tab, "directeur", "classes_ce1_cartes")
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
	s.shootMenu(tab, login)
	seen := map[string]bool{"/accueil": true}
	var paths []string
	tab.Doc().Find(`nav a[href^="/"]`).Each(func(_ int, a *goquery.Selection) {
		paths = append(paths, a.AttrOr("href", ""))
	})
	for _, p := range extraPaths {
		p = strings.ReplaceAll(p, "{class}", app.ClassID("CE1"))
		paths = append(paths, strings.ReplaceAll(p, "{pupil}", app.User("eleve").ID))
	}
	for _, p := range paths {
		if seen[p] {
			continue
		}
		seen[p] = true
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
