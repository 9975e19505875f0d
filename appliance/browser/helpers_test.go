package browser_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/browser"
	"preau/appliance/feature"
)

// loginForm signs in through the real login form, as a person does: type
// the login and the password, press the button.
func loginForm(t *testing.T, tab *browser.Tab, login string) {
	t.Helper()
	tab.Open("/connexion")
	tab.Type(`input[name="login"]`, login)
	tab.Type(`input[name="password"]`, feature.DemoPassword)
	if st := tab.Click(`form[action="/connexion"] button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("%s: login form answered %d on %s", login, st, tab.Path())
	}
}

// profileOf is the profile the page was rendered for.
func profileOf(doc *goquery.Document) string {
	return doc.Find("body").AttrOr("data-profile", "")
}

// text is the whitespace-normalised text of the first match of sel.
func text(doc *goquery.Document, sel string) string {
	return strings.Join(strings.Fields(doc.Find(sel).First().Text()), " ")
}

// logout signs out as a person does: the account menu, then its button (a
// pupil's is in the top bar).
func logout(t *testing.T, tab *browser.Tab) {
	t.Helper()
	browser.Eval[bool](tab, `(document.querySelector("details.account") || {}).open = true`)
	tab.Click(`header form[action="/deconnexion"] button[type="submit"]`)
}

// variant runs a story's variant in lang at vp, or skips it: make test
// runs each story on the diagonal of its matrix, in French on a desktop
// and in Arabic on a phone, which tries both languages, both directions
// and both sizes at half the cost; the accessibility walk checks every
// page in all four. Taking screenshots (PREAU_SCREENSHOTS) runs all four,
// since they are taken to be looked at.
func variant(t *testing.T, lang string, vp browser.Viewport) {
	t.Helper()
	if os.Getenv(ScreenshotsEnv) != "" {
		return
	}
	if (lang == "fr") != (vp.Name == browser.Desktop.Name) {
		t.Skipf("%s on %s: off the diagonal (set %s to run the four variants)", lang, vp.Name, ScreenshotsEnv)
	}
}
