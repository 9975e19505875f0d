package browser_test

import (
	"net/http"
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
