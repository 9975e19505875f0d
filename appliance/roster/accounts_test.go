package roster_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// listed is the logins of the accounts list's rows, on every page of it:
// it follows the "next" links, and fails on a login listed twice.
func listed(t *testing.T, a *apptest.App, c *http.Client, path string) map[string]*goquery.Selection {
	t.Helper()
	out := map[string]*goquery.Selection{}
	for pages := 0; path != ""; pages++ {
		if pages > 20 {
			t.Fatalf("more than 20 pages of accounts: the pagination loops (%s)", path)
		}
		doc := page(t, a, c, path)
		doc.Find("#comptes tbody tr[data-user]").Each(func(_ int, s *goquery.Selection) {
			l := text(s.Find("code"))
			if out[l] != nil {
				t.Errorf("%s listed twice (%s)", l, path)
			}
			out[l] = s
		})
		path, _ = doc.Find(`.pager a[rel="next"]`).Attr("href")
	}
	return out
}

func TestAccountsList(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	all := listed(t, a, c, "/comptes")
	for _, l := range []string{"directeur", "enseignant", "eleve", "parent", "helene.roux"} {
		if all[l] == nil {
			t.Errorf("%s missing from the director's list", l)
		}
	}
	if all["voisin"] != nil || all["dsi"] != nil {
		t.Error("the director sees accounts of another school or the DSI")
	}
	if got := text(all["eleve"].Find(".links")); got != "CE1" {
		t.Errorf("eleve's class %q", got)
	}
	if got := text(all["parent"].Find(".links")); got != "parent de Léa Martin, Tom Martin" {
		t.Errorf("parent's children %q", got)
	}

	pupils := listed(t, a, c, "/comptes?profil=pupil")
	for l, row := range pupils {
		if text(row.Find(".profile")) != "Élève" {
			t.Errorf("profil=pupil lists %s (%s)", l, text(row.Find(".profile")))
		}
	}
	if len(pupils) != 23 {
		t.Errorf("%d pupils listed, want the demo's 23", len(pupils))
	}

	found := listed(t, a, c, "/comptes?q=MARTIN")
	if len(found) != 3 || found["eleve"] == nil || found["tom.martin"] == nil || found["parent"] == nil {
		t.Errorf("search « MARTIN »: %v", keys(found))
	}
	if found := listed(t, a, c, "/comptes?q=lefevre"); len(found) != 1 || found["enseignant"] == nil {
		t.Errorf("search without accents: %v", keys(found))
	}

	// Status badges.
	ctx := context.Background()
	if err := a.Auth.SetDisabled(ctx, a.User("tom.martin").ID, true); err != nil {
		t.Fatal(err)
	}
	if err := a.Auth.SetPassword(ctx, a.User("helene.roux").ID, "provisoire", true); err != nil {
		t.Fatal(err)
	}
	all = listed(t, a, c, "/comptes")
	if got := text(all["tom.martin"].Find(".status")); got != "désactivé" {
		t.Errorf("disabled status %q", got)
	}
	if got := text(all["helene.roux"].Find(".status")); got != "mot de passe à changer" {
		t.Errorf("must-change status %q", got)
	}

	dsi := listed(t, a, a.ClientAs("dsi"), "/comptes")
	if dsi["voisin"] == nil || dsi["eleve"] == nil || dsi["dsi"] == nil {
		t.Errorf("the DSI's list lacks accounts: %d listed", len(dsi))
	}
	if one := listed(t, a, a.ClientAs("dsi"), "/comptes?ecole=autre"); len(one) != 1 || one["voisin"] == nil {
		t.Errorf("the DSI's list of one school: %v", keys(one))
	}
}

