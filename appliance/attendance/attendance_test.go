package attendance_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
)

type absence struct {
	ID, Date, Kind       string
	PupilID              string `json:"pupil_id"`
	HalfDay              string `json:"half_day"`
	Justified, Announced bool
	Reason               string
}

func absences(t *testing.T, a *apptest.App, login string) []absence {
	t.Helper()
	resp, body := a.Get(a.ClientAs(login), "/api/v1/absences")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET absences as %s: %d %s", login, resp.StatusCode, body)
	}
	var out []absence
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func today() string { return time.Now().Format("2006-01-02") }

// The whole round: the teacher takes the register through the page (all
// present by default, one absent, one late); the parent sees the absence,
// is told, justifies it; the director sees the day and the month.
func TestRegisterAbsenceJustification(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	lea := a.User("eleve")
	pupils, _ := a.Register.ClassPupils(t.Context(), ce1)
	var late string
	form := url.Values{"classe": {ce1}, "jour": {today()}, "demi": {"pm"}}
	for _, p := range pupils {
		switch {
		case p.ID == lea.ID:
			form.Set("p-"+p.ID, "absent")
		case late == "":
			late = p.ID
			form.Set("p-"+p.ID, "late")
		default:
			form.Set("p-"+p.ID, "present")
		}
	}
	resp, body := a.PostForm(a.ClientAs("enseignant"), "/appel", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("take: %d %s", resp.StatusCode, body)
	}
	_, body = a.Get(a.ClientAs("enseignant"), "/appel?classe="+ce1+"&jour="+today()+"&demi=pm")
	d, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	if !strings.Contains(d.Find("#etat").Text(), "appel fait par") ||
		d.Find(`#appel li[data-pupil="`+lea.ID+`"] input[value="absent"][checked]`).Length() != 1 {
		t.Fatalf("the register as taken: %q", d.Find("#etat").Text())
	}
	var mine absence
	for _, ab := range absences(t, a, "parent") {
		if ab.PupilID == lea.ID && ab.Date == today() && ab.HalfDay == "pm" {
			mine = ab
		}
	}
	if mine.ID == "" || mine.Justified || mine.Kind != "absent" {
		t.Fatalf("the parent sees %+v", mine)
	}
	var told []struct{ Title string }
	_, body = a.Get(a.ClientAs("parent"), "/api/v1/notifications")
	json.Unmarshal([]byte(body), &told)
	if len(told) == 0 || !strings.Contains(told[0].Title, "Léa était absent·e le") {
		t.Errorf("the parent was not told: %+v", told)
	}
	resp, body = a.PostForm(a.ClientAs("parent"), "/absences/"+mine.ID+"/justifier", url.Values{"motif": {"medical"}, "commentaire": {"Dentiste"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("justify: %d %s", resp.StatusCode, body)
	}
	for _, ab := range absences(t, a, "enseignant") {
		if ab.ID == mine.ID && (!ab.Justified || ab.Reason != "medical") {
			t.Errorf("the teacher sees %+v", ab)
		}
	}
	// Taking the register again with Léa present removes her absence;
	// the late pupil's stays as it was.
	form.Set("p-"+lea.ID, "present")
	if resp, _ := a.PostForm(a.ClientAs("enseignant"), "/appel", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatal("take again")
	}
	for _, ab := range absences(t, a, "parent") {
		if ab.ID == mine.ID {
			t.Error("Léa, present after all, is still absent")
		}
	}
	_, body = a.Get(a.ClientAs("directeur"), "/absences")
	d, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	if n := d.Find(`#absences tr[data-absence]`).Length(); n != 1 {
		t.Errorf("the director's day lists %d absences, want the late arrival", n)
	}
	if d.Find(`#mois tr[data-pupil]`).Length() == 0 {
		t.Error("the director's month counts nobody")
	}
}

// Bad input is refused with a reason, nothing written; nobody touches
// what is not theirs.
func TestRefusals(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, cm2 := a.ClassID("CE1"), a.ClassID("CM2")
	cm2Pupils, _ := a.Register.ClassPupils(t.Context(), cm2)
	count := func() int {
		var n int
		a.DB.Reader().QueryRow("SELECT (SELECT count(*) FROM absences) + (SELECT count(*) FROM attendance_registers)").Scan(&n)
		return n
	}
	before := count()
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	for _, c := range []struct {
		body, want string
		status     int
	}{
		{`{"class_id":"` + ce1 + `","date":"` + tomorrow + `","half_day":"am"}`, "à l'avance", 400},
		{`{"class_id":"` + ce1 + `","date":"hier","half_day":"am"}`, "AAAA-MM-JJ", 400},
		{`{"class_id":"` + ce1 + `","date":"` + today() + `","half_day":"soir"}`, "am ou pm", 400},
		{`{"class_id":"` + cm2 + `","date":"` + today() + `","half_day":"am"}`, "vos classes", 403},
		{`{"class_id":"` + ce1 + `","date":"` + today() + `","half_day":"am","absent":["` + cm2Pupils[0].ID + `"]}`, "pas dans cette classe", 404},
		{`{"class_id":"nulle-part","date":"` + today() + `","half_day":"am"}`, "n'existe pas", 404},
	} {
		resp, body := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/attendance", "application/json", c.body)
		if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d %q", c.body, resp.StatusCode, body, c.status, c.want)
		}
	}
	lea := a.User("eleve")
	for _, c := range []struct {
		body, want string
		status     int
	}{
		{`{"pupil_id":"` + lea.ID + `","date":"2020-01-06","reason":"illness"}`, "passé", 400},
		{`{"pupil_id":"` + lea.ID + `","date":"` + tomorrow + `","reason":"flemme"}`, "motif inconnu", 400},
		{`{"pupil_id":"` + cm2Pupils[1].ID + `","date":"` + tomorrow + `","reason":"illness"}`, "pas rattaché", 404},
	} {
		resp, body := a.Do(a.ClientAs("parent"), "POST", "/api/v1/absences", "application/json", c.body)
		if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d %q", c.body, resp.StatusCode, body, c.status, c.want)
		}
	}
	if n := count(); n != before {
		t.Errorf("refusals wrote %d rows", n-before)
	}
	// Another family's child's absence: not theirs to see or justify.
	var other absence
	for _, ab := range absences(t, a, "parent") {
		other = ab // the demo's: Léa's
	}
	var otherParent string
	a.DB.Reader().QueryRow(`SELECT u.login FROM guardians g JOIN users u ON u.id = g.parent_id WHERE g.deleted = 0 AND g.child_id = ?`,
		cm2Pupils[1].ID).Scan(&otherParent)
	if resp, _ := a.Do(a.ClientAs(otherParent), "POST", "/api/v1/absences/"+other.ID+"/justify", "application/json",
		`{"reason":"illness"}`); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another family justifies: %d", resp.StatusCode)
	}
	for _, ab := range absences(t, a, otherParent) {
		if ab.ID == other.ID {
			t.Error("another family sees Léa's absence")
		}
	}
	// A teacher of another class does not see it either.
	for _, ab := range absences(t, a, "isabelle.mercier") {
		if ab.ID == other.ID {
			t.Error("CM2's teacher sees a CE1 absence")
		}
	}
}

