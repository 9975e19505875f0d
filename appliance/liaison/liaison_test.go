package liaison_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

type note struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	PupilID      string `json:"pupil_id"`
	Acknowledged *bool  `json:"acknowledged"`
	Acks         *int   `json:"acks"`
	Total        *int   `json:"total"`
	Pupils       []struct {
		PupilID      string `json:"pupil_id"`
		Acknowledged bool   `json:"acknowledged"`
		Paper        bool   `json:"paper"`
	} `json:"pupils"`
	Replies []struct{ Body string } `json:"replies"`
}

func getJSON[T any](t *testing.T, a *apptest.App, login, path string) T {
	t.Helper()
	resp, body := a.Get(a.ClientAs(login), path)
	var out T
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s as %s: %d %s", path, login, resp.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func create(t *testing.T, a *apptest.App, login, body string) string {
	t.Helper()
	resp, out := a.Do(a.ClientAs(login), "POST", "/api/v1/liaison", "application/json", body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create as %s: %d %s", login, resp.StatusCode, out)
	}
	var created struct{ ID string }
	json.Unmarshal([]byte(out), &created)
	return created.ID
}

// parentOf is the login of a parent of one of the class's pupils other
// than the demo parent's children, with that pupil.
func otherFamily(t *testing.T, a *apptest.App, classID string) (login string, pupil auth.User) {
	t.Helper()
	pupils, err := a.Register.ClassPupils(t.Context(), classID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pupils {
		if p.ID == a.User("eleve").ID {
			continue
		}
		if err := a.DB.Reader().QueryRowContext(t.Context(), `SELECT u.login FROM guardians g JOIN users u ON u.id = g.parent_id
			WHERE g.deleted = 0 AND g.child_id = ?`, p.ID).Scan(&login); err != nil {
			t.Fatal(err)
		}
		return login, p
	}
	t.Fatal("no other family in the class")
	return "", auth.User{}
}

// The whole round: the teacher writes to the class asking for a signature
// and allowing a reply; the parent sees it, signs and replies; another
// family signs on paper; the teacher follows « lu par », reminds the
// others and prints their slips; the pupil sees that their parents read it.
func TestNoteSignedRepliedRemindedPrinted(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	lea := a.User("eleve")
	id := create(t, a, "enseignant", `{"class_id":"`+ce1+`","title":"Piscine","body":"Bonnet obligatoire.","signature":true,"reply_allowed":true}`)

	mine := func() note {
		for _, n := range getJSON[[]note](t, a, "parent", "/api/v1/liaison") {
			if n.ID == id && n.PupilID == lea.ID {
				return n
			}
		}
		t.Fatal("the parent does not see the note")
		return note{}
	}
	if n := mine(); n.Acknowledged == nil || *n.Acknowledged {
		t.Fatalf("before signing: %+v", n)
	}
	_, page := a.Get(a.ClientAs("parent"), "/carnet?enfant="+lea.ID)
	if !strings.Contains(page, "Piscine") || !strings.Contains(page, "J&#39;ai lu") {
		t.Fatal("the parent's page does not offer « J'ai lu »")
	}
	if resp, _ := a.PostForm(a.ClientAs("parent"), "/carnet/"+id+"/signer", url.Values{"enfant": {lea.ID}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(a.ClientAs("parent"), "/carnet/"+id+"/repondre", url.Values{"enfant": {lea.ID}, "texte": {"Léa n'a pas de bonnet."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", resp.StatusCode)
	}
	if n := mine(); !*n.Acknowledged || len(n.Replies) != 1 {
		t.Fatalf("after signing: %+v", n)
	}
	// Signing twice changes nothing.
	if resp, _ := a.Do(a.ClientAs("parent"), "POST", "/api/v1/liaison/"+id+"/ack", "", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign again: %d", resp.StatusCode)
	}

	_, other := otherFamily(t, a, ce1)
	if resp, _ := a.PostForm(a.ClientAs("enseignant"), "/carnet/"+id+"/papier", url.Values{"eleve": {other.ID}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("paper slip: %d", resp.StatusCode)
	}
	f := getJSON[note](t, a, "enseignant", "/api/v1/liaison/"+id)
	if *f.Acks != 2 || *f.Total != 6 || len(f.Replies) != 1 {
		t.Fatalf("the teacher follows %d / %d, replies %+v", *f.Acks, *f.Total, f.Replies)
	}
	for _, p := range f.Pupils {
		if p.PupilID == other.ID && !p.Paper {
			t.Error("the paper slip is not marked as such")
		}
	}
	resp, body := a.Get(a.ClientAs("enseignant"), "/carnet/"+id)
	d, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	if resp.StatusCode != 200 || strings.TrimSpace(d.Find("#lus").Text()) != "lu par 2 / 6" || !strings.Contains(d.Find("#reponses").Text(), "pas de bonnet") {
		t.Fatalf("the follow page: %d %q", resp.StatusCode, d.Find("#lus").Text())
	}
	if n := d.Find("tr[data-pupil] form[action$='/papier']").Length(); n != 4 {
		t.Errorf("%d paper-slip buttons, want one per family that has not read", n)
	}
	resp, body = a.PostForm(a.ClientAs("enseignant"), "/carnet/"+id+"/rappel", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remind: %d %s", resp.StatusCode, body)
	}
	_, page = a.Get(a.ClientAs(mustLogin(t, a, ce1)), "/carnet")
	if !strings.Contains(page, "Rappel") {
		t.Error("a family that has not read sees no reminder")
	}
	_, body = a.Get(a.ClientAs("enseignant"), "/carnet/"+id+"/imprimer?qui=attente")
	d, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	if n := d.Find("article.slip").Length(); n != 4 || d.Find("article.slip[data-pupil='"+lea.ID+"']").Length() != 0 {
		t.Errorf("%d slips for those who have not read", n)
	}
	_, body = a.Get(a.ClientAs("enseignant"), "/carnet/"+id+"/imprimer")
	d, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	if n := d.Find("article.slip .slip-tear").Length(); n != 6 {
		t.Errorf("%d slips with a tear-off part, want 6", n)
	}
	_, page = a.Get(a.ClientAs("eleve"), "/carnet")
	if !strings.Contains(page, "Piscine") || !strings.Contains(page, "Tes parents l&#39;ont lu") {
		t.Error("the pupil does not see that their parents read it")
	}
}

// mustLogin is a login of a parent of the class who has not read.
func mustLogin(t *testing.T, a *apptest.App, classID string) string {
	t.Helper()
	pupils, _ := a.Register.ClassPupils(t.Context(), classID)
	for _, p := range pupils {
		var login string
		var acked int
		a.DB.Reader().QueryRowContext(t.Context(), "SELECT count(*) FROM liaison_acks WHERE pupil_id = ?", p.ID).Scan(&acked)
		if acked > 0 {
			continue
		}
		if err := a.DB.Reader().QueryRowContext(t.Context(), `SELECT u.login FROM guardians g JOIN users u ON u.id = g.parent_id
			WHERE g.deleted = 0 AND g.child_id = ?`, p.ID).Scan(&login); err == nil {
			return login
		}
	}
	t.Fatal("every family has read")
	return ""
}

// Bad input is refused with a reason and writes nothing; nobody reads,
// signs or follows what is not theirs.
func TestRefusals(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, cm2 := a.ClassID("CE1"), a.ClassID("CM2")
	cm2Pupils, _ := a.Register.ClassPupils(t.Context(), cm2)
	count := func() int {
		var n int
		a.DB.Reader().QueryRow("SELECT (SELECT count(*) FROM liaison_notes) + (SELECT count(*) FROM liaison_recipients)").Scan(&n)
		return n
	}
	before := count()
	for _, c := range []struct {
		body, want string
		status     int
	}{
		{`{"class_id":"` + ce1 + `","title":"  "}`, "indiquez un titre", 400},
		{`{"class_id":"` + ce1 + `","title":"Sortie","day":"jeudi"}`, "AAAA-MM-JJ", 400},
		{`{"class_id":"` + cm2 + `","title":"Sortie"}`, "vos classes", 403},
		{`{"class_id":"nulle-part","title":"Sortie"}`, "n'existe pas", 404},
		{`{"class_id":"` + ce1 + `","title":"Sortie","pupil_ids":["` + cm2Pupils[0].ID + `"]}`, "pas dans cette classe", 404},
		{`{"class_id":"` + ce1 + `","title":"Sortie","pupil_ids":[]}`, "au moins un élève", 400},
		{`{"class_id":"` + ce1 + `","title":"` + strings.Repeat("x", 201) + `"}`, "ne doit pas dépasser 200", 400},
	} {
		resp, body := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/liaison", "application/json", c.body)
		if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d %q", c.body, resp.StatusCode, body, c.status, c.want)
		}
	}
	if n := count(); n != before {
		t.Errorf("refusals wrote %d rows", n-before)
	}
	// The page's form chose « des élèves choisis » and ticked none.
	resp, body := a.PostForm(a.ClientAs("enseignant"), "/carnet", url.Values{"classe": {ce1}, "titre": {"Sortie"}, "pour": {"choisis"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "au moins un élève") {
		t.Errorf("none chosen: %d", resp.StatusCode)
	}

	// A note to one pupil only: the other families never see it.
	lea := a.User("eleve")
	id := create(t, a, "enseignant", `{"class_id":"`+ce1+`","title":"Rendez-vous","signature":true,"pupil_ids":["`+lea.ID+`"]}`)
	otherParent, otherPupil := otherFamily(t, a, ce1)
	for _, n := range getJSON[[]note](t, a, otherParent, "/api/v1/liaison") {
		if n.ID == id {
			t.Error("another family sees a note about Léa only")
		}
	}
	if resp, _ := a.Do(a.ClientAs(otherParent), "POST", "/api/v1/liaison/"+id+"/ack", "", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another family signs it: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(a.ClientAs(otherParent), "/carnet/"+id+"/signer", url.Values{"enfant": {lea.ID}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another family signs for Léa: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(a.ClientAs("parent"), "/carnet/"+id+"/signer", url.Values{"enfant": {otherPupil.ID}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a parent signs for another family's child: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(a.ClientAs("parent"), "/carnet/"+id+"/repondre", url.Values{"enfant": {lea.ID}, "texte": {"Oui"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a reply to a note that takes none: %d", resp.StatusCode)
	}
	// Another class's teacher neither follows nor deletes it; the director does both.
	if resp, _ := a.Get(a.ClientAs("helene.roux"), "/api/v1/liaison/"+id); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher follows: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(a.ClientAs("helene.roux"), "/carnet/"+id+"/supprimer", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher deletes: %d", resp.StatusCode)
	}
	if resp, _ := a.Get(a.ClientAs("directeur"), "/carnet/"+id); resp.StatusCode != http.StatusOK {
		t.Errorf("the director follows: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(a.ClientAs("directeur"), "/carnet/"+id+"/supprimer", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the director deletes: %d", resp.StatusCode)
	}
	for _, n := range getJSON[[]note](t, a, "parent", "/api/v1/liaison") {
		if n.ID == id {
			t.Error("a deleted note is still shown")
		}
	}
}

// The parent's tile counts the notes to sign; the teacher's, the
// signatures awaited.
func TestTilesCount(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	_, home := a.Get(a.ClientAs("parent"), "/accueil")
	if !strings.Contains(home, "1 à signer") {
		t.Error("the parent's tile does not count the demo's outing")
	}
	_, home = a.Get(a.ClientAs("enseignant"), "/accueil")
	if !strings.Contains(home, "6 signatures attendues") {
		t.Error("the teacher's tile does not count the signatures awaited")
	}
}