// TestAccountsPages checks the list comes 50 accounts a page, with links
// that keep the filters, and profile filters that count their accounts.
func TestAccountsPages(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	school := a.User("directeur").SchoolID
	var extra []auth.NewUser
	for i := range 60 {
		extra = append(extra, auth.NewUser{Login: fmt.Sprintf("remplacant.%02d", i), FirstName: "Remplaçant", LastName: fmt.Sprintf("N%02d", i),
			Profile: auth.Teacher, SchoolID: school})
	}
	if _, err := a.Auth.CreateUsers(ctx, extra, nil); err != nil {
		t.Fatal(err)
	}
	c := a.ClientAs("directeur")
	rows := func(doc *goquery.Document) int { return doc.Find("#comptes tbody tr[data-user]").Length() }

	doc := page(t, a, c, "/comptes?profil=teacher&q=rempla")
	next, _ := doc.Find(`.pager a[rel="next"]`).Attr("href")
	if rows(doc) != 50 || next != "/comptes?page=2&profil=teacher&q=rempla" || doc.Find(`.pager a[rel="prev"]`).Length() != 0 {
		t.Fatalf("page 1: %d rows, next %q", rows(doc), next)
	}
	if got := text(doc.Find("#total")); !strings.Contains(got, "60 comptes, 1 à 50") {
		t.Errorf("total %q", got)
	}
	if cur := text(doc.Find(`.pager-pages a[aria-current="page"]`)); cur != "1" {
		t.Errorf("current page link %q", cur)
	}
	doc = page(t, a, c, next)
	prev, _ := doc.Find(`.pager a[rel="prev"]`).Attr("href")
	if rows(doc) != 10 || prev != "/comptes?profil=teacher&q=rempla" || doc.Find(`.pager a[rel="next"]`).Length() != 0 {
		t.Errorf("page 2: %d rows, prev %q", rows(doc), prev)
	}
	doc.Find("#comptes tbody tr[data-user]").Each(func(_ int, s *goquery.Selection) {
		if !strings.HasPrefix(text(s.Find("code")), "remplacant.") {
			t.Errorf("page 2 lists %q, outside the filters", text(s.Find("code")))
		}
	})
	if doc := page(t, a, c, "/comptes?profil=teacher&q=rempla&page=99"); rows(doc) != 10 {
		t.Errorf("a page past the end shows %d rows, want the last page's 10", rows(doc))
	}
	if doc := page(t, a, c, "/comptes?q=personne"); rows(doc) != 0 || doc.Find(".pager").Length() != 0 {
		t.Errorf("no match: %d rows, pager shown: %v", rows(doc), doc.Find(".pager").Length() != 0)
	}

	// The profile filters count what the search finds and keep it.
	doc = page(t, a, a.ClientAs("dsi"), "/comptes?ecole="+school+"&q=martin")
	tabs := map[string]string{}
	doc.Find(`.chips a`).Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		tabs[text(s)] = href
	})
	if tabs["Élèves 2"] != "/comptes?ecole="+school+"&profil=pupil&q=martin" || tabs["Tous 3"] == "" || tabs["Parents 1"] == "" {
		t.Errorf("profile filters %v", tabs)
	}
}

func keys(m map[string]*goquery.Selection) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// card reads the one credential card of a page.
func card(t *testing.T, body string) (login, password string, pictures []string) {
	t.Helper()
	doc := parse(t, body)
	cards := doc.Find(".logincard")
	if cards.Length() != 1 {
		t.Fatalf("%d credential cards, want 1\n%.500s", cards.Length(), body)
	}
	cards.Find(".pictures li").Each(func(_ int, s *goquery.Selection) {
		k, _ := s.Attr("data-picture")
		pictures = append(pictures, k)
	})
	return text(cards.Find(".login")), text(cards.Find(".password")), pictures
}

