package browser_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// axeSource is axe-core's script from assets/src/node_modules (npm ci in
// assets/src). Without it the test is skipped, unless PREAU_NODE_TESTS is
// "required" (CI), as the other tests that need the npm packages are.
func axeSource(t *testing.T) string {
	t.Helper()
	file, _ := filepath.Abs("../../assets/src/node_modules/axe-core/axe.min.js")
	src, err := os.ReadFile(file)
	if err != nil {
		if os.Getenv("PREAU_NODE_TESTS") == "required" {
			t.Fatalf("axe-core is required (npm ci in assets/src): %v", err)
		}
		t.Skip("no assets/src/node_modules/axe-core: run npm ci in assets/src")
	}
	return string(src)
}

// axeRun asks for the rules of WCAG 2.1, levels A and AA, and keeps what
// stops or seriously hinders someone: the serious and critical violations.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]})
	.then(r => r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => ({rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" "))})))`

type axeViolation struct {
	Rule, Impact, Help string
	Targets            []string
}

// axeCheck runs axe-core on the tab's page as it is laid out now; the
// walker's tab loads axe-core into every page (OnEveryPage).
func axeCheck(tab *browser.Tab) []axeViolation {
	return browser.EvalAwait[[]axeViolation](tab, "run axe-core", axeRun)
}

// idSegment is a path segment naming one record (a uuid, a number, a
// code): pages that differ only there are one page to check.
var idSegment = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9]+|[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]{15,})$`)

