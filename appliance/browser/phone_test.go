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
	fits(t, tab, browser.Phone, what)
}

// fits fails when the page is wider than the window of vp.
func fits(t *testing.T, tab *browser.Tab, vp browser.Viewport, what string) {
	t.Helper()
	// A phone zooms out to fit a page that is too wide, so the window
	// growing past the phone's width is the first sign of overflow.
	if w := browser.Eval[int](tab, `window.innerWidth`); w != int(vp.Width) {
		t.Errorf("%s: %d px wide, the %s zooms out to fit it in %d px", what, w, vp.Name, vp.Width)
		return
	}
	if o := tab.Overflow(); o > 0 {
		t.Errorf("%s: %d px wider than the %s's %d px, it scrolls sideways", what, o, vp.Name, vp.Width)
	}
}

// topBarFits fails when anything in the top bar, the account menu open,
// reaches past the window's edges or the bar scrolls inside itself.
func topBarFits(t *testing.T, tab *browser.Tab, vp browser.Viewport, what string) {
	t.Helper()
	browser.Eval[bool](tab, `(document.querySelector("details.account") || {}).open = true`)
	out := browser.Eval[[]string](tab, `(() => {
		const bar = document.querySelector(".topbar"), out = [];
		if (bar.scrollWidth > bar.clientWidth) out.push("the bar scrolls: " + bar.scrollWidth + " > " + bar.clientWidth);
		for (const e of bar.querySelectorAll("*")) {
			const r = e.getBoundingClientRect();
			if (r.width && (r.left < -0.5 || r.right > window.innerWidth + 0.5)) out.push(e.tagName + "." + e.className + " at " + Math.round(r.left) + "–" + Math.round(r.right));
		}
		// What the bar holds side by side (the brand, each link, the
		// account) never covers another: a link under the avatar is lost.
		const parts = [...bar.querySelectorAll(":scope > .brand, .topnav > a, :scope > .who, :scope > .account > summary")];
		for (const [i, a] of parts.entries()) for (const b of parts.slice(i + 1)) {
			const x = a.getBoundingClientRect(), y = b.getBoundingClientRect();
			if (x.width && y.width && x.left < y.right - 0.5 && y.left < x.right - 0.5) out.push(a.className + " " + (a.getAttribute("href") || "") + " covers " + b.className + " " + (b.getAttribute("href") || ""));
		}
		return out;
	})()`)
	for _, o := range out {
		t.Errorf("%s at %d px, top bar: %s", what, vp.Width, o)
	}
	fits(t, tab, vp, what+", account menu open")
	browser.Eval[bool](tab, `(document.querySelector("details.account") || {}).open = false`)
}

// Every profile's home page, which is its menu, and its top bar fit a
// laptop's 1280 px and a phone's 390 px, with no sideways scroll, on a
// school and on central.
func TestHomePagesFit(t *testing.T) {
	school := apptest.New(t, apptest.Options{})
	central := apptest.New(t, apptest.Options{Role: "central"})
	b := browser.Start(t, browser.DefaultTimeout)
	for _, vp := range []browser.Viewport{browser.Laptop, browser.Phone} {
		for _, c := range []struct {
			app   *apptest.App
			login string
		}{{school, "eleve"}, {school, "parent"}, {school, "enseignant"}, {school, "directeur"}, {central, "dsi"}, {central, "parent"}} {
			t.Run(vp.Name+"/"+c.app.Config.Role+"/"+c.login, func(t *testing.T) {
				tab := b.Tab(t, c.app.URL, vp)
				loginForm(t, tab, c.login)
				tab.Open("/accueil")
				if tab.Doc().Find(".topbar").Length() != 1 {
					t.Fatal("no top bar")
				}
				fits(t, tab, vp, c.login+"'s home page")
				topBarFits(t, tab, vp, c.login+"'s home page")
			})
		}
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
