package browser_test

import (
	"os"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// langOf is the page's <html lang> and dir.
func langOf(tab *browser.Tab) (lang, dir string) {
	d := tab.Doc()
	return d.Find("html").AttrOr("lang", ""), d.Find("html").AttrOr("dir", "")
}

// inLanguage fails unless the page is in lang, laid out in its direction,
// with no sideways scroll on the tab's screen.
func inLanguage(t *testing.T, tab *browser.Tab, lang, what string) {
	t.Helper()
	wantDir := map[string]string{"fr": "ltr", "en": "ltr", "ar": "rtl"}[lang]
	if l, d := langOf(tab); l != lang || d != wantDir {
		t.Errorf("%s: <html lang=%q dir=%q>, want %q %q", what, l, d, lang, wantDir)
	}
	fits(t, tab, tab.Viewport, what)
}

// shots is a shooter when PREAU_SCREENSHOTS is set, else nil.
func shots(t *testing.T, vp browser.Viewport) *shooter {
	dir := os.Getenv(ScreenshotsEnv)
	if dir == "" {
		return nil
	}
	dir = fromModuleRoot(t, dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &shooter{t: t, dir: dir, vp: vp}
}

func (s *shooter) maybe(tab *browser.Tab, who, name string) {
	if s != nil {
		s.shoot(tab, who, name)
	}
}

// A browser that prefers Arabic gets the login page in Arabic, right to
// left; its language switch overrides that, and is remembered.
func TestI18nLoginFollowsTheBrowser(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	b := browser.Start(t, browser.DefaultTimeout)
	for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
		s := shots(t, vp)
		tab := b.Tab(t, app.URL, vp)
		tab.AcceptLanguage("ar,fr;q=0.5")
		tab.Open("/connexion")
		inLanguage(t, tab, "ar", "login page, Arabic browser")
		if h := text(tab.Doc(), "h1"); h != "مرحبًا بك في Préau" {
			t.Errorf("Arabic title %q", h)
		}
		s.maybe(tab, "visiteur", "connexion-ar")
		tab.Click(`nav.lang-switch a[lang="en"]`)
		inLanguage(t, tab, "en", "login page after choosing English")
		tab.Open("/connexion")
		inLanguage(t, tab, "en", "login page reloaded")
		if h := text(tab.Doc(), "h1"); h != "Welcome to Préau" {
			t.Errorf("English title %q", h)
		}
		s.maybe(tab, "visiteur", "connexion-en")
	}
}

// A parent chooses Arabic (then English) on « Mon compte », and every page
// they reach follows, without sideways scroll on a phone.
func TestI18nParentWalk(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	b := browser.Start(t, browser.DefaultTimeout)
	for _, lang := range []string{"ar", "en"} {
		for _, vp := range []browser.Viewport{browser.Phone, browser.Desktop} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				s := shots(t, vp)
				tab := b.Tab(t, app.URL, vp)
				loginForm(t, tab, "parent")
				tab.Open("/mon-compte")
				tab.Click(`form.lang-choice button[value="` + lang + `"]`)
				inLanguage(t, tab, lang, "account page after choosing")
				s.maybe(tab, "parent", "mon-compte-"+lang)
				tab.Open("/accueil")
				inLanguage(t, tab, lang, "home")
				s.maybe(tab, "parent", "accueil-"+lang)
				tab.Click(`form.children button[aria-pressed="false"]`)
				inLanguage(t, tab, lang, "the other child")
				s.maybe(tab, "parent", "accueil-autre-enfant-"+lang)
				tab.Open("/mot-de-passe")
				inLanguage(t, tab, lang, "password page")
				s.maybe(tab, "parent", "mot-de-passe-"+lang)
				if st := tab.Open("/nulle-part"); st != 404 {
					t.Errorf("404 page answered %d", st)
				}
				inLanguage(t, tab, lang, "a page that does not exist")
				s.maybe(tab, "parent", "erreur-404-"+lang)
				browser.Eval[bool](tab, `(document.querySelector("details.account") || {}).open = true`)
				topBarFits(t, tab, vp, "the account menu in "+lang)
				s.maybe(tab, "parent", "menu-"+lang)
				// Back to French for the next walk: the account remembers.
				tab.Open("/mon-compte")
				tab.Click(`form.lang-choice button[value="fr"]`)
			})
		}
	}
}

// The staff's and pupils' pages in Arabic fit a laptop and a phone.
func TestI18nHomesInArabic(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	b := browser.Start(t, browser.DefaultTimeout)
	pages := map[string][]string{"enseignant": {"/accueil", "/classes/{class}"}, "directeur": {"/accueil", "/comptes", "/import", "/classes"},
		"eleve": {"/accueil"}}
	for _, vp := range []browser.Viewport{browser.Laptop, browser.Phone} {
		for _, login := range []string{"eleve", "enseignant", "directeur"} {
			t.Run(vp.Name+"/"+login, func(t *testing.T) {
				s := shots(t, vp)
				tab := b.Tab(t, app.URL, vp)
				tab.AcceptLanguage("ar")
				loginForm(t, tab, login)
				for _, p := range pages[login] {
					if p == "/classes/{class}" {
						p = "/classes/" + app.ClassID("CE1")
					}
					tab.Open(p)
					inLanguage(t, tab, "ar", login+" "+p)
					if s != nil {
						s.maybe(tab, login, "ar-"+s.slug(p))
					}
				}
				tab.Open("/accueil")
				topBarFits(t, tab, vp, login+"'s home in Arabic")
			})
		}
	}
}
