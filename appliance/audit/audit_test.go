package audit_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/audit"
	"preau/appliance/auth"
	"preau/appliance/feature"
)

type entry struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Address string    `json:"address"`
	School  string    `json:"school"`
}

func journal(t *testing.T, a *apptest.App, login, query string) []entry {
	t.Helper()
	resp, body := a.Get(a.ClientAs(login), "/api/v1/audit"+query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET audit%s as %s: %d %s", query, login, resp.StatusCode, body)
	}
	var out []entry
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// only is the one entry of an action the journal holds, checked for its
// actor, target and address (the test's client is on loopback).
func only(t *testing.T, entries []entry, action, actor, target string) {
	t.Helper()
	var found []entry
	for _, e := range entries {
		if e.Action == action {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d entries %s in %+v, want 1", len(found), action, entries)
	}
	e := found[0]
	if e.Actor != actor || e.Target != target || e.Address != "127.0.0.1" || time.Since(e.At) > time.Minute {
		t.Errorf("%s: %+v, want actor %q target %q from 127.0.0.1, now", action, e, actor, target)
	}
}

// The director's administrative actions on accounts, through the API and
// the pages, each land in the school's journal with who, what, when and
// from where; never a password.
func TestAccountActionsRecorded(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	dir := a.User("directeur").DisplayName
	const secret = "Tr3s-S3cret-Pass!"
	resp, out := a.Do(a.ClientAs("directeur"), "POST", "/api/v1/users", "application/json",
		`{"login":"nina.roux","first_name":"Nina","last_name":"Roux","profile":"teacher","password":"`+secret+`"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, out)
	}
	var created struct{ ID string }
	json.Unmarshal([]byte(out), &created)
	only(t, journal(t, a, "directeur", ""), "account.create", dir, "nina.roux")

	resp, out = a.Do(a.ClientAs("directeur"), "POST", "/api/v1/users/"+created.ID+"/password", "application/json",
		`{"password":"`+secret+`2","must_change":true}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("password: %d %s", resp.StatusCode, out)
	}
	only(t, journal(t, a, "directeur", ""), "account.password_reset", dir, "nina.roux")

	resp, out = a.Do(a.ClientAs("directeur"), "PATCH", "/api/v1/users/"+created.ID, "application/json", `{"disabled":true}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("disable: %d %s", resp.StatusCode, out)
	}
	only(t, journal(t, a, "directeur", ""), "account.disable", dir, "nina.roux")

	if resp, out := a.PostForm(a.ClientAs("directeur"), "/comptes/"+created.ID+"/activer", url.Values{}); resp.StatusCode >= 400 {
		t.Fatalf("enable: %d %s", resp.StatusCode, out)
	}
	only(t, journal(t, a, "directeur", ""), "account.enable", dir, "nina.roux")

	resp, out = a.Do(a.ClientAs("directeur"), "PATCH", "/api/v1/users/"+created.ID, "application/json", `{"email":"nina@example.org"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("update: %d %s", resp.StatusCode, out)
	}
	only(t, journal(t, a, "directeur", ""), "account.update", dir, "nina.roux")

	// No secret anywhere in the table, whatever column.
	var dump string
	if err := a.DB.Reader().QueryRowContext(t.Context(),
		"SELECT group_concat(actor_id || actor_name || action || target || address || at, '|') FROM audit_entries").Scan(&dump); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dump, secret) || strings.Contains(dump, a.Token("directeur")) {
		t.Errorf("the audit log holds a secret: %s", dump)
	}
}

// A refused action writes nothing; the filters narrow; a bad date is a
// clear 400; pupils, parents and teachers read nothing.
func TestJournalFiltersAndReaders(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	resp, out := a.Do(a.ClientAs("directeur"), "POST", "/api/v1/users", "application/json", `{"login":"","profile":"teacher"}`)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad account: %d %s", resp.StatusCode, out)
	}
	if got := journal(t, a, "directeur", ""); len(got) != 0 {
		t.Fatalf("a refused action was recorded: %+v", got)
	}
	for _, login := range []string{"n1", "n2"} {
		resp, out := a.Do(a.ClientAs("directeur"), "POST", "/api/v1/users", "application/json",
			`{"login":"`+login+`","first_name":"N","last_name":"`+login+`","profile":"teacher","password":"Long-Pass-Word-42"}`)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, out)
		}
	}
	today := time.Now().Format("2006-01-02")
	if got := journal(t, a, "directeur", "?from="+today+"&to="+today+"&action=account.create"); len(got) != 2 {
		t.Errorf("today's creations: %+v", got)
	}
	if got := journal(t, a, "directeur", "?to=2020-01-01"); len(got) != 0 {
		t.Errorf("before 2020: %+v", got)
	}
	if got := journal(t, a, "directeur", "?action=account.disable"); len(got) != 0 {
		t.Errorf("disablings: %+v", got)
	}
	if got := journal(t, a, "directeur", "?actor="+a.User("directeur").ID); len(got) != 2 {
		t.Errorf("by the director: %+v", got)
	}
	// Paged as the other lists: the total in X-Total-Count, the next
	// window in Link with the filters kept.
	resp, _ = a.Get(a.ClientAs("directeur"), "/api/v1/audit?action=account.create&limit=1")
	if resp.Header.Get("X-Total-Count") != "2" || !strings.Contains(resp.Header.Get("Link"), "action=account.create&limit=1&offset=1") {
		t.Errorf("paging: total %q, link %q", resp.Header.Get("X-Total-Count"), resp.Header.Get("Link"))
	}
	if got := journal(t, a, "directeur", "?action=account.create&limit=1&offset=1"); len(got) != 1 || !strings.Contains(got[0].Target, "n1") {
		t.Errorf("second window: %+v", got)
	}
	for _, q := range []string{"?from=hier", "?action=account.explode", "?offset=-1", "?limit=501"} {
		if resp, out := a.Get(a.ClientAs("directeur"), "/api/v1/audit"+q); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, resp.StatusCode, out)
		}
	}
	for _, login := range []string{"eleve", "enseignant"} {
		if resp, _ := a.Get(a.ClientAs(login), "/api/v1/audit"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s reads the journal: %d", login, resp.StatusCode)
		}
	}
}

