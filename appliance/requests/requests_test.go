package requests_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

type listed struct {
	ID       string `json:"id"`
	SchoolID string `json:"school_id"`
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Updated  string `json:"updated"`
}

func list(t *testing.T, a *apptest.App, login string) map[string]listed {
	t.Helper()
	resp, body := a.Get(a.ClientAs(login), "/api/v1/requests")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET requests as %s: %d %s", login, resp.StatusCode, body)
	}
	var items []listed
	if err := json.Unmarshal([]byte(body), &items); err != nil {
		t.Fatal(err)
	}
	out := map[string]listed{}
	for _, it := range items {
		if it.Updated == "" || it.SchoolID == "" {
			t.Errorf("listed without its time or school: %+v", it)
		}
		out[it.Title] = it
	}
	return out
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRowContext(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func firstItem(t *testing.T, db *store.DB, catalogue string) string {
	t.Helper()
	var id string
	if err := db.Reader().QueryRowContext(t.Context(), "SELECT id FROM request_items WHERE deleted = 0 AND catalogue = ? ORDER BY name LIMIT 1",
		catalogue).Scan(&id); err != nil {
		t.Fatalf("demo %s catalogue: %v", catalogue, err)
	}
	return id
}

// A school's director files each kind over the API: until the school
// reaches central, it is queued.
func TestFileOverTheAPI(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	item := firstItem(t, a.DB, "pharmacy")
	for _, body := range []string{
		`{"kind":"pharmacy","title":"Infirmerie","fields":{"items":[{"item":"` + item + `","quantity":3}]}}`,
		`{"kind":"intervention","title":"Fuite","fields":{"room":"Préau","equipment":"Toiture","description":"Il pleut dedans.","urgency":"urgent"}}`,
		`{"kind":"supplies","title":"Encre","fields":{"items":[{"item":"` + firstItem(t, a.DB, "supplies") + `","quantity":2}]}}`,
	} {
		resp, out := a.Do(a.ClientAs("directeur"), "POST", "/api/v1/requests", "application/json", body)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", body, resp.StatusCode, out)
		}
		var got struct{ ID, Status string }
		json.Unmarshal([]byte(out), &got)
		if got.ID == "" || got.Status != "queued" {
			t.Errorf("POST %s → %s, want an id and queued", body, out)
		}
	}
	got := list(t, a, "directeur")
	for _, title := range []string{"Infirmerie", "Fuite", "Encre"} {
		if got[title].Status != "queued" {
			t.Errorf("%s listed %+v, want queued", title, got[title])
		}
	}
}

