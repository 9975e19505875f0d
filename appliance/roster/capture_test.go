package roster_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/roster"
)

// On central, a director imports a line naming, by e-mail, a parent whose
// account belongs to another school. Linking used to hand that account over:
// the director then opened it, reset its password and reached the other
// school's child. Now the parent is asked, and only their answer links them;
// either way the director gains no power over the account.
func TestImportDoesNotCaptureAnotherSchoolsParent(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	ctx := context.Background()
	if err := a.Register.CreateSchool(ctx, "ecole-b", "École B"); err != nil {
		t.Fatal(err)
	}
	classB, err := a.Register.CreateClass(ctx, "ecole-b", "CM1", "CM1")
	if err != nil {
		t.Fatal(err)
	}
	pupilB, err := a.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{FirstName: "Noé", LastName: "Parent", Profile: auth.Pupil, SchoolID: "ecole-b"}, ClassIDs: []string{classB.ID}})
	if err != nil {
		t.Fatal(err)
	}
	bea, err := a.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "bea", FirstName: "Bea", LastName: "Parent", Profile: auth.Parent,
		SchoolID: "ecole-b", Email: "bea.parent@exemple.fr", Password: "secret-de-bea"}, ChildIDs: []string{pupilB.ID}})
	if err != nil {
		t.Fatal(err)
	}
	lea := a.User("eleve")
	dir := a.ClientAs("directeur")
	beaSession := a.ClientAs("bea")

	file := "Profil;Prénom;Nom;Classe;Enfants;E-mail;Identifiant\nparent;Bea;Parent;;Léa Martin;bea.parent@exemple.fr;\n"
	doc := preview(t, a, dir, []byte(file))
	line := text(doc.Find(`#apercu tbody tr[data-line="2"] .result`))
	if !strings.Contains(line, "autre école") || !strings.Contains(line, "demande de rattachement") || !strings.Contains(line, "acceptée") {
		t.Fatalf("the preview does not say the parent will be asked: %q", line)
	}
	if resp, body := confirm(t, a, dir, doc); resp.StatusCode >= 400 {
		t.Fatalf("confirm: %d %.300s", resp.StatusCode, body)
	}
	if children, _ := a.Register.Children(ctx, bea.ID); len(children) != 1 {
		t.Fatalf("the import linked the parent without asking: %d children", len(children))
	}

	// The director gains nothing over the account, before or after the answer.
	noPower := func(when string) {
		t.Helper()
		for _, path := range []string{"/comptes/" + bea.ID} {
			if resp, _ := a.Get(dir, path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: GET %s as the other school's director: %d, want 403", when, path, resp.StatusCode)
			}
		}
		for _, path := range []string{"/comptes/" + bea.ID + "/mot-de-passe", "/comptes/" + bea.ID + "/desactiver"} {
			if resp, _ := a.PostForm(dir, path, url.Values{}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: POST %s as the other school's director: %d, want 403", when, path, resp.StatusCode)
			}
		}
		if resp, _ := a.Get(beaSession, "/accueil"); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: the parent's session was ended: %d", when, resp.StatusCode)
		}
		if _, err := a.Auth.LoginPassword(ctx, "bea", "secret-de-bea", ""); err != nil {
			t.Errorf("%s: the parent's password no longer works: %v", when, err)
		}
	}
	noPower("request pending")

	// At her next login, the parent is asked first, with the school and child named.
	anon := a.Client()
	resp, _ := a.PostForm(anon, "/connexion", url.Values{"login": {"bea"}, "password": {"secret-de-bea"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/rattachements" {
		t.Fatalf("login with a request waiting: %d → %q, want the requests page", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Her home page counts it, on the tile that leads to it.
	if badge := text(page(t, a, anon, "/accueil").Find(`.tiles a[href="/rattachements"] .badge`)); badge != "1 demande en attente" {
		t.Errorf("the home page's tile counts %q", badge)
	}
	reqs := page(t, a, anon, "/rattachements")
	item := reqs.Find(".link-request")
	school, _ := a.Register.School(ctx, lea.SchoolID)
	if item.Length() != 1 || !strings.Contains(text(item), school.Name) || !strings.Contains(text(item), "Léa Martin") {
		t.Fatalf("the request does not name the school and the child: %q", text(reqs.Find("main")))
	}
	id, _ := item.Attr("data-request")
	if resp, _ := a.PostForm(anon, "/rattachements/"+id, url.Values{"reponse": {"accepter"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	children, _ := a.Register.Children(ctx, bea.ID)
	if len(children) != 2 {
		t.Fatalf("accepted, yet the parent has %d children", len(children))
	}
	if badge := page(t, a, anon, "/accueil").Find(`.tiles a[href="/rattachements"] .badge`); badge.Length() != 0 {
		t.Errorf("answered, the home page still counts %q", text(badge))
	}
	if resp, _ := a.PostForm(anon, "/rattachements/"+id, url.Values{"reponse": {"refuser"}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("answering twice: %d, want 409", resp.StatusCode)
	}
	noPower("request accepted")

	// Léa's page shows her new parent without a way into their account, and
	// the parent's list entry is not a link either.
	leaPage := page(t, a, dir, "/comptes/"+lea.ID)
	parents := leaPage.Find("#parents")
	if !strings.Contains(text(parents), "Bea Parent") || parents.Find(`a[href="/comptes/`+bea.ID+`"]`).Length() != 0 {
		t.Fatalf("Léa's parents: %q", text(parents))
	}
	list := page(t, a, dir, "/comptes?profil=parent&q=bea")
	if row := list.Find(`tr[data-user="` + bea.ID + `"]`); row.Length() != 1 || row.Find("a").Length() != 0 {
		t.Fatalf("the accounts list offers the other school's parent: %q", text(row))
	}
	// School B's director still administers her, and sees only B's child.
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "dir.b", Display: "Dir B", Profile: auth.Director, SchoolID: "ecole-b", Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
	beaPage := page(t, a, a.ClientAs("dir.b"), "/comptes/"+bea.ID)
	if kids := text(beaPage.Find("#children")); !strings.Contains(kids, "Noé Parent") || strings.Contains(kids, "Léa") {
		t.Fatalf("school B's director sees children %q, want Noé only", kids)
	}
	// Importing the same line again asks nothing more.
	again := preview(t, a, dir, []byte(file))
	if got := results(again)["2"]; !strings.Contains(got[1], "ignoré") {
		t.Fatalf("re-import of an accepted request: %v", got)
	}
}

// A parent who refuses is not linked, and may still say no from the API.
func TestParentRefusesALinkRequest(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	ctx := context.Background()
	if err := a.Register.CreateSchool(ctx, "ecole-b", "École B"); err != nil {
		t.Fatal(err)
	}
	bea, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "bea", FirstName: "Bea", LastName: "Parent", Profile: auth.Parent,
		SchoolID: "ecole-b", Email: "bea.parent@exemple.fr", Password: "secret-de-bea"})
	if err != nil {
		t.Fatal(err)
	}
	dir := a.ClientAs("directeur")
	doc := preview(t, a, dir, []byte("Profil;Prénom;Nom;Classe;Enfants;E-mail\nparent;Bea;Parent;;Tom Martin;bea.parent@exemple.fr\n"))
	if resp, body := confirm(t, a, dir, doc); resp.StatusCode >= 400 {
		t.Fatalf("confirm: %d %.300s", resp.StatusCode, body)
	}
	beaClient := a.ClientAs("bea")
	call := func(method, path, body string) (*http.Response, string) {
		return a.Do(beaClient, method, path, "application/json", body)
	}
	resp, body := call("GET", "/api/v1/me/link-requests", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"child_name":"Tom Martin"`) || !strings.Contains(body, `"status":"pending"`) {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	reqs, _ := a.Register.LinkRequests(ctx, bea.ID)
	if resp, body := call("POST", "/api/v1/me/link-requests/"+reqs[0].ID, `{"answer":"peut-être"}`); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad answer: %d %s", resp.StatusCode, body)
	}
	if resp, body := call("POST", "/api/v1/me/link-requests/"+reqs[0].ID, `{"answer":"refuse"}`); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"refused"`) {
		t.Fatalf("refuse: %d %s", resp.StatusCode, body)
	}
	if children, _ := a.Register.Children(ctx, bea.ID); len(children) != 0 {
		t.Fatal("a refused request linked the parent")
	}
	if left, _ := a.Register.LinkRequests(ctx, bea.ID); len(left) != 0 {
		t.Fatal("a refused request still waits")
	}
}
