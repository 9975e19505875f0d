package roster_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// api calls the JSON API with a bearer token, as the mobile app does.
func api(t *testing.T, a *apptest.App, login, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, a.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.Token(login))
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: content type %q", method, path, ct)
	}
	return resp.StatusCode, string(b)
}

func TestAPICreateUser(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	school := a.User("directeur").SchoolID
	body := `{"login": "anne.roy", "display_name": "Anne Roy", "profile": "teacher", "password": "un-bon-mot-de-passe",
		"school_id": "` + school + `", "class_ids": ["` + classID(t, a, "CE2") + `"]}`
	status, out := api(t, a, "directeur", "POST", "/api/v1/users", body)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, out)
	}
	var created struct{ ID, Login string }
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID == "" || created.Login != "anne.roy" {
		t.Fatalf("answer %s: %v", out, err)
	}
	u := login(t, a, "anne.roy", "un-bon-mot-de-passe")
	if u.ID != created.ID || u.DisplayName != "Anne Roy" || u.SchoolID != school || u.MustChange {
		t.Errorf("created %+v", u)
	}
	if cs, _ := a.Register.UserClasses(ctx, u.ID); len(cs) != 1 || cs[0].Name != "CE2" {
		t.Errorf("classes %+v", cs)
	}

	// The same login again: 409 with a French error.
	status, out = api(t, a, "directeur", "POST", "/api/v1/users", body)
	var e struct{ Error string }
	if json.Unmarshal([]byte(out), &e); status != http.StatusConflict || !strings.Contains(e.Error, "déjà utilisé") {
		t.Errorf("duplicate login: %d %s", status, out)
	}

	// Optional fields: names, e-mail, children of a parent, no login (generated).
	status, out = api(t, a, "directeur", "POST", "/api/v1/users", `{"first_name": "Marc", "last_name": "Roy", "profile": "parent",
		"password": "un-bon-mot-de-passe", "email": "marc@famille.example", "child_ids": ["`+a.User("eleve").ID+`"], "must_change": true}`)
	if status != http.StatusCreated || !strings.Contains(out, `"login":"marc.roy"`) {
		t.Fatalf("parent: %d %s", status, out)
	}
	if kids, _ := a.Register.Children(ctx, a.User("marc.roy").ID); len(kids) != 1 || !a.User("marc.roy").MustChange {
		t.Errorf("parent's children %v", kids)
	}
}

func TestAPICreateUserRefuses(t *testing.T) {
	a := newApp(t)
	school := a.User("directeur").SchoolID
	before := countUsers(t, a)
	for _, tc := range []struct {
		login, body string
		status      int
	}{
		{"directeur", `{"display_name": "X", "profile": "teacher", "password": "un-bon-mot-de-passe", "school_id": "autre"}`, 403},
		{"directeur", `{"display_name": "X", "profile": "director", "password": "un-bon-mot-de-passe"}`, 403},
		{"directeur", `{"display_name": "X", "profile": "chef", "password": "un-bon-mot-de-passe"}`, 400},
		{"directeur", `{"display_name": "X", "profile": "teacher", "password": "court"}`, 400},
		{"directeur", `{"display_name": "X", "profile": "pupil", "password": "un-bon-mot-de-passe"}`, 400},
		{"directeur", `{"display_name": "X", "profile": "teacher", "password": "un-bon-mot-de-passe", "inconnu": 1}`, 400},
		{"directeur", `{"display_name": "X", "profile": "teacher", "password": "un-bon-mot-de-passe", "class_ids": ["nulle-part"]}`, 400},
		{"directeur", `{"profile": "teacher", "password": "un-bon-mot-de-passe"}`, 400},
		{"directeur", `pas du JSON`, 400},
		// A valid request followed by more: refused whole, nothing created.
		{"directeur", `{"login": "t.un", "display_name": "T Un", "profile": "teacher", "password": "un-bon-mot-de-passe"} garbage`, 400},
		{"directeur", `{"login": "t.deux", "display_name": "T Deux", "profile": "teacher", "password": "un-bon-mot-de-passe"}
			{"login": "t.trois", "display_name": "T Trois", "profile": "teacher", "password": "un-bon-mot-de-passe"}`, 400},
		{"dsi", `{"display_name": "X", "profile": "teacher", "password": "un-bon-mot-de-passe", "school_id": "nulle-part"}`, 400},
		{"dsi", `{"display_name": "X", "profile": "teacher", "password": "un-bon-mot-de-passe"}`, 400},
		{"dsi", `{"display_name": "X", "profile": "dsi", "password": "un-bon-mot-de-passe", "school_id": "` + school + `"}`, 400},
		{"enseignant", `{"display_name": "X", "profile": "pupil", "password": "un-bon-mot-de-passe"}`, 403},
		{"parent", `{"display_name": "X", "profile": "pupil", "password": "un-bon-mot-de-passe"}`, 403},
	} {
		status, out := api(t, a, tc.login, "POST", "/api/v1/users", tc.body)
		var e struct{ Error string }
		if json.Unmarshal([]byte(out), &e); status != tc.status || e.Error == "" {
			t.Errorf("%s %s: %d %s, want %d and an error", tc.login, tc.body, status, out, tc.status)
		}
	}
	if after := countUsers(t, a); after != before {
		t.Errorf("refused requests created accounts: %d → %d", before, after)
	}
	// The refusal says what to send, in French.
	_, out := api(t, a, "directeur", "POST", "/api/v1/users", `{"display_name": "X"} {}`)
	var e struct{ Error string }
	if json.Unmarshal([]byte(out), &e); e.Error != "requête JSON invalide : envoyez un seul objet JSON, sans rien après lui" {
		t.Errorf("trailing data: %s", out)
	}

	// The DSI creates in any school, and DSI accounts.
	if status, out := api(t, a, "dsi", "POST", "/api/v1/users", `{"display_name": "Y", "profile": "teacher", "password": "un-bon-mot-de-passe", "school_id": "autre"}`); status != http.StatusCreated {
		t.Errorf("DSI in another school: %d %s", status, out)
	}
	if status, out := api(t, a, "dsi", "POST", "/api/v1/users", `{"login": "dsi2", "display_name": "DSI 2", "profile": "dsi", "password": "un-bon-mot-de-passe"}`); status != http.StatusCreated {
		t.Errorf("DSI account: %d %s", status, out)
	}
}

