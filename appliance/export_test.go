package appliance_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"preau/appliance"
	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/i18n"
)

// exported is an export opened: each file of the zip by its path.
type exported map[string][]byte

// download asks path as c and opens the zip it answers.
func download(t *testing.T, a *apptest.App, c *http.Client, path string) exported {
	t.Helper()
	resp, body := a.Get(c, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: %.300s", path, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/zip" {
		t.Errorf("%s: Content-Type %q, want application/zip", path, ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".zip") {
		t.Errorf("%s: Content-Disposition %q, want an attachment named .zip", path, cd)
	}
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("%s: not a zip: %v", path, err)
	}
	out := exported{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %s: %v", path, f.Name, err)
		}
		out[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	return out
}

// rows reads a JSON part of the export.
func (x exported) rows(t *testing.T, name string) []map[string]any {
	t.Helper()
	b, ok := x[name]
	if !ok {
		t.Fatalf("no %s in the export; it holds %v", name, x.names())
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

// has reports whether a part holds a row whose column col is v.
func (x exported) has(t *testing.T, name, col string, v any) bool {
	return slices.ContainsFunc(x.rows(t, name), func(r map[string]any) bool { return r[col] == v })
}

func (x exported) names() []string {
	var out []string
	for n := range x {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// holds reports whether any file of the export contains s.
func (x exported) holds(s string) bool {
	for _, b := range x {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// call sends JSON as c and decodes the answer, failing on another status.
func call(t *testing.T, a *apptest.App, c *http.Client, method, path string, in any, want int) map[string]any {
	t.Helper()
	b, _ := json.Marshal(in)
	resp, body := a.Do(c, method, path, "application/json", string(b))
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %.300s", method, path, resp.StatusCode, want, body)
	}
	var out map[string]any
	json.Unmarshal([]byte(body), &out)
	return out
}

// A pupil, a parent and a teacher write through the features' API, then
// each downloads their export: everything they wrote and what is about
// them is there, nothing of another family is.
func TestExportHoldsWhatEachWrote(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ctx := t.Context()
	pupil, parent, teacher := a.User("eleve"), a.User("parent"), a.User("enseignant")
	classes, err := a.Register.UserClasses(ctx, pupil.ID)
	if err != nil || len(classes) == 0 {
		t.Fatalf("the pupil's class: %v", err)
	}
	class := classes[0].ID
	children, _ := a.Register.Children(ctx, parent.ID)
	pupils, _ := a.Register.ClassPupils(ctx, class)
	var other auth.User // a classmate of another family
	for _, p := range pupils {
		if p.ID != pupil.ID && !slices.ContainsFunc(children, func(c auth.User) bool { return c.ID == p.ID }) {
			other = p
			break
		}
	}
	if other.ID == "" {
		t.Fatal("the demo class has no pupil of another family")
	}
	asPupil, asParent, asTeacher := a.ClientAs("eleve"), a.ClientAs("parent"), a.ClientAs("enseignant")
	today := time.Now().In(feature.Zone)

	hw := call(t, a, asTeacher, "POST", "/api/v1/homework", map[string]any{"class_id": class,
		"due": today.AddDate(0, 0, 7).Format("2006-01-02"), "title": "Exposé sur les hérissons"}, http.StatusCreated)["id"].(string)
	call(t, a, asPupil, "POST", "/api/v1/homework/"+hw+"/done", map[string]any{"done": true}, http.StatusOK)
	mine := call(t, a, asTeacher, "POST", "/api/v1/liaison", map[string]any{"class_id": class, "title": "Mot pour la famille de Léa",
		"body": "Léa a oublié son cahier.", "pupil_ids": []string{pupil.ID}, "signature": true}, http.StatusCreated)["id"].(string)
	call(t, a, asTeacher, "POST", "/api/v1/liaison", map[string]any{"class_id": class, "title": "Mot pour une autre famille",
		"body": "Rien pour Léa.", "pupil_ids": []string{other.ID}, "signature": true}, http.StatusCreated)
	call(t, a, asParent, "POST", "/api/v1/liaison/"+mine+"/ack", map[string]any{"pupil_id": pupil.ID}, http.StatusOK)
	day := today.Format("2006-01-02")
	call(t, a, asTeacher, "POST", "/api/v1/attendance", map[string]any{"class_id": class, "date": day, "half_day": "am",
		"absent": []string{pupil.ID, other.ID}}, http.StatusOK)
	var absence, otherAbsence string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM absences WHERE deleted = 0 AND pupil_id = ? AND day = ? AND half_day = 'am'",
		pupil.ID, day).Scan(&absence); err != nil {
		t.Fatalf("the pupil's absence: %v", err)
	}
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM absences WHERE deleted = 0 AND pupil_id = ? AND day = ? AND half_day = 'am'",
		other.ID, day).Scan(&otherAbsence); err != nil {
		t.Fatalf("the other pupil's absence: %v", err)
	}
	call(t, a, asParent, "POST", "/api/v1/absences/"+absence+"/justify", map[string]any{"reason": "illness", "comment": "Fièvre de Léa"}, http.StatusOK)
	mail := call(t, a, asParent, "POST", "/api/v1/mail/messages", map[string]any{"to": []string{teacher.ID},
		"subject": "Question sur les hérissons", "text": "Faut-il des photos ?"}, http.StatusCreated)["id"].(string)
	forum, _, _, _ := forumFixture(t, a, class)
	thread := call(t, a, asPupil, "POST", "/api/v1/forums/"+forum+"/threads", map[string]any{"title": "Mon hérisson",
		"body": "Il s'appelle Piquant."}, http.StatusCreated)["id"].(string)
	doc := []byte("Fiche des hérissons, version du maître.\n")
	uploadDocument(t, a, asTeacher, class, "Sciences", "herissons.txt", doc)

	t.Run("pupil", func(t *testing.T) {
		x := download(t, a, asPupil, "/api/v1/me/export")
		if !x.has(t, "roster/account.json", "login", "eleve") || !x.has(t, "roster/classes.json", "id", class) {
			t.Error("the pupil's account and class are not in their export")
		}
		if !x.has(t, "homework/ticked.json", "homework_id", hw) {
			t.Error("the homework the pupil ticked is not in their export")
		}
		if !x.has(t, "liaison/received.json", "id", mine) || x.holds("Mot pour une autre famille") {
			t.Error("the pupil's export should hold the note about them and not another pupil's")
		}
		if !x.has(t, "attendance/absences.json", "id", absence) || x.holds(otherAbsence) {
			t.Error("the pupil's export should hold their absence and not their classmate's")
		}
		if !x.has(t, "forum/threads.json", "id", thread) || !x.holds("Il s'appelle Piquant.") {
			t.Error("the pupil's forum thread and post are not in their export")
		}
		readme := string(x["README.txt"])
		if !strings.Contains(readme, "forum/") || !strings.Contains(readme, "Léa") {
			t.Errorf("the README does not name the person and their folders:\n%s", readme)
		}
	})
	t.Run("parent", func(t *testing.T) {
		x := download(t, a, asParent, "/api/v1/me/export")
		if !x.has(t, "liaison/acknowledgements.json", "note_id", mine) {
			t.Error("the parent's acknowledgement is not in their export")
		}
		if !x.has(t, "attendance/absences.json", "comment", "Fièvre de Léa") || x.holds(otherAbsence) {
			t.Error("the parent's export should hold the absence they justified, and not another family's")
		}
		if !x.has(t, "mail/messages.json", "id", mail) {
			t.Fatal("the parent's sent message is not in the index of their mailbox")
		}
		if eml := x["mail/messages/"+mail+".eml"]; !bytes.Contains(eml, []byte("Faut-il des photos ?")) {
			t.Errorf("the parent's message is not in its .eml file:\n%s", eml)
		}
		if x.holds("Mot pour une autre famille") {
			t.Error("another family's liaison note is in the parent's export")
		}
		notes := x.rows(t, "notifications/notifications.json")
		if len(notes) == 0 {
			t.Error("the parent was told of the absence, yet their export holds no notification")
		}
		for _, n := range notes {
			if title, _ := n["title"].(string); !strings.Contains(title, " ") {
				t.Errorf("a notification's title is not a sentence for people: %q", title)
			}
		}
	})
	t.Run("teacher", func(t *testing.T) {
		x := download(t, a, asTeacher, "/api/v1/me/export")
		if !x.has(t, "homework/written.json", "id", hw) || !x.has(t, "liaison/written.json", "id", mine) {
			t.Error("the teacher's homework and note are not in their export")
		}
		if !x.has(t, "attendance/registers.json", "day", day) {
			t.Error("the register the teacher took is not in their export")
		}
		if !bytes.Equal(x["documents/files/Sciences/herissons.txt"], doc) {
			t.Errorf("the teacher's document is not in their export as it was sent; it holds %v", x.names())
		}
		if !x.has(t, "mail/messages.json", "subject", "Question sur les hérissons") {
			t.Error("the message the teacher received is not in their export")
		}
		if x.holds("Fièvre de Léa") {
			t.Error("a family's justification is in the teacher's export: it is about the child, not the teacher")
		}
	})
	t.Run("no secret", func(t *testing.T) {
		tok := a.Token("parent")
		c := a.Client()
		req, _ := http.NewRequest(http.MethodGet, a.URL+"/api/v1/me/export", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("bearer export: %v", err)
		}
		for _, f := range zr.File {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			r.Close()
			for _, secret := range []string{"password_hash", "picture_hash", "qr_hash", "token", tok, "$argon2"} {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("%s holds %q", f.Name, secret)
				}
			}
		}
	})
}

// uploadDocument shares a file with a class as c.
func uploadDocument(t *testing.T, a *apptest.App, c *http.Client, class, folder, name string, content []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("class_id", class)
	mw.WriteField("folder", folder)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	resp, body := a.Do(c, http.MethodPost, "/api/v1/documents", mw.FormDataContentType(), b.String())
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload %s: status %d: %.300s", name, resp.StatusCode, body)
	}
}

// A director exports the accounts of their school only; an id that is not
// one is refused, and nothing is recorded.
func TestExportRefusals(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ctx := t.Context()
	pupil := a.User("eleve")
	if err := a.Register.CreateSchool(ctx, "ecole-voisine", "École voisine"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "directrice.voisine", Display: "Directrice voisine", Profile: auth.Director,
		SchoolID: "ecole-voisine", Password: "demo-demo-demo"}); err != nil {
		t.Fatal(err)
	}
	audited := func() int {
		var n int
		a.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM audit_entries WHERE action = 'export.user'").Scan(&n)
		return n
	}
	before := audited()
	for _, c := range []struct {
		who, path string
		want      int
	}{
		{"directrice.voisine", "/api/v1/users/" + pupil.ID + "/export", http.StatusForbidden},
		{"directeur", "/api/v1/users/pas-un-identifiant/export", http.StatusBadRequest},
		{"directeur", "/api/v1/users/01930000-0000-7000-8000-000000000000/export", http.StatusNotFound},
		{"parent", "/api/v1/users/" + pupil.ID + "/export", http.StatusForbidden},
	} {
		resp, body := a.Get(a.ClientAs(c.who), c.path)
		if resp.StatusCode != c.want {
			t.Errorf("%s as %s: status %d, want %d", c.path, c.who, resp.StatusCode, c.want)
		}
		var e struct{ Error string }
		if json.Unmarshal([]byte(body), &e); e.Error == "" {
			t.Errorf("%s as %s: no error said: %.200s", c.path, c.who, body)
		}
	}
	if n := audited(); n != before {
		t.Errorf("refused exports were recorded: %d entries, want %d", n, before)
	}
	x := download(t, a, a.ClientAs("directeur"), "/api/v1/users/"+pupil.ID+"/export")
	if !x.has(t, "roster/account.json", "login", "eleve") {
		t.Error("the director's export of a pupil is not the pupil's")
	}
	var target string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT target FROM audit_entries WHERE action = 'export.user' ORDER BY at DESC LIMIT 1").
		Scan(&target); err != nil || target != "eleve" {
		t.Errorf("the director's export is not in the audit log: %q, %v", target, err)
	}
}

// A file whose row is here but whose content has not arrived (it follows
// its row by sync) is named in the README, and the rest of the export is
// whole.
func TestExportNamesMissingFiles(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ctx := t.Context()
	teacher := a.ClientAs("enseignant")
	class := a.ClassID("CE1")
	uploadDocument(t, a, teacher, class, "", "absent.txt", []byte("Ce fichier n'est pas encore arrivé.\n"))
	uploadDocument(t, a, teacher, class, "", "present.txt", []byte("Celui-ci est là.\n"))
	var hash string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT blob FROM documents WHERE deleted = 0 AND name = 'absent.txt'").Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Blobs().Remove(hash); err != nil {
		t.Fatal(err)
	}
	x := download(t, a, teacher, "/api/v1/me/export")
	if _, ok := x["documents/files/absent.txt"]; ok {
		t.Error("a file that is not here is in the zip")
	}
	if string(x["documents/files/present.txt"]) != "Celui-ci est là.\n" {
		t.Error("the file that is here is not in the zip")
	}
	if !strings.Contains(string(x["README.txt"]), "documents/files/absent.txt") {
		t.Errorf("the README does not name the missing file:\n%s", x["README.txt"])
	}
}

// On central the DSI exports anyone's data from the accounts pages.
func TestExportByTheDSIOnCentral(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	dsi := a.ClientAs("dsi")
	users, err := a.Auth.AllUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var someone auth.User
	for _, u := range users {
		if u.Profile != auth.DSI {
			someone = u
			break
		}
	}
	if someone.ID == "" {
		t.Fatal("central's demo has no account but the DSI's")
	}
	resp, page := a.Get(dsi, "/comptes/"+someone.ID)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `href="/api/v1/users/`+someone.ID+`/export"`) {
		t.Errorf("the DSI's page of %s: status %d, no export link", someone.Login, resp.StatusCode)
	}
	x := download(t, a, dsi, "/api/v1/users/"+someone.ID+"/export")
	if !x.has(t, "roster/account.json", "login", someone.Login) {
		t.Errorf("the DSI's export of %s is not theirs", someone.Login)
	}
}

// Every feature that exports has its folder said in the README, in every
// language: a folder a person cannot tell the purpose of is no answer to
// their right of access.
func TestExportFoldersAreSaid(t *testing.T) {
	for _, f := range appliance.Features {
		if f.Personal.Export == nil {
			continue
		}
		for _, lang := range i18n.Langs {
			if !i18n.Default().Has(lang, "export.folder."+f.Name) {
				t.Errorf("no export.folder.%s in %s: the README cannot say what the %s/ folder holds", f.Name, lang, f.Name)
			}
		}
	}
}