// pattern is a path with its ids replaced, the key the walk dedupes on.
func pattern(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if idSegment.MatchString(s) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// notAPage is what the walk does not follow: leaving, changing the
// language (a setting, checked by choosing each one), the API, files to
// download or shown raw (a photo under /media/ opens in Chromium's own
// image viewer, which is not ours to check), feeds.
var notAPage = regexp.MustCompile(`^/(deconnexion|langue/|api/|assets/|media/)|/(fichiers?|telecharger|export|brut|ics|flux)(/|$)|\.[A-Za-z0-9]{2,4}$`)

// walker checks the pages one person reaches, and counts.
type walker struct {
	t      *testing.T
	tab    *browser.Tab
	who    string
	pages  []string        // paths to check, in the order found
	seen   map[string]bool // their patterns
	checks int
	found  map[string]*finding // by rule and page pattern
}

// finding is one rule broken on one page, with where and in which
// languages and sizes.
type finding struct {
	axeViolation
	where   []string
	targets map[string]bool
}

// links are the same-origin pages the current page links to, new ones
// only, by pattern.
func (w *walker) links() []string {
	var out []string
	hrefs := browser.Eval[[]string](w.tab, `[...document.querySelectorAll("a[href]")].filter(a => !a.hasAttribute("download") && a.origin === location.origin).map(a => a.pathname + a.search)`)
	for _, h := range hrefs {
		u, err := url.Parse(h)
		if err != nil || notAPage.MatchString(u.Path) || w.seen[pattern(u.Path)] {
			continue
		}
		w.seen[pattern(u.Path)] = true
		out = append(out, h)
	}
	return out
}

// walk finds the pages, in French: the start page (a home page, or the
// sign-in page for a visitor), every page it links to, and those pages'
// links, one level further. It checks each on the way.
func (w *walker) walk(start string) {
	w.seen = map[string]bool{pattern(start): true}
	level := []string{start}
	for depth := 0; depth < 3; depth++ {
		var next []string
		for _, p := range level {
			if !w.open(p, "fr") {
				continue
			}
			w.pages = append(w.pages, p)
			w.checkSizes(p, "fr")
			if depth < 2 {
				next = append(next, w.links()...)
			}
		}
		level = next
	}
}

// open loads p in lang and says whether it is a page to check: one
// that answered 200 and stayed where it was asked (a redirect leads to
// a page the walk checks on its own).
func (w *walker) open(p, lang string) bool {
	st := w.tab.Open(p)
	if st != 200 {
		w.t.Logf("%s %s: %d, not checked", w.who, p, st)
		return false
	}
	if got := w.tab.Path(); pattern(strings.SplitN(got, "?", 2)[0]) != pattern(strings.SplitN(p, "?", 2)[0]) {
		w.t.Logf("%s %s: led to %s, not checked", w.who, p, got)
		return false
	}
	wantDir := map[string]string{"fr": "ltr", "ar": "rtl"}[lang]
	if l, d := langOf(w.tab); l != lang || d != wantDir {
		w.t.Errorf("%s %s: <html lang=%q dir=%q>, want %q %q", w.who, p, l, d, lang, wantDir)
	}
	return true
}

// check runs axe-core on the page as the tab shows it, and keeps what
// it finds by rule and page.
func (w *walker) check(p, lang string) {
	w.checks++
	for _, v := range axeCheck(w.tab) {
		key := v.Rule + " " + pattern(p)
		f := w.found[key]
		if f == nil {
			f = &finding{axeViolation: v, targets: map[string]bool{}}
			w.found[key] = f
		}
		f.where = append(f.where, lang+"/"+w.tab.Viewport.Name)
		for _, tg := range v.Targets {
			f.targets[tg] = true
		}
	}
}

// checkSizes checks the page the tab shows at its size, then laid out
// again at the other size (a window dragged, a phone turned: no reload),
// and leaves the tab at the size it had: each page load serves both
// sizes, the longer part of a check being the load.
func (w *walker) checkSizes(p, lang string) {
	first := w.tab.Viewport
	other := browser.Phone
	if first.Mobile {
		other = browser.Laptop
	}
	w.check(p, lang)
	w.tab.Resize(other)
	w.check(p, lang)
	w.tab.Resize(first)
}

// report fails the test with one line per rule broken on a page.
func (w *walker) report() {
	keys := make([]string, 0, len(w.found))
	for k := range w.found {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f := w.found[k]
		targets := make([]string, 0, len(f.targets))
		for tg := range f.targets {
			targets = append(targets, tg)
		}
		slices.Sort(targets)
		if len(targets) > 6 {
			targets = append(targets[:6], fmt.Sprintf("… %d more", len(targets)-6))
		}
		w.t.Errorf("%s: %s (%s) on %s [%s]: %s\n\t%s", w.who, f.Rule, f.Impact, strings.SplitN(k, " ", 2)[1],
			strings.Join(f.where, " "), f.Help, strings.Join(targets, "\n\t"))
	}
}

// walkDeadline bounds one profile's walk: a hung page fails it, a busy
// machine (the director's walk takes under two minutes on a quiet one)
// does not.
const walkDeadline = 5 * time.Minute

// TestA11yWalk checks every page each profile reaches from its home page,
// two links deep, with axe-core (WCAG 2.1 A and AA): no serious or
// critical violation. Each page is checked in French and in Arabic, each
// at laptop and phone sizes: loaded once per language, laid out again at
// the other size. A visitor walks from the sign-in page, on a school and
// on central. The profiles walk side by side, a browser each (go test's
// -parallel), the longest walks first.
func TestA11yWalk(t *testing.T) {
	src := axeSource(t)
	start := time.Now()
	school := apptest.New(t, apptest.Options{})
	central := apptest.New(t, apptest.Options{Role: "central"})
	var mu sync.Mutex
	var pages, checks int
	t.Run("profiles", func(t *testing.T) {
		for _, c := range []struct {
			app   *apptest.App
			login string // none for a visitor
			name  string
		}{{school, "directeur", "directeur"}, {school, "enseignant", "enseignant"}, {central, "dsi", "dsi"}, {school, "parent", "parent"},
			{school, "eleve", "eleve"}, {school, "", "visiteur"}, {central, "", "visiteur-central"}} {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				w := &walker{t: t, tab: browser.Start(t, walkDeadline).Tab(t, c.app.URL, browser.Laptop), who: c.name, found: map[string]*finding{}}
				w.tab.OnEveryPage(src)
				if c.login == "" {
					w.walk("/connexion")
				} else {
					loginForm(t, w.tab, c.login)
					w.walk("/accueil")
				}
				w.tab.AcceptLanguage("ar")
				w.tab.Resize(browser.Phone)
				for _, p := range w.pages {
					if w.open(p, "ar") {
						w.checkSizes(p, "ar")
					}
				}
				w.report()
				t.Logf("%s: %d pages, %d checks: %s", c.name, len(w.pages), w.checks, strings.Join(w.pages, " "))
				mu.Lock()
				defer mu.Unlock()
				pages += len(w.pages)
				checks += w.checks
			})
		}
	})
	t.Logf("walk: %d pages, %d axe-core checks, in %v", pages, checks, time.Since(start).Round(time.Second))
}

// The walk counts a page once whatever record it shows, and leaves what
// is not a page alone.
func TestA11yWalkPaths(t *testing.T) {
	for path, want := range map[string]string{
		"/devoirs/01a241bf-e18c-7659-ae93-0593efad3492":          "/devoirs/{id}",
		"/devoirs/01a241bf-e18c-7659-ae93-0593efad3492/modifier": "/devoirs/{id}/modifier",
		"/comptes/nouveau": "/comptes/nouveau",
		"/media/blog/01af5918bf1954052bbb1d4f21ab83fa":     "/media/blog/{id}",
		"/public/mini-sites/les-oiseaux-de-l-ecole-40745a": "/public/mini-sites/les-oiseaux-de-l-ecole-40745a",
	} {
		if got := pattern(path); got != want {
			t.Errorf("pattern(%q) = %q, want %q", path, got, want)
		}
	}
	for path, skip := range map[string]bool{"/deconnexion": true, "/langue/ar": true, "/api/v1/me": true, "/media/blog/x": true,
		"/cahier-de-vie/x/photos.zip": true, "/documents/fichiers/x": true, "/agenda/abonnement": false, "/export-journal": false} {
		if got := notAPage.MatchString(path); got != skip {
			t.Errorf("notAPage(%q) = %v, want %v", path, got, skip)
		}
	}
}