func TestAPIListUsers(t *testing.T) {
	a := newApp(t)
	list := func(login, query string) map[string]map[string]any {
		t.Helper()
		status, out := api(t, a, login, "GET", "/api/v1/users"+query, "")
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", login, status, out)
		}
		var users []map[string]any
		if err := json.Unmarshal([]byte(out), &users); err != nil {
			t.Fatal(err)
		}
		byLogin := map[string]map[string]any{}
		for _, u := range users {
			byLogin[u["login"].(string)] = u
		}
		return byLogin
	}
	mine := list("directeur", "")
	eleve := mine["eleve"]
	if eleve == nil || eleve["id"] != a.User("eleve").ID || eleve["display_name"] != "Léa Martin" || eleve["profile"] != "pupil" ||
		eleve["school_id"] != a.User("eleve").SchoolID || eleve["disabled"] != false || len(eleve) != 6 {
		t.Errorf("eleve: %v", eleve)
	}
	if mine["voisin"] != nil || mine["dsi"] != nil {
		t.Error("a director lists accounts they do not administer")
	}
	if all := list("dsi", ""); all["voisin"] == nil || all["eleve"] == nil {
		t.Error("the DSI does not list every account")
	}
	if one := list("dsi", "?school_id=autre"); len(one) != 1 || one["voisin"] == nil {
		t.Errorf("DSI, one school: %v", one)
	}
	for _, u := range list("directeur", "?profile=teacher") {
		if u["profile"] != "teacher" {
			t.Errorf("profile filter lets through %v", u)
		}
	}
	for _, who := range []string{"enseignant", "eleve", "parent"} {
		if status, _ := api(t, a, who, "GET", "/api/v1/users", ""); status != http.StatusForbidden {
			t.Errorf("%s lists users: %d, want 403", who, status)
		}
	}
}

// account is one account as GET /api/v1/users lists it.
type account struct {
	ID          string `json:"id"`
	Login       string `json:"login"`
	DisplayName string `json:"display_name"`
	Profile     string `json:"profile"`
	SchoolID    string `json:"school_id"`
	Disabled    bool   `json:"disabled"`
}

