package sync_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/roster"
	"preau/appliance/store"
	psync "preau/appliance/sync"
)

// pair is a central node and one enrolled school, each a full appliance
// serving HTTP on loopback.
type pair struct {
	central, school *apptest.App
}

// user creates an account at the pair's school, in classes and with
// children, whose password is "motdepasse".
func (p pair) user(t *testing.T, login string, profile auth.Profile, classes, children []string) auth.User {
	t.Helper()
	u, err := p.school.Register.CreateUser(t.Context(), roster.NewUser{NewUser: auth.NewUser{Login: login, Display: login, Profile: profile,
		SchoolID: p.school.Config.SchoolID, Password: "motdepasse"}, ClassIDs: classes, ChildIDs: children})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// family is a class of the pair's school (its name its level) with its
// teacher, a pupil and the pupil's parent, logged in as prof.<tag>,
// eleve.<tag>, parent.<tag>.
func (p pair) family(t *testing.T, className, tag string) (class auth.Class, teacher, pupil, parent auth.User) {
	t.Helper()
	class, err := p.school.Register.CreateClass(t.Context(), p.school.Config.SchoolID, className, className)
	if err != nil {
		t.Fatal(err)
	}
	teacher = p.user(t, "prof."+tag, auth.Teacher, []string{class.ID}, nil)
	pupil = p.user(t, "eleve."+tag, auth.Pupil, []string{class.ID}, nil)
	parent = p.user(t, "parent."+tag, auth.Parent, nil, []string{pupil.ID})
	return class, teacher, pupil, parent
}

func newPair(t *testing.T, school string) pair {
	t.Helper()
	central := apptest.New(t, apptest.Options{Role: "central"})
	return pair{central, enrollSchool(t, central, school)}
}

// enrollSchool adds a school on central and starts its enrolled appliance.
func enrollSchool(t *testing.T, central *apptest.App, school string) *apptest.App {
	t.Helper()
	token, err := central.Sync.Central.AddSchool(t.Context(), school, "École "+school)
	if err != nil {
		t.Fatal(err)
	}
	a := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": school, "school.name": "École " + school}})
	if _, err := a.Sync.Client.Enroll(t.Context(), central.URL, token); err != nil {
		t.Fatal(err)
	}
	return a
}

func syncOnce(t *testing.T, a *apptest.App) psync.Status {
	t.Helper()
	st, err := a.Sync.Client.SyncOnce(t.Context())
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return st
}

func TestEnrollAndAccountsBothWays(t *testing.T) {
	p := newPair(t, "ecole-a")
	ctx := t.Context()
	// The DSI creates the school's director on central...
	if _, err := p.central.Auth.CreateUser(ctx, auth.NewUser{Login: "dir.a", Display: "Directrice A", Profile: auth.Director,
		SchoolID: "ecole-a", Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
	st := syncOnce(t, p.school)
	if st.Link != "up" || st.LastSync == nil || st.PendingOut != 0 {
		t.Fatalf("status after sync: %+v", st)
	}
	// ...who logs in at the school with the same password.
	if _, err := p.school.Auth.LoginPassword(ctx, "dir.a", "motdepasse", ""); err != nil {
		t.Fatalf("director created on central cannot log in at school: %v", err)
	}
	// The school creates a teacher, who logs in from home (central).
	if _, err := p.school.Auth.CreateUser(ctx, auth.NewUser{Login: "prof.a", Display: "Prof A", Profile: auth.Teacher,
		SchoolID: "ecole-a", Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := p.school.Sync.Client.Status(ctx); st.PendingOut == 0 {
		t.Fatal("a local write is not counted as pending")
	}
	syncOnce(t, p.school)
	if _, err := p.central.Auth.LoginPassword(ctx, "prof.a", "motdepasse", ""); err != nil {
		t.Fatalf("teacher created at school cannot log in on central: %v", err)
	}
	// Central's other school (the demo one) never reaches ecole-a.
	if _, err := p.school.Auth.UserByLogin(ctx, "enseignant"); err == nil {
		t.Fatal("another school's account was sent to ecole-a")
	}
	// The city's DSI account is global: it reaches every school.
	if _, err := p.school.Auth.UserByLogin(ctx, "dsi"); err != nil {
		t.Fatal("global DSI account not sent to the school")
	}
	// Nothing comes back to where it came from, nothing is duplicated.
	syncOnce(t, p.school)
	assertSameScope(t, p.central, p.school, "ecole-a")
}

// assertSameScope compares every replicated row of a school's scope on two nodes.
func assertSameScope(t *testing.T, a, b *apptest.App, scope string) {
	t.Helper()
	for _, table := range a.DB.Replicated() {
		ra, rb := dump(t, a.DB, table, scope), dump(t, b.DB, table, scope)
		if ra != rb {
			t.Errorf("%s differs for scope %s:\n%s\n---\n%s", table, scope, ra, rb)
		}
	}
}

func dump(t *testing.T, db *store.DB, table, scope string) string {
	t.Helper()
	rows, err := db.Reader().Query("SELECT id FROM "+table+" WHERE scope = ? ORDER BY id", scope)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	var out strings.Builder
	for _, id := range ids {
		r, err := db.ReadRow(context.Background(), db.Reader(), table, id)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(r)
		out.Write(b)
		out.WriteByte('\n')
	}
	return out.String()
}

// rawPush sends a batch as the school's node, bypassing the client.
func rawPush(t *testing.T, p pair, b psync.Batch, body []byte) (*http.Response, string) {
	t.Helper()
	link, err := p.school.Sync.Client.Link(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		json.NewEncoder(zw).Encode(b)
		zw.Close()
		body = buf.Bytes()
	}
	req, _ := http.NewRequest("POST", p.central.URL+"/api/v1/sync/push", bytes.NewReader(body))
	req.Header.Set("Authorization", "Node "+link.SchoolID+":"+link.NodeKey)
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := new(bytes.Buffer)
	buf.ReadFrom(resp.Body)
	sb.Write(buf.Bytes())
	return resp, sb.String()
}

func countRows(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	db.Reader().QueryRow("SELECT count(*) FROM changes").Scan(&n)
	return n
}

func TestBadBatchesRefusedAndNothingWritten(t *testing.T) {
	p := newPair(t, "ecole-a")
	syncOnce(t, p.school)
	// A row the school may write, to forge variants of.
	u, err := p.school.Auth.CreateUser(t.Context(), auth.NewUser{Login: "prof.b", Display: "Prof B", Profile: auth.Teacher, SchoolID: "ecole-a"})
	if err != nil {
		t.Fatal(err)
	}
	good, err := p.school.DB.ReadRow(t.Context(), p.school.DB.Reader(), "users", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	clone := func(mut func(r store.Row)) store.Row {
		r := store.Row{Table: good.Table, Values: map[string]any{}}
		for k, v := range good.Values {
			r.Values[k] = v
		}
		mut(r)
		return r
	}
	self := p.school.DB.Node()
	batch := func(rows ...store.Row) psync.Batch {
		return psync.Batch{Node: self.ID, Epoch: self.Epoch, From: 0, To: 1, Rows: rows}
	}
	before := countRows(t, p.central.DB)
	cases := []struct {
		name   string
		batch  psync.Batch
		body   []byte
		status int
		want   string
	}{
		{"another school's scope", batch(clone(func(r store.Row) { r.Values["scope"] = "demo"; r.Values["school_id"] = "demo" })), nil,
			http.StatusForbidden, "périmètre"},
		{"global scope", batch(clone(func(r store.Row) { r.Values["scope"] = "global" })), nil, http.StatusForbidden, "périmètre"},
		{"clock a year ahead", batch(clone(func(r store.Row) { r.Values["hlc"] = r.HLC() + 365*24*3600*1000<<16 })), nil,
			http.StatusUnprocessableEntity, "horloge"},
		{"unknown table", batch(store.Row{Table: "sessions", Values: good.Values}), nil, http.StatusBadRequest, "non répliquée"},
		{"missing column", batch(clone(func(r store.Row) { delete(r.Values, "login") })), nil, http.StatusBadRequest, "colonnes"},
		{"not gzip", psync.Batch{}, []byte("{pas du json"), http.StatusBadRequest, "gzip"},
		{"truncated", psync.Batch{}, truncated(t, batch(good)), http.StatusBadRequest, "illisible"},
		{"unknown field", psync.Batch{}, gz(t, `{"node":"x","epoch":"y","from":0,"to":1,"rows":[],"extra":1}`), http.StatusBadRequest, "illisible"},
		{"trailing data", psync.Batch{}, gz(t, jsonOf(t, batch(good))+" {}"), http.StatusBadRequest, "sans rien après"},
		{"inconsistent cursors", psync.Batch{Node: self.ID, Epoch: self.Epoch, From: 0, To: -5}, nil, http.StatusBadRequest, "incohérent"},
		{"too many rows", batch(repeatRow(good, 2001)...), nil, http.StatusBadRequest, "trop grand"},
		{"gzip bomb", psync.Batch{}, gz(t, `{"node":"`+strings.Repeat("x", 65<<20)+`"}`), http.StatusRequestEntityTooLarge, "trop volumineux"},
	}
	for _, c := range cases {
		resp, body := rawPush(t, p, c.batch, c.body)
		if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s (want %d with %q)", c.name, resp.StatusCode, body, c.status, c.want)
		}
	}
	if after := countRows(t, p.central.DB); after != before {
		t.Fatalf("refused batches changed central: %d → %d change-log entries", before, after)
	}
	// The real client still syncs afterwards.
	syncOnce(t, p.school)
	if _, err := p.central.Auth.UserByLogin(t.Context(), "prof.b"); err != nil {
		t.Fatal("good row not synced after refused batches")
	}
}

func repeatRow(r store.Row, n int) []store.Row {
	rows := make([]store.Row, n)
	for i := range rows {
		rows[i] = r
	}
	return rows
}

func gz(t *testing.T, s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	zw.Close()
	return buf.Bytes()
}

func jsonOf(t *testing.T, b psync.Batch) string {
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func truncated(t *testing.T, b psync.Batch) []byte {
	data, _ := json.Marshal(b)
	return gz(t, string(data[:len(data)/2]))
}

func TestReplayedBatchChangesNothing(t *testing.T) {
	p := newPair(t, "ecole-a")
	if _, err := p.school.Auth.CreateUser(t.Context(), auth.NewUser{Login: "prof.c", Display: "Prof C", Profile: auth.Teacher, SchoolID: "ecole-a"}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	u, _ := p.school.Auth.UserByLogin(t.Context(), "prof.c")
	row, _ := p.school.DB.ReadRow(t.Context(), p.school.DB.Reader(), "users", u.ID)
	self := p.school.DB.Node()
	before := dump(t, p.central.DB, "users", "ecole-a")
	seqBefore := countRows(t, p.central.DB)
	resp, body := rawPush(t, p, psync.Batch{Node: self.ID, Epoch: self.Epoch, From: 0, To: 1, Rows: []store.Row{row}}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replay: %d %s", resp.StatusCode, body)
	}
	if dump(t, p.central.DB, "users", "ecole-a") != before || countRows(t, p.central.DB) != seqBefore {
		t.Fatal("a replayed batch changed central")
	}
}

func TestRevokedSchoolRefused(t *testing.T) {
	p := newPair(t, "ecole-a")
	syncOnce(t, p.school)
	if err := p.central.Sync.Central.Revoke(t.Context(), "ecole-a"); err != nil {
		t.Fatal(err)
	}
	_, err := p.school.Sync.Client.SyncOnce(t.Context())
	if err == nil || !strings.Contains(err.Error(), "révoquée") {
		t.Fatalf("revoked school synced: %v", err)
	}
	st, _ := p.school.Sync.Client.Status(t.Context())
	if st.Link != "down" || st.LastError == nil {
		t.Fatalf("status after refusal: %+v", st)
	}
}

func TestEnrollmentTokenIsOneTime(t *testing.T) {
	central := apptest.New(t, apptest.Options{Role: "central"})
	token, _ := central.Sync.Central.AddSchool(t.Context(), "ecole-b", "École B")
	a := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": "ecole-b"}})
	if _, err := a.Sync.Client.Enroll(t.Context(), central.URL, token); err != nil {
		t.Fatal(err)
	}
	b := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": "ecole-b"}})
	if _, err := b.Sync.Client.Enroll(t.Context(), central.URL, token); err == nil || !strings.Contains(err.Error(), "jeton") {
		t.Fatalf("token used twice: %v", err)
	}
	wrong := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": "ecole-c"}})
	token2, _ := central.Sync.Central.AddSchool(t.Context(), "ecole-d", "École D")
	if _, err := wrong.Sync.Client.Enroll(t.Context(), central.URL, token2); err == nil || !strings.Contains(err.Error(), "school.id") {
		t.Fatalf("token for another school accepted: %v", err)
	}
}

// While apart, central resets an account's password and the school
// disables it: both edits hold on both sides, and nothing is a conflict,
// since they changed different columns.
func TestEditsOfDifferentColumnsBothHold(t *testing.T) {
	p := newPair(t, "ecole-a")
	ctx := t.Context()
	u, err := p.school.Auth.CreateUser(ctx, auth.NewUser{Login: "prof.d", Display: "Prof D", Profile: auth.Teacher, SchoolID: "ecole-a", Password: "ancien-secret"})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	if err := p.central.Auth.SetPassword(ctx, u.ID, "depuis-la-maison", true); err != nil { // from home
		t.Fatal(err)
	}
	if err := p.school.Auth.SetDisabled(ctx, u.ID, true); err != nil { // later, at school
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	syncOnce(t, p.school) // central's merged version back to the school
	assertSameScope(t, p.central, p.school, "ecole-a")
	for name, n := range map[string]*apptest.App{"central": p.central, "school": p.school} {
		final, _ := n.Auth.User(ctx, u.ID)
		if !final.Disabled || !final.MustChange {
			t.Errorf("%s: disabled %v, must change %v: an edit was lost", name, final.Disabled, final.MustChange)
		}
		if err := n.Auth.SetDisabled(ctx, u.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Auth.LoginPassword(ctx, "prof.d", "depuis-la-maison", ""); err != nil {
			t.Errorf("%s: the reset password does not work: %v", name, err)
		}
		if err := n.Auth.SetDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if cs, _ := p.central.DB.Conflicts(ctx, "ecole-a"); len(cs) != 0 {
		t.Fatalf("edits of different columns kept as conflicts: %+v", cs)
	}
}

// Both sides change the same column while apart: the later change wins on
// both, and the other is kept as a conflict of that column, restorable.
func TestSameColumnEditedOnBothSidesKeepsLoser(t *testing.T) {
	p := newPair(t, "ecole-a")
	ctx := t.Context()
	u, err := p.school.Auth.CreateUser(ctx, auth.NewUser{Login: "prof.d", Display: "Prof D", Profile: auth.Teacher, SchoolID: "ecole-a"})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	if err := p.school.Auth.SetDisabled(ctx, u.ID, true); err != nil { // at school
		t.Fatal(err)
	}
	p.central.Auth.SetDisabled(ctx, u.ID, true) // from home, twice: the later
	if err := p.central.Auth.SetDisabled(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	syncOnce(t, p.school)
	assertSameScope(t, p.central, p.school, "ecole-a")
	final, _ := p.school.Auth.User(ctx, u.ID)
	if final.Disabled {
		t.Fatal("the older edit won")
	}
	cs, err := p.central.DB.Conflicts(ctx, "ecole-a")
	if err != nil || len(cs) != 1 || cs[0].Loser.Values["disabled"] != int64(1) || strings.Join(cs[0].Columns, ",") != "disabled" {
		t.Fatalf("losing edit not kept on central as a conflict of its column: %+v %v", cs, err)
	}
	// Restoring it brings back that column only.
	if err := p.central.DB.RestoreConflict(ctx, cs[0].ID); err != nil {
		t.Fatal(err)
	}
	if final, _ := p.central.Auth.User(ctx, u.ID); !final.Disabled || final.DisplayName != "Prof D" {
		t.Fatalf("restored: %+v", final)
	}
}

// Two schools give the same login to two people while apart: both accounts
// survive, the later one is renamed the same way everywhere and flagged,
// never merged.
func TestSameLoginCreatedOfflineAtTwoSchools(t *testing.T) {
	p := newPair(t, "ecole-a")
	b := enrollSchool(t, p.central, "ecole-b")
	ctx := t.Context()
	first, err := p.school.Auth.CreateUser(ctx, auth.NewUser{Login: "marie.curie", Display: "Marie Curie (A)", Profile: auth.Teacher,
		SchoolID: "ecole-a", Password: "premiere-ecole"})
	if err != nil {
		t.Fatal(err)
	}
	later, err := b.Auth.CreateUser(ctx, auth.NewUser{Login: "marie.curie", Display: "Marie Curie (B)", Profile: auth.Teacher,
		SchoolID: "ecole-b", Password: "seconde-ecole"})
	if err != nil {
		t.Fatal(err)
	}
	// B reaches central first, then A: the later account is B's whatever the order.
	syncOnce(t, b)
	syncOnce(t, p.school)
	syncOnce(t, b)
	renamed := "marie.curie-" + strings.ReplaceAll(later.ID, "-", "")[28:32]
	for name, n := range map[string]*apptest.App{"central": p.central, "ecole-b": b} {
		u, err := n.Auth.User(ctx, later.ID)
		if err != nil || u.Login != renamed {
			t.Fatalf("%s: later account login %q, want %q (%v)", name, u.Login, renamed, err)
		}
	}
	for name, n := range map[string]*apptest.App{"central": p.central, "ecole-a": p.school} {
		u, err := n.Auth.User(ctx, first.ID)
		if err != nil || u.Login != "marie.curie" {
			t.Fatalf("%s: first account lost its login: %q %v", name, u.Login, err)
		}
	}
	if _, err := p.central.Auth.LoginPassword(ctx, renamed, "seconde-ecole", ""); err != nil {
		t.Fatalf("renamed account cannot log in: %v", err)
	}
	if _, err := p.central.Auth.LoginPassword(ctx, "marie.curie", "premiere-ecole", ""); err != nil {
		t.Fatalf("first account cannot log in: %v", err)
	}
	var flagged int
	p.central.DB.Reader().QueryRow("SELECT login_renamed FROM users WHERE id = ?", later.ID).Scan(&flagged)
	if flagged != 1 {
		t.Fatal("renamed account not flagged")
	}
	if cs, _ := p.central.DB.Conflicts(ctx, "ecole-b"); len(cs) == 0 {
		t.Fatal("the rename is not shown among the conflicts")
	}
	assertSameScope(t, p.central, b, "ecole-b")
	assertSameScope(t, p.central, p.school, "ecole-a")
}

// A parent has one account city-wide: registered at school A, linked (on
// central) to a child at school B, the same account reaches B and logs in
// there; B's other families never reach A.
// twoSchools is central with schools A and B, and a parent of school A
// (maman.roy, password "motdepasse") with a child at each: Ana in A's CP,
// Léo in B's CM1, linked on central.
type twoSchools struct {
	pair
	b      *apptest.App
	parent auth.User
	childB auth.User
	cm1    auth.Class
}

func newTwoSchools(t *testing.T) twoSchools {
	t.Helper()
	p := newPair(t, "ecole-a")
	b := enrollSchool(t, p.central, "ecole-b")
	ctx := t.Context()
	classA, _ := p.school.Register.CreateClass(ctx, "ecole-a", "CP", "CP")
	childA, _ := p.school.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{FirstName: "Ana", LastName: "Roy", Profile: auth.Pupil, SchoolID: "ecole-a"}, ClassIDs: []string{classA.ID}})
	parent, err := p.school.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "maman.roy", Display: "Maman Roy", Profile: auth.Parent,
		SchoolID: "ecole-a", Password: "motdepasse"}, ChildIDs: []string{childA.ID}})
	if err != nil {
		t.Fatal(err)
	}
	cm1, _ := b.Register.CreateClass(ctx, "ecole-b", "CM1", "CM1")
	childB, _ := b.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{FirstName: "Léo", LastName: "Roy", Profile: auth.Pupil, SchoolID: "ecole-b"}, ClassIDs: []string{cm1.ID}})
	return twoSchools{pair: p, b: b, parent: parent, childB: childB, cm1: cm1}
}

// link links Léo to the parent on central and syncs both schools.
func (w twoSchools) link(t *testing.T) {
	t.Helper()
	syncOnce(t, w.school)
	syncOnce(t, w.b)
	if err := w.central.Register.LinkChild(t.Context(), w.parent.ID, w.childB.ID); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, w.b)
	syncOnce(t, w.school)
}

func TestParentWithChildrenInTwoSchools(t *testing.T) {
	w := newTwoSchools(t)
	p, b, parent, childB := w.pair, w.b, w.parent, w.childB
	ctx := t.Context()
	otherB, _ := b.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "papa.autre", Display: "Papa Autre", Profile: auth.Parent, SchoolID: "ecole-b", Password: "motdepasse"}, ChildIDs: []string{childB.ID}})
	w.link(t)
	if _, err := b.Auth.LoginPassword(ctx, "maman.roy", "motdepasse", ""); err != nil {
		t.Fatalf("the parent's one account does not work at the second school: %v", err)
	}
	children, _ := b.Register.Children(ctx, parent.ID)
	if len(children) != 1 || children[0].ID != childB.ID {
		t.Fatalf("at school B the parent sees %d children, want Léo only", len(children))
	}
	if _, err := p.school.Auth.User(ctx, otherB.ID); err == nil {
		t.Fatal("another school's parent reached school A")
	}
	// A password change at home reaches both schools.
	if err := p.central.Auth.SetPassword(ctx, parent.ID, "nouveau-secret", false); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	syncOnce(t, b)
	for name, n := range map[string]*apptest.App{"ecole-a": p.school, "ecole-b": b} {
		if _, err := n.Auth.LoginPassword(ctx, "maman.roy", "nouveau-secret", ""); err != nil {
			t.Errorf("%s: new password not received: %v", name, err)
		}
	}
}