// On central, the DSI's change of a request's status is recorded with
// the city's scope; the DSI reads every school's entries, a director only
// their own school's.
func TestRequestStatusRecordedOnCentral(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	resp, body := a.Get(a.ClientAs("dsi"), "/api/v1/requests")
	var reqs []struct{ ID, Title string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &reqs) != nil || len(reqs) == 0 {
		t.Fatalf("requests: %d %s", resp.StatusCode, body)
	}
	resp, out := a.Do(a.ClientAs("dsi"), "PATCH", "/api/v1/requests/"+reqs[0].ID, "application/json", `{"status":"done"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status: %d %s", resp.StatusCode, out)
	}
	only(t, journal(t, a, "dsi", ""), "request.status", a.User("dsi").DisplayName, reqs[0].ID)
	var scope string
	a.DB.Reader().QueryRowContext(t.Context(), "SELECT scope FROM audit_entries WHERE action = 'request.status'").Scan(&scope)
	if scope != "city" {
		t.Errorf("the DSI's entry has scope %q, want city (it stays on central)", scope)
	}
	// Another school's director's own action on central, then who sees what.
	if err := a.Register.CreateSchool(t.Context(), "ecole-b", "École B"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.CreateUser(t.Context(), auth.NewUser{Login: "dir.b", Display: "Dir B", Profile: auth.Director, SchoolID: "ecole-b",
		Password: feature.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	resp, out = a.Do(a.ClientAs("dir.b"), "POST", "/api/v1/users", "application/json",
		`{"login":"b.new","first_name":"B","last_name":"New","profile":"teacher","password":"Long-Pass-Word-42"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create on central: %d %s", resp.StatusCode, out)
	}
	if got := journal(t, a, "directeur", ""); len(got) != 0 {
		t.Errorf("the director sees another school's or the city's entries: %+v", got)
	}
	if got := journal(t, a, "dir.b", ""); len(got) != 1 || got[0].Target != "b.new" {
		t.Errorf("dir.b's journal: %+v", got)
	}
	if got := journal(t, a, "dsi", "?school="+a.User("dir.b").SchoolID); len(got) != 1 {
		t.Errorf("the DSI's filter by school: %+v", got)
	}
	if got := journal(t, a, "dsi", ""); len(got) != 2 {
		t.Errorf("the DSI's journal: %+v", got)
	}
}

// A teacher's moderation is an administrative action: publishing a
// pupils' mini-site, then unpublishing it, both land in the school's
// journal under the teacher's name; the director reads them.
func TestModerationRecorded(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	teacher, pupil := a.User("enseignant"), a.User("eleve")
	classes, err := a.Register.UserClasses(t.Context(), pupil.ID)
	if err != nil || len(classes) == 0 {
		t.Fatalf("the pupil's class: %v %v", classes, err)
	}
	resp, out := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/minisites", "application/json",
		`{"title":"Nos volcans","class_id":"`+classes[0].ID+`","pupils":["`+pupil.ID+`"],"theme":"sea"}`)
	var site struct{ ID string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(out), &site) != nil {
		t.Fatalf("create: %d %s", resp.StatusCode, out)
	}
	if resp, out := a.Do(a.ClientAs("eleve"), "POST", "/api/v1/minisites/"+site.ID+"/submit", "application/json", `{}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("submit: %d %s", resp.StatusCode, out)
	}
	if got := journal(t, a, "directeur", ""); len(got) != 0 {
		t.Fatalf("a pupil's handing in is no administrative action: %+v", got)
	}
	for _, step := range []string{"publish", "unpublish"} {
		if resp, out := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/minisites/"+site.ID+"/"+step, "application/json",
			`{"audience":"class"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", step, resp.StatusCode, out)
		}
	}
	got := journal(t, a, "directeur", "")
	only(t, got, "moderation.publish", teacher.DisplayName, "mini-site/"+site.ID)
	only(t, got, "moderation.unpublish", teacher.DisplayName, "mini-site/"+site.ID)
}