// foreignParent is a parent whose account belongs to the school "autre",
// linked by the DSI to the demo pupil "eleve": the demo director sees them
// and administers nothing of them.
func foreignParent(t *testing.T, a *apptest.App) auth.User {
	t.Helper()
	ctx := context.Background()
	p, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "parent.autre", FirstName: "Rémi", LastName: "Autre", Profile: auth.Parent,
		SchoolID: "autre", Password: "demo-demo"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Register.LinkChild(ctx, p.ID, a.User("eleve").ID); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAPIChangeUser(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	helene := a.User("helene.roux")
	status, out := api(t, a, "directeur", "PATCH", "/api/v1/users/"+helene.ID, `{"last_name": "Roux-Martin", "email": "helene@ecole.example"}`)
	var got account
	if err := json.Unmarshal([]byte(out), &got); status != http.StatusOK || err != nil {
		t.Fatalf("change: %d %s", status, out)
	}
	if want := (account{ID: helene.ID, Login: "helene.roux", DisplayName: "Hélène Roux-Martin", Profile: "teacher",
		SchoolID: helene.SchoolID}); got != want {
		t.Errorf("answer %+v, want %+v", got, want)
	}
	if u := a.User("helene.roux"); u.LastName != "Roux-Martin" || u.Email != "helene@ecole.example" || u.FirstName != "Hélène" {
		t.Errorf("stored %+v", u)
	}
	if status, out := api(t, a, "directeur", "PATCH", "/api/v1/users/"+helene.ID, `{"display_name": "Mme Roux"}`); status != http.StatusOK ||
		!strings.Contains(out, `"display_name":"Mme Roux"`) {
		t.Errorf("display name: %d %s", status, out)
	}

	// Disabling ends the account's sessions, and it no longer logs in;
	// enabling lets it in again.
	teacher := a.User("enseignant")
	session := a.Token("enseignant")
	if status, out := api(t, a, "directeur", "PATCH", "/api/v1/users/"+teacher.ID, `{"disabled": true}`); status != http.StatusOK ||
		!strings.Contains(out, `"disabled":true`) {
		t.Fatalf("disable: %d %s", status, out)
	}
	if _, err := a.Auth.Session(ctx, session); err == nil {
		t.Error("the disabled account's session survived")
	}
	if _, err := a.Auth.LoginPassword(ctx, "enseignant", "demo", "127.0.0.1"); !errors.Is(err, auth.ErrDisabled) {
		t.Errorf("a disabled account logs in: %v", err)
	}
	if status, _ := api(t, a, "directeur", "PATCH", "/api/v1/users/"+teacher.ID, `{"disabled": false}`); status != http.StatusOK {
		t.Fatalf("enable: %d", status)
	}
	login(t, a, "enseignant", "demo")

	// The DSI changes any school's accounts.
	if status, out := api(t, a, "dsi", "PATCH", "/api/v1/users/"+a.User("voisin").ID, `{"first_name": "Pierre"}`); status != http.StatusOK ||
		!strings.Contains(out, `"display_name":"Pierre Voisin"`) {
		t.Errorf("DSI on another school: %d %s", status, out)
	}
}

func TestAPIChangeUserRefuses(t *testing.T) {
	a := newApp(t)
	parent := foreignParent(t, a)
	helene := a.User("helene.roux")
	before := a.User("helene.roux")
	path := "/api/v1/users/" + helene.ID
	for _, tc := range []struct {
		login, path, body string
		status            int
	}{
		{"directeur", path, `{"first_name": "Hé\u202Elène"}`, 400},
		{"directeur", path, `{"display_name": "` + strings.Repeat("x", 101) + `"}`, 400},
		{"directeur", path, `{"display_name": "Nouveau nom", "email": "pas-une-adresse"}`, 400},
		{"directeur", path, `{"first_name": "", "last_name": "", "display_name": ""}`, 400},
		{"directeur", path, `{"login": "h.roux"}`, 400},
		{"directeur", path, `{"profile": "director"}`, 400},
		{"directeur", path, `{"disabled": "oui"}`, 400},
		{"directeur", path, `{"disabled": true} {"disabled": false}`, 400},
		{"directeur", path, `pas du JSON`, 400},
		{"directeur", "/api/v1/users/" + a.User("directeur").ID, `{"disabled": true}`, 400},
		{"directeur", "/api/v1/users/" + a.User("voisin").ID, `{"disabled": true}`, 403},
		{"directeur", "/api/v1/users/" + parent.ID, `{"display_name": "Pris"}`, 403},
		{"directeur", "/api/v1/users/" + a.User("dsi").ID, `{"disabled": true}`, 403},
		{"directeur", "/api/v1/users/inconnu", `{"disabled": true}`, 404},
		{"dsi", "/api/v1/users/inconnu", `{"disabled": true}`, 404},
		{"enseignant", path, `{"disabled": true}`, 403},
		{"parent", "/api/v1/users/" + a.User("eleve").ID, `{"disabled": true}`, 403},
	} {
		status, out := api(t, a, tc.login, "PATCH", tc.path, tc.body)
		var e struct{ Error string }
		if json.Unmarshal([]byte(out), &e); status != tc.status || e.Error == "" {
			t.Errorf("%s %s %s: %d %s, want %d and an error", tc.login, tc.path, tc.body, status, out, tc.status)
		}
	}
	if after := a.User("helene.roux"); after != before {
		t.Errorf("a refused change was written: %+v → %+v", before, after)
	}
	if a.User("directeur").Disabled || a.User("voisin").Disabled || a.User("dsi").Disabled || a.User("parent.autre").DisplayName != "Rémi Autre" {
		t.Error("a refused change disabled or renamed an account")
	}
}

func TestAPISetPassword(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	helene := a.User("helene.roux")
	session := a.Token("helene.roux")
	status, out := api(t, a, "directeur", "POST", "/api/v1/users/"+helene.ID+"/password", `{"password": "nouveau-mdp", "must_change": true}`)
	if status != http.StatusOK || out != `{"id":"`+helene.ID+`","must_change":true}`+"\n" {
		t.Fatalf("set password: %d %s", status, out)
	}
	if u := login(t, a, "helene.roux", "nouveau-mdp"); !u.MustChange {
		t.Error("must_change not kept")
	}
	if _, err := a.Auth.LoginPassword(ctx, "helene.roux", "demo", "127.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("the old password still works: %v", err)
	}
	if _, err := a.Auth.Session(ctx, session); err == nil {
		t.Error("her open session survived the new password")
	}
	// A picture pupil gets a typed password, never one to change.
	eleve := a.User("eleve")
	if status, out := api(t, a, "directeur", "POST", "/api/v1/users/"+eleve.ID+"/password", `{"password": "mot-de-passe-eleve"}`); status != http.StatusOK {
		t.Errorf("pupil: %d %s", status, out)
	}
	if u := login(t, a, "eleve", "mot-de-passe-eleve"); u.MustChange {
		t.Error("the pupil must change the password")
	}
	if status, out := api(t, a, "dsi", "POST", "/api/v1/users/"+a.User("voisin").ID+"/password", `{"password": "pour-le-voisin"}`); status != http.StatusOK {
		t.Errorf("DSI on another school: %d %s", status, out)
	}
	login(t, a, "voisin", "pour-le-voisin")

	parent := foreignParent(t, a)
	for _, tc := range []struct {
		login, path, body string
		status            int
	}{
		{"directeur", "/api/v1/users/" + helene.ID + "/password", `{"password": "court"}`, 400},
		{"directeur", "/api/v1/users/" + helene.ID + "/password", `{"password": "un-autre-mdp", "inconnu": 1}`, 400},
		{"directeur", "/api/v1/users/" + helene.ID + "/password", `{"password": 12345678}`, 400},
		{"directeur", "/api/v1/users/" + eleve.ID + "/password", `{"password": "un-autre-mdp", "must_change": true}`, 400},
		{"directeur", "/api/v1/users/" + a.User("directeur").ID + "/password", `{"password": "un-autre-mdp"}`, 400},
		{"directeur", "/api/v1/users/" + a.User("voisin").ID + "/password", `{"password": "un-autre-mdp"}`, 403},
		{"directeur", "/api/v1/users/" + parent.ID + "/password", `{"password": "un-autre-mdp"}`, 403},
		{"directeur", "/api/v1/users/inconnu/password", `{"password": "un-autre-mdp"}`, 404},
		{"enseignant", "/api/v1/users/" + eleve.ID + "/password", `{"password": "un-autre-mdp"}`, 403},
	} {
		status, out := api(t, a, tc.login, "POST", tc.path, tc.body)
		var e struct{ Error string }
		if json.Unmarshal([]byte(out), &e); status != tc.status || e.Error == "" {
			t.Errorf("%s %s %s: %d %s, want %d and an error", tc.login, tc.path, tc.body, status, out, tc.status)
		}
	}
	login(t, a, "helene.roux", "nouveau-mdp")
	login(t, a, "eleve", "mot-de-passe-eleve")
	login(t, a, "directeur", "demo")
	login(t, a, "voisin", "pour-le-voisin")
	login(t, a, "parent.autre", "demo-demo")
}

// Each profile lists the classes it may see, and no other.
func TestAPIClasses(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	names := func(login string) string {
		t.Helper()
		resp, body := a.Get(a.ClientAs(login), "/api/v1/classes")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", login, resp.StatusCode)
		}
		var cs []struct{ Name string }
		if err := json.Unmarshal([]byte(body), &cs); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	for login, want := range map[string]string{"eleve": "CE1", "enseignant": "CE1", "parent": "CE1,CM2", "directeur": "CE1,CE2,CM1,CM2,CP"} {
		if got := names(login); got != want {
			t.Errorf("%s sees %q, want %q", login, got, want)
		}
	}
}
