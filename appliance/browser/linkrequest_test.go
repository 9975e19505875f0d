package browser_test

import (
	"context"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/browser"
	"preau/appliance/feature"
)

// A parent of another school, named by e-mail in a director's import on
// central, is asked rather than linked: the director sees so in the preview,
// and the parent, at her next login, accepts with one button.
func TestParentAcceptsALinkRequest(t *testing.T) {
	central := apptest.New(t, apptest.Options{Role: "central"})
	bea := parentOfAnotherSchool(t, central, "beatrice.roche")
	b := browser.Start(t, browser.DefaultTimeout)
	linkRequestStory(t, b.Tab(t, central.URL, browser.Phone), central, bea, func(string) {})
}

// parentOfAnotherSchool is a parent of École Pasteur, whose e-mail address
// (login@famille.example) a director of the demo school will type.
func parentOfAnotherSchool(t *testing.T, app *apptest.App, login string) auth.User {
	t.Helper()
	ctx := context.Background()
	if err := app.Register.CreateSchool(ctx, "ecole-pasteur", "École Pasteur"); err != nil {
		t.Fatal(err)
	}
	u, err := app.Auth.CreateUser(ctx, auth.NewUser{Login: login, FirstName: "Béatrice", LastName: "Roche",
		Profile: auth.Parent, SchoolID: "ecole-pasteur", Email: login + "@famille.example", Password: feature.DemoPassword})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// linkRequestStory walks the story in tab, calling shot after each page
// worth a look.
func linkRequestStory(t *testing.T, tab *browser.Tab, app *apptest.App, parent auth.User, shot func(name string)) {
	t.Helper()
	loginForm(t, tab, "directeur")
	tab.Open("/import")
	browser.Eval[bool](tab, `document.querySelector("#envoi details").open = true`)
	tab.Type(`textarea[name="contenu"]`, "profil;prénom;nom;classe;enfants;e-mail\nparent;Béatrice;Roche;;Léa Martin;"+parent.Email+"\n")
	tab.Click("#envoi button[type=submit]")
	if got := tab.Doc().Find(`#apercu tbody tr[data-line="2"]`).Text(); !strings.Contains(got, "demande de rattachement") {
		t.Fatalf("the preview does not say the parent will be asked: %q", strings.Join(strings.Fields(got), " "))
	}
	shot("import-apercu-autre-ecole")
	tab.Click("form#confirmer button[type=submit]")
	logout(t, tab)

	loginForm(t, tab, parent.Login)
	if tab.Path() != "/rattachements" {
		t.Fatalf("after login with a request waiting, the parent is on %s", tab.Path())
	}
	if got := tab.Doc().Find(".link-request").Text(); !strings.Contains(got, "Léa Martin") {
		t.Fatalf("the request does not name the child: %q", got)
	}
	shot("rattachements")
	// Her home page says a request waits, on the tile that leads to it.
	tab.Open("/accueil")
	if got := text(tab.Doc(), `.tiles a[href="/rattachements"] .badge`); got != "1 demande en attente" {
		t.Errorf("the home page's tile counts %q", got)
	}
	shot("accueil")
	tab.Click(`.tiles a[href="/rattachements"]`)
	tab.ClickText("button", "Accepter")
	if got := tab.Doc().Find(".flash").Text(); !strings.Contains(got, "vous suivez maintenant") {
		t.Fatalf("no word after accepting: %q", got)
	}
	shot("rattachements-accepte")
	children, err := app.Register.Children(context.Background(), parent.ID)
	if err != nil || len(children) != 1 {
		t.Fatalf("after accepting, %d children (%v)", len(children), err)
	}
}
