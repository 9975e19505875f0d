package browser_test

import (
	"strconv"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// noSidewaysScroll fails when the page is wider than the phone.
func noSidewaysScroll(t *testing.T, tab *browser.Tab, what string) {
	t.Helper()
	// A phone zooms out to fit a page that is too wide, so the window
	// growing past the phone's width is the first sign of overflow.
	if w := browser.Eval[int](tab, `window.innerWidth`); w != int(browser.Phone.Width) {
		t.Errorf("%s: %d px wide, the phone zooms out to fit it in %d px", what, w, browser.Phone.Width)
		return
	}
	if o := tab.Overflow(); o > 0 {
		t.Errorf("%s: %d px wider than the phone, it scrolls sideways", what, o)
	}
}

// onScreen fails when the element matching sel ends below the window: a
// child does not scroll to find a picture.
func onScreen(t *testing.T, tab *browser.Tab, sel string) {
	t.Helper()
	bottom := browser.Eval[float64](tab, `document.querySelector(`+strconv.Quote(sel)+`).getBoundingClientRect().bottom`)
	if h := browser.Eval[float64](tab, `window.innerHeight`); bottom > h {
		t.Errorf("%s ends at %.0f px, below the %.0f px screen", sel, bottom, h)
	}
}

// TestClassroomPC checks the picture grid on a 1366×768 screen, less the
// browser's own bars: the pictures and the way back are all in view.
func TestClassroomPC(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	pc := browser.Viewport{Name: "pc-de-classe", Width: 1366, Height: 650}
	tab := browser.Start(t, browser.DefaultTimeout).Tab(t, app.URL, pc)
	pictureLogin(t, tab)
	pick(t, tab, "soleil")
	onScreen(t, tab, ".pictures")
	onScreen(t, tab, ".picture-login .btn-row")
}

func TestPhone(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	b := browser.Start(t, browser.DefaultTimeout)
	t.Run("pupil", func(t *testing.T) {
		tab := b.Tab(t, app.URL, browser.Phone)
		tab.Open("/connexion")
		noSidewaysScroll(t, tab, "login page")
		pictureLogin(t, tab)
		noSidewaysScroll(t, tab, "picture grid")
		onScreen(t, tab, ".pictures")
		pick(t, tab, "soleil", "chat", "pomme")
		if p := profileOf(tab.Doc()); p != "pupil" {
			t.Fatalf("not logged in: %q", p)
		}
		noSidewaysScroll(t, tab, "pupil dashboard")
	})
	// The register's pages, as the director and a teacher reach them.
	pages := map[string][]string{
		"directeur":  {"/classes", "/classes/" + app.ClassID("CE1"), "/comptes", "/comptes?page=2", "/comptes/nouveau", "/import", "/synchronisation"},
		"enseignant": {"/classes", "/classes/" + app.ClassID("CE1")},
	}
	for _, login := range []string{"directeur", "enseignant", "parent"} {
		t.Run(login, func(t *testing.T) {
			tab := b.Tab(t, app.URL, browser.Phone)
			loginForm(t, tab, login)
			noSidewaysScroll(t, tab, login+"'s dashboard")
			tab.Open("/mot-de-passe")
			noSidewaysScroll(t, tab, "password page")
			for _, p := range pages[login] {
				tab.Open(p)
				noSidewaysScroll(t, tab, p)
			}
		})
	}
}
