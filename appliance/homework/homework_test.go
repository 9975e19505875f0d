package homework_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
)

func day(n int) string { return time.Now().AddDate(0, 0, n).Format("2006-01-02") }

type entry struct {
	ID      string `json:"id"`
	ClassID string `json:"class_id"`
	Due     string `json:"due"`
	Title   string `json:"title"`
	PupilID string `json:"pupil_id"`
	Done    *bool  `json:"done"`
	Ticks   *int   `json:"ticks"`
	Files   []struct{ Name, URL string }
}

func list(t *testing.T, a *apptest.App, login string) []entry {
	t.Helper()
	resp, body := a.Get(a.ClientAs(login), "/api/v1/homework")
	if resp.StatusCode != 200 {
		t.Fatalf("GET homework as %s: %d %s", login, resp.StatusCode, body)
	}
	var out []entry
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The whole round: the teacher writes, the pupil sees and ticks, the
// parent follows (tomorrow's first), the teacher counts the ticks.
func TestTeacherWritesPupilTicksParentFollows(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	body := `{"class_id":"` + ce1 + `","due":"` + day(5) + `","title":"Compter jusqu'à 100","body":"De 10 en 10."}`
	resp, out := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/homework", "application/json", body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, out)
	}
	var created struct{ ID string }
	json.Unmarshal([]byte(out), &created)

	pupil := list(t, a, "eleve")
	if len(pupil) != 4 || pupil[len(pupil)-1].ID != created.ID || *pupil[0].Done {
		t.Fatalf("pupil sees %+v", pupil)
	}
	if resp, _ := a.Do(a.ClientAs("eleve"), "POST", "/api/v1/homework/"+created.ID+"/done", "", ""); resp.StatusCode != 200 {
		t.Fatalf("tick: %d", resp.StatusCode)
	}
	for _, e := range list(t, a, "eleve") {
		if e.ID == created.ID && !*e.Done {
			t.Error("the tick did not stick")
		}
	}
	parent := list(t, a, "parent")
	var lea []entry
	for _, e := range parent {
		if e.PupilID == a.User("eleve").ID {
			lea = append(lea, e)
		}
	}
	if len(lea) != 4 || lea[0].Due != day(1) || !*lea[len(lea)-1].Done {
		t.Errorf("parent sees for Léa %+v", lea)
	}
	for _, e := range list(t, a, "enseignant") {
		if e.ID == created.ID && (e.Ticks == nil || *e.Ticks != 1) {
			t.Errorf("teacher's count: %+v", e)
		}
	}
	_, page := a.Get(a.ClientAs("enseignant"), "/devoirs")
	if !strings.Contains(page, "fait par 1 / 6") {
		t.Error("the teacher's page does not say how many ticked")
	}
	_, page = a.Get(a.ClientAs("parent"), "/devoirs?enfant="+a.User("eleve").ID)
	if !strings.Contains(page, "Pour demain") || !strings.Contains(page, "l&#39;a fait") {
		t.Errorf("the parent's page lacks tomorrow's or the tick")
	}
}