// The journal's page: the director's school's entries, newest first, in
// pages of fifty; the action filter narrows; a bad date is refused.
func TestJournalPage(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	dir := a.ClientAs("directeur")
	for i := range audit.PageSize + 2 {
		login := fmt.Sprintf("p%02d", i)
		resp, out := a.Do(dir, "POST", "/api/v1/users", "application/json",
			`{"login":"`+login+`","first_name":"P","last_name":"`+login+`","profile":"teacher","password":"Long-Pass-Word-42"}`)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, out)
		}
	}
	resp, body := a.Get(dir, audit.Path)
	if resp.StatusCode != http.StatusOK || strings.Count(body, `data-action="account.create"`) != audit.PageSize ||
		!strings.Contains(body, "p51") || strings.Contains(body, ">p00<") || !strings.Contains(body, `rel="next"`) {
		t.Fatalf("first page: %d, %d rows\n%s", resp.StatusCode, strings.Count(body, "data-action="), body)
	}
	resp, body = a.Get(dir, audit.Path+"?page=2")
	if resp.StatusCode != http.StatusOK || strings.Count(body, `data-action="account.create"`) != 2 || !strings.Contains(body, "p00") ||
		strings.Contains(body, `rel="next"`) {
		t.Errorf("second page: %d\n%s", resp.StatusCode, body)
	}
	if _, body = a.Get(dir, audit.Path+"?action=account.disable"); strings.Contains(body, "data-action=") {
		t.Errorf("the filter does not narrow:\n%s", body)
	}
	if resp, _ := a.Get(dir, audit.Path+"?du=hier"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad date: %d", resp.StatusCode)
	}
	if resp, _ := a.Get(a.ClientAs("enseignant"), audit.Path); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a teacher reads the journal: %d", resp.StatusCode)
	}
}

// Putting a teacher in charge of a new class is a change of rights: the
// journal says who was given which class.
func TestRightsRecorded(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	teacher := a.User("enseignant")
	if resp, body := a.PostForm(a.ClientAs("directeur"), "/classes", url.Values{"name": {"CE2-CM1 B"}, "level": {"CE2-CM1"},
		"teacher": {teacher.ID}}); resp.StatusCode >= 400 {
		t.Fatalf("create a class: %d %s", resp.StatusCode, body)
	}
	only(t, journal(t, a, "directeur", ""), "account.role", a.User("directeur").DisplayName, teacher.Login+" → CE2-CM1 B")
}