func TestCreateAccounts(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	c := a.ClientAs("directeur")
	doc := page(t, a, c, "/comptes/nouveau")
	if doc.Find(`form[action="/comptes"] input[name=class]`).Length() != 5 || doc.Find(`input[name=child]`).Length() != 23 {
		t.Fatal("the form does not offer the school's classes and pupils")
	}
	if doc.Find(`select[name=profile] option[value=director], select[name=profile] option[value=dsi]`).Length() != 0 {
		t.Error("a director is offered to create direction or DSI accounts")
	}

	// A teacher of two classes.
	resp, body := a.PostForm(c, "/comptes", url.Values{"first_name": {"Anne"}, "last_name": {"Roy"}, "profile": {"teacher"},
		"class": {classID(t, a, "CE2"), classID(t, a, "CM1")}, "email": {"anne.roy@ecole.example"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create teacher: %d\n%.500s", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("a page with a password may be cached: %q", cc)
	}
	lg, pw, _ := card(t, body)
	u := login(t, a, lg, pw)
	if lg != "anne.roy" || u.Profile != auth.Teacher || !u.MustChange || u.Email != "anne.roy@ecole.example" {
		t.Errorf("teacher created: %+v", u)
	}
	if cs, _ := a.Register.UserClasses(ctx, u.ID); len(cs) != 2 {
		t.Errorf("teacher in %d classes, want 2", len(cs))
	}

	// A CP pupil gets pictures too, and logs in with them without a forced
	// password change (they could not type one).
	resp, body = a.PostForm(c, "/comptes", url.Values{"first_name": {"Zoé"}, "last_name": {"Lefèvre"}, "profile": {"pupil"},
		"class": {classID(t, a, "CP")}, "login": {"zoe.l"}, "child": {a.User("eleve").ID}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create pupil: %d\n%.500s", resp.StatusCode, body)
	}
	lg, pw, pics := card(t, body)
	pupil := login(t, a, lg, pw)
	if lg != "zoe.l" || pupil.MustChange || !pupil.HasPicture || len(pics) != 3 {
		t.Fatalf("CP pupil: login %s, %+v, pictures %v", lg, pupil, pics)
	}
	if _, err := a.Auth.LoginPicture(ctx, pupil.ID, sequence(t, pics), "127.0.0.1"); err != nil {
		t.Errorf("the pictures shown do not log in: %v", err)
	}
	if kids, _ := a.Register.Children(ctx, pupil.ID); len(kids) != 0 {
		t.Error("a child box left ticked linked a pupil to a child")
	}

	// A parent of two children.
	resp, body = a.PostForm(c, "/comptes", url.Values{"first_name": {"Marc"}, "last_name": {"Lefèvre"}, "profile": {"parent"},
		"child": {pupil.ID, a.User("eleve").ID}, "class": {classID(t, a, "CP")}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create parent: %d\n%.500s", resp.StatusCode, body)
	}
	lg, pw, _ = card(t, body)
	parent := login(t, a, lg, pw)
	if kids, _ := a.Register.Children(ctx, parent.ID); len(kids) != 2 {
		t.Errorf("parent of %d children, want 2", len(kids))
	}
	if cs, _ := a.Register.UserClasses(ctx, parent.ID); len(cs) != 0 {
		t.Error("a parent joined a class")
	}
}

// sequence turns picture keys back into the indexes a picture login takes.
func sequence(t *testing.T, keys []string) []int {
	var seq []int
	for _, k := range keys {
		for i, p := range auth.Pictures {
			if p.Key == k {
				seq = append(seq, i)
			}
		}
	}
	if len(seq) != len(keys) {
		t.Fatalf("unknown pictures %v", keys)
	}
	return seq
}

func TestCreateAccountRefusesBadInput(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	before := countUsers(t, a)
	otherClass, err := a.Register.CreateClass(context.Background(), "autre", "CP", "CP")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		form   url.Values
		status int
		want   string
	}{
		{url.Values{"first_name": {"A"}, "last_name": {"B"}, "profile": {"pupil"}}, 400, "choisissez la classe de l'élève"},
		{url.Values{"first_name": {"A"}, "last_name": {"B"}, "profile": {"pupil"}, "class": {classID(t, a, "CP"), classID(t, a, "CE1")}}, 400, "une seule"},
		{url.Values{"first_name": {"A"}, "last_name": {"B"}, "profile": {"pupil"}, "class": {otherClass.ID}}, 400, "classe inconnue"},
		{url.Values{"first_name": {"A"}, "last_name": {"B"}, "profile": {"parent"}}, 400, "au moins un enfant"},
		{url.Values{"first_name": {"A"}, "last_name": {"B"}, "profile": {"parent"}, "child": {a.User("enseignant").ID}}, 400, "enfant inconnu"},
		{url.Values{"first_name": {""}, "last_name": {""}, "profile": {"teacher"}}, 400, "le nom est obligatoire"},
		{url.Values{"first_name": {"A"}, "last_name": {"B"}, "profile": {"teacher"}, "login": {"enseignant"}}, 409, "déjà utilisé"},
		{url.Values{"first_name": {"A"}, "last_name": {"B"}, "profile": {"teacher"}, "login": {"Pas Bon"}}, 400, "invalide"},
		{url.Values{"first_name": {"A"}, "last_name": {"B"}, "profile": {"teacher"}, "email": {"a@"}}, 400, "adresse e-mail invalide"},
		{url.Values{"first_name": {"A"}, "last_name": {"B"}, "profile": {"chef"}}, 400, "profil"},
		{url.Values{"first_name": {"A"}, "last_name": {"B"}, "profile": {"director"}}, 403, "seule la DSI"},
	} {
		resp, body := a.PostForm(c, "/comptes", tc.form)
		doc := parse(t, body)
		if resp.StatusCode != tc.status || !strings.Contains(text(doc.Find(".error")), tc.want) {
			t.Errorf("%v: %d %q, want %d %q", tc.form, resp.StatusCode, text(doc.Find(".error")), tc.status, tc.want)
		}
		if v, _ := doc.Find("input[name=last_name]").Attr("value"); v != tc.form.Get("last_name") {
			t.Errorf("%v: the form lost what was typed", tc.form)
		}
	}
	if after := countUsers(t, a); after != before {
		t.Errorf("refused forms created accounts: %d → %d", before, after)
	}
}

func TestAccountPage(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	doc := page(t, a, c, "/comptes/"+a.User("eleve").ID)
	if text(doc.Find("#login")) != "eleve" || text(doc.Find("#classes")) != "CE1" || text(doc.Find("#parents")) != "Sophie Martin" {
		t.Errorf("pupil page: login %q classes %q parents %q", text(doc.Find("#login")), text(doc.Find("#classes")), text(doc.Find("#parents")))
	}
	for _, action := range []string{"mot-de-passe", "desactiver"} {
		if doc.Find(`#actions form[action="/comptes/`+a.User("eleve").ID+`/`+action+`"]`).Length() != 1 {
			t.Errorf("no %s action", action)
		}
	}
	doc = page(t, a, c, "/comptes/"+a.User("parent").ID)
	if text(doc.Find("#children")) != "Léa Martin, Tom Martin" {
		t.Errorf("parent's children %q", text(doc.Find("#children")))
	}
	doc = page(t, a, c, "/comptes/"+a.User("directeur").ID)
	if doc.Find("#actions").Length() != 0 {
		t.Error("a director is offered to disable or reset their own account")
	}

	voisin := "/comptes/" + a.User("voisin").ID
	if resp, _ := a.Get(c, voisin); resp.StatusCode != http.StatusForbidden {
		t.Errorf("director on another school's account: %d, want 403", resp.StatusCode)
	}
	page(t, a, a.ClientAs("dsi"), voisin)
	if resp, _ := a.Get(c, "/comptes/inconnu"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown account: %d, want 404", resp.StatusCode)
	}
}

func TestResetPassword(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	c := a.ClientAs("directeur")
	helene := a.User("helene.roux")
	session := a.Token("helene.roux")
	resp, body := a.PostForm(c, "/comptes/"+helene.ID+"/mot-de-passe", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset: %d\n%.500s", resp.StatusCode, body)
	}
	lg, pw, _ := card(t, body)
	if u := login(t, a, lg, pw); lg != "helene.roux" || !u.MustChange {
		t.Errorf("after reset: %+v", u)
	}
	if _, err := a.Auth.LoginPassword(ctx, "helene.roux", "demo", "127.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("the old password still works: %v", err)
	}
	if _, err := a.Auth.Session(ctx, session); err == nil {
		t.Error("her open session survived the reset")
	}
	// A picture pupil keeps logging in with pictures, without a forced change.
	resp, body = a.PostForm(c, "/comptes/"+a.User("eleve").ID+"/mot-de-passe", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset pupil: %d", resp.StatusCode)
	}
	lg, pw, _ = card(t, body)
	if u := login(t, a, lg, pw); u.MustChange {
		t.Error("a picture pupil must change a typed password")
	}

	if resp, _ := a.PostForm(c, "/comptes/"+a.User("directeur").ID+"/mot-de-passe", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("own reset: %d, want 400", resp.StatusCode)
	}
	if resp, _ := a.PostForm(c, "/comptes/"+a.User("voisin").ID+"/mot-de-passe", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("reset in another school: %d, want 403", resp.StatusCode)
	}
	login(t, a, "voisin", "demo-demo")
}

func TestDisableAndEnable(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	c := a.ClientAs("directeur")
	id := a.User("enseignant").ID
	resp, _ := a.PostForm(c, "/comptes/"+id+"/desactiver", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/comptes/"+id {
		t.Fatalf("disable: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := a.Auth.LoginPassword(ctx, "enseignant", "demo", "127.0.0.1"); !errors.Is(err, auth.ErrDisabled) {
		t.Errorf("a disabled account logs in: %v", err)
	}
	doc := page(t, a, c, "/comptes/"+id)
	if text(doc.Find("#status")) != "désactivé" || doc.Find(`form[action="/comptes/`+id+`/activer"]`).Length() != 1 {
		t.Errorf("disabled page: status %q", text(doc.Find("#status")))
	}
	if !strings.Contains(text(doc.Find(".flash")), "ne peut plus se connecter") {
		t.Errorf("flash %q", text(doc.Find(".flash")))
	}
	if resp, _ := a.PostForm(c, "/comptes/"+id+"/activer", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	login(t, a, "enseignant", "demo")

	if resp, _ := a.PostForm(c, "/comptes/"+a.User("directeur").ID+"/desactiver", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a director disabling themself: %d, want 400", resp.StatusCode)
	}
	if resp, _ := a.PostForm(c, "/comptes/"+a.User("voisin").ID+"/desactiver", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("disabling in another school: %d, want 403", resp.StatusCode)
	}
	if u := a.User("directeur"); u.Disabled || a.User("voisin").Disabled {
		t.Error("a refused action disabled an account")
	}
}