// Bad input is refused with a clear error, and nothing is written.
func TestBadRequestsRefusedNothingWritten(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	item := firstItem(t, a.DB, "pharmacy")
	before, events := count(t, a.DB, "requests"), count(t, a.DB, "request_events")
	for _, c := range []struct{ body, want string }{
		{`{"kind":"pharmacy","title":"Sans article","fields":{}}`, "au moins un article"},
		{`{"kind":"pharmacy","title":"","fields":{"items":[{"item":"` + item + `","quantity":1}]}}`, "objet"},
		{`{"kind":"cantine","title":"Frites","fields":{}}`, "type de demande inconnu"},
		{`{"kind":"pharmacy","title":"Inconnu","fields":{"items":[{"item":"nope","quantity":1}]}}`, "pas dans le catalogue"},
		{`{"kind":"pharmacy","title":"Zéro","fields":{"items":[{"item":"` + item + `","quantity":0}]}}`, "quantité entière"},
		{`{"kind":"intervention","title":"Panne","fields":{"room":"CP","urgency":"urgent"}}`, "la salle, l'équipement"},
		{`{"kind":"intervention","title":"Panne","fields":{"room":"CP","equipment":"PC","description":"x","urgency":"hier"}}`, "urgence inconnue"},
		{`{"kind":"pharmacy","title":"Forgée","school_id":"ecole-b","fields":{"items":[{"item":"` + item + `","quantity":1}]}}`, "school_id"},
		{`{"kind":"pharmacy","title":"Statut","status":"done","fields":{"items":[{"item":"` + item + `","quantity":1}]}}`, "status"},
	} {
		resp, out := a.Do(a.ClientAs("directeur"), "POST", "/api/v1/requests", "application/json", c.body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, c.want) {
			t.Errorf("POST %s: %d %s, want 400 saying %q", c.body, resp.StatusCode, out, c.want)
		}
	}
	// The page's form: no item chosen.
	resp, out := a.PostForm(a.ClientAs("directeur"), "/demandes", url.Values{"type": {"pharmacy"}, "titre": {"Vide"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, "au moins un article") {
		t.Errorf("the form without items: %d", resp.StatusCode)
	}
	if n, e := count(t, a.DB, "requests"), count(t, a.DB, "request_events"); n != before || e != events {
		t.Errorf("refused requests wrote rows: %d→%d requests, %d→%d events", before, n, events, e)
	}
}

// On central the DSI sees every school's requests and changes their
// status; a refusal needs its reason; a director sees only their school's
// and changes nothing.
func TestDSIHandlesOnCentral(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	all := list(t, a, "dsi")
	demo, ok := all["Réassort de l'infirmerie"]
	if !ok {
		t.Fatalf("the DSI's queue holds %v, not the demo's request", all)
	}
	if demo.Status != "in_progress" {
		t.Errorf("the demo request is %q on central, want in_progress", demo.Status)
	}
	for _, it := range list(t, a, "directeur") {
		if it.SchoolID != a.User("directeur").SchoolID {
			t.Errorf("the director sees another school's request %+v", it)
		}
	}
	patch := func(login, body string) (int, string) {
		resp, out := a.Do(a.ClientAs(login), "PATCH", "/api/v1/requests/"+demo.ID, "application/json", body)
		return resp.StatusCode, out
	}
	if code, out := patch("directeur", `{"status":"done"}`); code != http.StatusForbidden {
		t.Errorf("the director's PATCH: %d %s", code, out)
	}
	before := count(t, a.DB, "request_events")
	if code, out := patch("dsi", `{"status":"refused"}`); code != http.StatusBadRequest || !strings.Contains(out, "raison") {
		t.Errorf("a refusal without reason: %d %s", code, out)
	}
	if code, out := patch("dsi", `{"status":"queued"}`); code != http.StatusBadRequest {
		t.Errorf("setting queued: %d %s", code, out)
	}
	if n := count(t, a.DB, "request_events"); n != before {
		t.Errorf("refused changes wrote %d events", n-before)
	}
	if code, out := patch("dsi", `{"status":"refused","comment":"Hors budget cette année."}`); code != http.StatusOK {
		t.Fatalf("the DSI's refusal: %d %s", code, out)
	}
	if got := list(t, a, "directeur")["Réassort de l'infirmerie"].Status; got != "refused" {
		t.Errorf("the director sees %q", got)
	}
	var notices int
	a.DB.Reader().QueryRowContext(t.Context(), "SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'requests'",
		a.User("directeur").ID).Scan(&notices)
	if notices == 0 {
		t.Error("the director was not told")
	}
}

// A director sees only their school's requests: another school's director
// on central lists none of them, and opening one finds nothing (404), its
// files included; the queue's filters narrow it.
func TestDirectorSeesOnlyTheirSchool(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	ctx := t.Context()
	if err := a.Register.CreateSchool(ctx, "ecole-b", "École B"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "dir.b", Display: "Dir B", Profile: auth.Director, SchoolID: "ecole-b",
		Password: feature.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	if got := list(t, a, "dir.b"); len(got) != 0 {
		t.Errorf("school B's director lists %v", got)
	}
	var request, file string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT request_id, id FROM request_events WHERE file != '' LIMIT 1").Scan(&request, &file); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/demandes/" + request, "/demandes/fichiers/" + file} {
		if resp, _ := a.Get(a.ClientAs("dir.b"), path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("school B's director on %s: %d, want 404", path, resp.StatusCode)
		}
		if resp, _ := a.Get(a.ClientAs("directeur"), path); resp.StatusCode != http.StatusOK {
			t.Errorf("the school's director on %s: %d", path, resp.StatusCode)
		}
	}
	before := count(t, a.DB, "request_events")
	if resp, _ := a.PostForm(a.ClientAs("dir.b"), "/demandes/"+request+"/commentaires", url.Values{"texte": {"Et nous ?"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("school B's director commenting: %d, want 404", resp.StatusCode)
	}
	if n := count(t, a.DB, "request_events"); n != before {
		t.Error("a refused comment was written")
	}
	for _, c := range []struct {
		query string
		want  bool
	}{{"?age=7", true}, {"?age=old", false}, {"?type=supplies", false}, {"?type=intervention&ecole=ecole-b", false}, {"?statut=received", true}} {
		_, body := a.Get(a.ClientAs("dsi"), "/demandes"+c.query)
		if got := strings.Contains(body, `data-request="`+request+`"`); got != c.want {
			t.Errorf("the queue filtered by %s holds the intervention: %v, want %v", c.query, got, c.want)
		}
	}
}