// Bad input is refused with a reason and writes nothing; nobody writes or
// ticks what is not theirs.
func TestRefusals(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, cm2 := a.ClassID("CE1"), a.ClassID("CM2")
	before := len(list(t, a, "directeur"))
	teacher := a.ClientAs("enseignant")
	for _, c := range []struct {
		body, want string
		status     int
	}{
		{`{"class_id":"` + ce1 + `","due":"` + day(-1) + `","title":"Lire"}`, "déjà passée", 400},
		{`{"class_id":"` + ce1 + `","due":"` + day(1) + `","title":"  "}`, "indiquez le travail", 400},
		{`{"class_id":"` + ce1 + `","due":"demain","title":"Lire"}`, "AAAA-MM-JJ", 400},
		{`{"class_id":"` + cm2 + `","due":"` + day(1) + `","title":"Lire"}`, "vos classes", 403},
		{`{"class_id":"nulle-part","due":"` + day(1) + `","title":"Lire"}`, "n'existe pas", 404},
		{`{"class_id":"` + ce1 + `","due":"` + day(1) + `","title":"` + strings.Repeat("x", 201) + `"}`, "ne doit pas dépasser 200", 400},
	} {
		resp, body := a.Do(teacher, "POST", "/api/v1/homework", "application/json", c.body)
		if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d %q", c.body, resp.StatusCode, body, c.status, c.want)
		}
	}
	// The same refusal said in Arabic to a teacher whose browser asks for it.
	req, _ := http.NewRequest("POST", a.URL+"/api/v1/homework", strings.NewReader(`{"class_id":"`+ce1+`","due":"`+day(-1)+`","title":"Lire"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "ar")
	req.Header.Set("Authorization", "Bearer "+a.Token("enseignant"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var e struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if e.Error != "تاريخ التسليم قد مضى" {
		t.Errorf("Arabic refusal: %q", e.Error)
	}
	if n := len(list(t, a, "directeur")); n != before {
		t.Errorf("refusals wrote %d entries", n-before)
	}
	// Another teacher (CM2) cannot edit or delete the CE1 teacher's page; the
	// director can.
	id := list(t, a, "eleve")[0].ID
	other := a.ClientAs("helene.roux")
	if resp, _ := a.PostForm(other, "/devoirs/"+id+"/supprimer", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another teacher deletes: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(a.ClientAs("directeur"), "/devoirs/"+id+"/supprimer", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the director deletes: %d", resp.StatusCode)
	}
	if n := len(list(t, a, "eleve")); n != 2 {
		t.Errorf("after the director's deletion the pupil sees %d", n)
	}
	// A parent cannot tick; a pupil cannot tick another class's page.
	if resp, _ := a.Do(a.ClientAs("parent"), "POST", "/api/v1/homework/"+list(t, a, "eleve")[0].ID+"/done", "", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a parent ticks: %d", resp.StatusCode)
	}
}

// multipartEntry is a form of the teacher's page with files.
func multipartEntry(t *testing.T, fields map[string]string, files map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, content := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="fichiers"; filename="`+name+`"`)
		h.Set("Content-Type", "text/plain")
		p, _ := w.CreatePart(h)
		p.Write([]byte(content))
	}
	w.Close()
	return w.FormDataContentType(), &b
}

// Files travel with a page: sent with the form, listed for the pupil and
// the parent, downloaded as attachments, and refused empty, with nothing
// written.
func TestFilesOfAnEntry(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	fields := map[string]string{"classe": ce1, "pour": day(2), "titre": "Fiche de calcul"}
	ctype, body := multipartEntry(t, fields, map[string]string{"fiche.txt": "2 + 2 = ?", "corrige.txt": "4"})
	resp, out := a.Do(a.ClientAs("enseignant"), "POST", "/devoirs", ctype, body.String())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create with files: %d %.300s", resp.StatusCode, out)
	}
	var files []struct{ Name, URL string }
	for _, e := range list(t, a, "eleve") {
		if e.Title == "Fiche de calcul" {
			files = e.Files
		}
	}
	if len(files) != 2 || files[0].Name != "corrige.txt" {
		t.Fatalf("files listed: %+v", files)
	}
	resp, content := a.Get(a.ClientAs("parent"), files[1].URL)
	if resp.StatusCode != 200 || content != "2 + 2 = ?" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("the parent downloads: %d %q %q", resp.StatusCode, content, resp.Header.Get("Content-Disposition"))
	}
	if resp, _ := a.Get(a.ClientAs("helene.roux"), files[1].URL); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another class's teacher downloads: %d", resp.StatusCode)
	}
	// An empty file: refused with its name, no page written.
	before := len(list(t, a, "eleve"))
	ctype, body = multipartEntry(t, map[string]string{"classe": ce1, "pour": day(2), "titre": "Vide"}, map[string]string{"vide.txt": ""})
	resp, out = a.Do(a.ClientAs("enseignant"), "POST", "/devoirs", ctype, body.String())
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, "« vide.txt » est vide") {
		t.Errorf("empty file: %d", resp.StatusCode)
	}
	if n := len(list(t, a, "eleve")); n != before {
		t.Errorf("an entry was written with its refused file")
	}
}
