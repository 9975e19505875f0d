package browser_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// focusStep is where one press of Tab put the focus: on the page
// (What names the element) or out of it.
type focusStep struct {
	Left, Again, Visible bool
	What                 string
}

// focusNow reads the focused element after a key press. Its focus is
// visible when it, a pseudo-element of it, the box that styles a hidden
// input (its next sibling or its label) draws an outline, or it has a
// shadow. The elements seen are kept on the page, to find a loop.
const focusNow = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body || e === document.documentElement || !document.hasFocus()) return {left: true};
	const seen = window.__tabbed || (window.__tabbed = []);
	const again = seen.includes(e);
	seen.push(e);
	const outlined = x => x && [null, "::before", "::after"].some(p => {
		const s = getComputedStyle(x, p);
		return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 && !/, 0\)$/.test(s.outlineColor);
	});
	const visible = outlined(e) || outlined(e.nextElementSibling) || outlined(e.closest("label")) || getComputedStyle(e).boxShadow !== "none";
	const what = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
		(e.getAttribute("href") ? "[href=" + e.getAttribute("href") + "]" : "") + " «" + (e.innerText || e.value || e.getAttribute("aria-label") || "").trim().slice(0, 30) + "»";
	return {left: false, again, visible, what};
})()`

// tabbable counts what Tab may reach on the page, to bound the walk.
const tabbable = `[...document.querySelectorAll("a[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable=true]")]
	.filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length).length`

// keyboardCheck opens path and goes through it with the keyboard: the
// first Tab lands on the skip link, which leads to the main content;
// then Tab after Tab, every element shows its focus, and the focus
// leaves the page at the end without going round inside it.
func keyboardCheck(t *testing.T, tab *browser.Tab, path string) {
	t.Helper()
	where := fmt.Sprintf("%s (%s)", path, tab.Viewport.Name)
	tab.Open(path)
	tab.Press(kb.Tab)
	if first := browser.Eval[string](tab, `document.activeElement.className`); first != "skip-link" {
		t.Errorf("%s: the first Tab lands on %q, not on the skip link", where, first)
		return
	}
	if w := browser.Eval[float64](tab, `document.activeElement.getBoundingClientRect().width`); w < 20 {
		t.Errorf("%s: the focused skip link is %.0f px wide: not shown", where, w)
	}
	tab.Press(kb.Enter)
	if id := browser.Eval[string](tab, `document.activeElement.id`); id != "contenu" {
		t.Errorf("%s: the skip link leads the focus to %q, not to the main content", where, id)
	}

	tab.Open(path)
	n := browser.Eval[int](tab, tabbable)
	var first string
	for i := 0; ; i++ {
		if i > 2*n+10 {
			t.Errorf("%s: after %d presses of Tab the focus is still on the page, which has %d stops", where, i, n)
			return
		}
		tab.Press(kb.Tab)
		s := browser.Eval[focusStep](tab, focusNow)
		if s.Left || (s.Again && s.What == first) {
			t.Logf("%s: %d stops, then out of the page", where, i)
			return // out of the page, or round to its start: no trap
		}
		if i == 0 {
			first = s.What
		}
		if s.Again {
			t.Errorf("%s: Tab goes round inside the page, back to %s", where, s.What)
			return
		}
		if !s.Visible {
			t.Errorf("%s: the focus on %s does not show", where, s.What)
		}
	}
}

// TestKeyboard goes through each profile's home page, and a teacher's
// form, class page editor and webmail, with the keyboard alone, in French
// and in Arabic (right to left: the skip link, the order of the focus and
// its outline mirrored), on a laptop and on a phone.
func TestKeyboard(t *testing.T) {
	start := time.Now()
	school := apptest.New(t, apptest.Options{})
	central := apptest.New(t, apptest.Options{Role: "central"})
	b := browser.Start(t, 5*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Laptop, browser.Phone} {
			for _, c := range []struct {
				app   *apptest.App
				login string
			}{{school, "eleve"}, {school, "parent"}, {school, "directeur"}, {central, "dsi"}, {school, "enseignant"}} {
				t.Run(lang+"/"+vp.Name+"/"+c.login, func(t *testing.T) {
					tab := b.Tab(t, c.app.URL, vp)
					tab.AcceptLanguage(lang)
					loginForm(t, tab, c.login)
					paths := []string{"/accueil"}
					if c.login == "enseignant" {
						tab.Open("/pages")
						page := browser.Eval[string](tab, `(document.querySelector("main a[href^='/pages/']") || {}).pathname || ""`)
						if page == "" {
							t.Fatal("no class page to edit in the teacher's list")
						}
						paths = append(paths, "/mot-de-passe", page, "/messagerie", "/messagerie/ecrire")
					}
					for _, p := range paths {
						keyboardCheck(t, tab, p)
						if l, _ := langOf(tab); l != lang {
							t.Errorf("%s in %s: the page is in %q", p, lang, l)
						}
					}
				})
			}
		}
	}
	t.Logf("keyboard walk in %v", time.Since(start).Round(time.Second))
}