// A parent announces an absence beforehand: the register that day finds
// it justified, and keeps it so when the pupil is marked absent.
func TestAnnouncedAbsence(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	lea := a.User("eleve")
	resp, body := a.Do(a.ClientAs("parent"), "POST", "/api/v1/absences", "application/json",
		`{"pupil_id":"`+lea.ID+`","date":"`+today()+`","reason":"family","comment":"Mariage"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("announce: %d %s", resp.StatusCode, body)
	}
	n := 0
	for _, ab := range absences(t, a, "enseignant") {
		if ab.PupilID == lea.ID && ab.Date == today() {
			n++
			if !ab.Announced || !ab.Justified {
				t.Errorf("announced: %+v", ab)
			}
		}
	}
	if n != 2 {
		t.Fatalf("%d half-days announced, want the whole day", n)
	}
	resp, _ = a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/attendance", "application/json",
		`{"class_id":"`+a.ClassID("CE1")+`","date":"`+today()+`","half_day":"am","absent":["`+lea.ID+`"]}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatal(resp.StatusCode)
	}
	for _, ab := range absences(t, a, "parent") {
		if ab.PupilID == lea.ID && ab.Date == today() && ab.HalfDay == "am" && (!ab.Justified || ab.Reason != "family") {
			t.Errorf("the register lost the announcement: %+v", ab)
		}
	}
}
