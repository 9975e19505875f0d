package documents_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	_ "image/jpeg"

	"preau/appliance/apptest"
)

type doc struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	Folder  string `json:"folder"`
	ClassID string `json:"class_id"`
}

// upload sends one file through the API as login, fields first.
func upload(t *testing.T, a *apptest.App, login, classID, folder, name string, content []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("class_id", classID)
	w.WriteField("folder", folder)
	part, _ := w.CreateFormFile("file", name)
	part.Write(content)
	w.Close()
	return a.Do(a.ClientAs(login), "POST", "/api/v1/documents", w.FormDataContentType(), body.String())
}

func list(t *testing.T, a *apptest.App, login, classID string) []doc {
	t.Helper()
	resp, body := a.Get(a.ClientAs(login), "/api/v1/documents?class_id="+classID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list as %s: %d %s", login, resp.StatusCode, body)
	}
	var out []doc
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, a *apptest.App) int {
	var n int
	if err := a.DB.Reader().QueryRowContext(context.Background(), "SELECT count(*) FROM documents").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The teacher shares a file; the pupil and the parent see and download
// it; the same file sent again is the same document; the file is stored
// once for two classes.
func TestTeacherSharesPupilAndParentDownload(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	content := []byte("Les fractions : un demi, un tiers, un quart.\n")
	resp, body := upload(t, a, "enseignant", ce1, "Mathématiques", "fractions.txt", content)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	var created doc
	json.Unmarshal([]byte(body), &created)
	sum := sha256.Sum256(content)
	if created.SHA256 != hex.EncodeToString(sum[:]) || created.Size != int64(len(content)) || created.ID == "" {
		t.Fatalf("created %+v", created)
	}
	before := count(t, a)
	resp, body = upload(t, a, "enseignant", ce1, "Mathématiques", "fractions.txt", content)
	var again doc
	json.Unmarshal([]byte(body), &again)
	if resp.StatusCode != http.StatusOK || again.ID != created.ID || count(t, a) != before {
		t.Fatalf("sent again: %d %s, %d rows (were %d)", resp.StatusCode, body, count(t, a), before)
	}
	for _, login := range []string{"eleve", "parent"} {
		found := false
		for _, d := range list(t, a, login, ce1) {
			found = found || d.ID == created.ID && d.Folder == "Mathématiques"
		}
		if !found {
			t.Errorf("%s does not see the document", login)
		}
		resp, got := a.Get(a.ClientAs(login), "/api/v1/documents/"+created.ID+"/content")
		if resp.StatusCode != http.StatusOK || got != string(content) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s downloads: %d %q %s", login, resp.StatusCode, got, resp.Header.Get("Content-Type"))
		}
	}
	// The director shares it with CM2 too: a second row, one file.
	resp, _ = a.PostForm(a.ClientAs("directeur"), "/documents/"+created.ID+"/copier", map[string][]string{"classe": {a.ClassID("CM2")}})
	if resp.StatusCode != http.StatusSeeOther || len(list(t, a, "directeur", a.ClassID("CM2"))) != 1 {
		t.Fatalf("copy: %d", resp.StatusCode)
	}
	var usage struct {
		Size  int64 `json:"size"`
		Files int   `json:"files"`
	}
	resp, body = a.Get(a.ClientAs("directeur"), "/api/v1/documents/usage")
	json.Unmarshal([]byte(body), &usage)
	var files int
	a.DB.Reader().QueryRowContext(context.Background(), "SELECT count(DISTINCT blob) FROM documents WHERE deleted = 0").Scan(&files)
	if resp.StatusCode != http.StatusOK || usage.Files != files {
		t.Errorf("usage: %d %s, want %d files", resp.StatusCode, body, files)
	}
}

// Bad uploads are refused with a reason, and nothing is written.
func TestBadUploadsWriteNothing(t *testing.T) {
	a := apptest.New(t, apptest.Options{Config: map[string]string{"documents.max_file_size": "2KB", "documents.user_quota": "3KB"}})
	ce1 := a.ClassID("CE1")
	before := count(t, a)
	for _, c := range []struct {
		name, class, folder, file string
		content                   []byte
		status                    int
		says                      string
	}{
		{"empty", ce1, "", "vide.txt", nil, http.StatusBadRequest, "vide"},
		{"over the limit", ce1, "", "gros.txt", bytes.Repeat([]byte("a"), 3<<10), http.StatusRequestEntityTooLarge, "2 Ko au plus"},
		{"forged class", "00000000-0000-0000-0000-000000000000", "", "x.txt", []byte("x"), http.StatusNotFound, "classe"},
		{"another's class", a.ClassID("CM2"), "", "x.txt", []byte("x"), http.StatusForbidden, "vos classes"},
		{"a path as folder", ce1, "a/b", "x.txt", []byte("x"), http.StatusBadRequest, "dossier"},
	} {
		resp, body := upload(t, a, "enseignant", c.class, c.folder, c.file, c.content)
		if resp.StatusCode != c.status || !strings.Contains(body, c.says) {
			t.Errorf("%s: %d %s, want %d saying %q", c.name, resp.StatusCode, body, c.status, c.says)
		}
	}
	if n := count(t, a); n != before {
		t.Fatalf("refused uploads wrote %d rows", n-before)
	}
	// Over the quota: what is left is said.
	upload(t, a, "enseignant", ce1, "", "un.txt", bytes.Repeat([]byte("1"), 1800))
	resp, body := upload(t, a, "enseignant", ce1, "", "deux.txt", bytes.Repeat([]byte("2"), 1800))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "il reste") {
		t.Errorf("over quota: %d %s", resp.StatusCode, body)
	}
	// A name that is a path keeps its last element.
	resp, body = upload(t, a, "enseignant", ce1, "", "../../x.txt", []byte("x"))
	var d doc
	json.Unmarshal([]byte(body), &d)
	if resp.StatusCode != http.StatusCreated || d.ID == "" {
		t.Fatalf("path name: %d %s", resp.StatusCode, body)
	}
	for _, got := range list(t, a, "enseignant", ce1) {
		if got.ID == d.ID && got.Name != "x.txt" {
			t.Errorf("a path kept as a name: %q", got.Name)
		}
	}
}

// A pupil never downloads another class's document, by id or by hash; a
// teacher does not delete another's.
func TestDocumentsStayInTheirClass(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	resp, body := upload(t, a, "directeur", a.ClassID("CM2"), "", "cm2.txt", []byte("pour les CM2"))
	var d doc
	json.Unmarshal([]byte(body), &d)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/api/v1/documents/" + d.ID + "/content", "/documents/" + d.ID + "/fichier", "/api/v1/documents/" + d.SHA256 + "/content"} {
		if resp, _ := a.Get(a.ClientAs("eleve"), path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("pupil of CE1 GET %s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := a.Get(a.ClientAs("eleve"), "/api/v1/documents?class_id="+a.ClassID("CM2")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("pupil lists CM2: %d", resp.StatusCode)
	}
	resp, body = upload(t, a, "directeur", a.ClassID("CE1"), "", "ce1.txt", []byte("pour les CE1"))
	json.Unmarshal([]byte(body), &d)
	if resp, _ := a.Do(a.ClientAs("enseignant"), "DELETE", "/api/v1/documents/"+d.ID, "", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("teacher deletes the director's document: %d", resp.StatusCode)
	}
}

// What a browser could run is saved, never shown; a picture is shown and
// gets a thumbnail.
func TestTypesAndThumbnails(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	for _, c := range []struct {
		name, content, disposition string
	}{
		{"page.html", "<html><script>alert(1)</script></html>", "attachment"},
		{"dessin.svg", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, "attachment"},
		{"script.js", "alert(1)", "attachment"},
		{"cours.pdf", "%PDF-1.4\n%âãÏÓ\n", "inline"},
	} {
		_, body := upload(t, a, "enseignant", ce1, "", c.name, []byte(c.content))
		var d doc
		json.Unmarshal([]byte(body), &d)
		resp, _ := a.Get(a.ClientAs("eleve"), "/api/v1/documents/"+d.ID+"/content")
		if got := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(got, c.disposition) {
			t.Errorf("%s: Content-Disposition %q (type %s), want %s", c.name, got, resp.Header.Get("Content-Type"), c.disposition)
		}
		// Saved as bytes: the type it was sent with is not repeated.
		if got := resp.Header.Get("Content-Type"); c.disposition == "attachment" && got != "application/octet-stream" {
			t.Errorf("%s: saved as %q, want application/octet-stream", c.name, got)
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, 1200, 600))
	for x := range 1200 {
		img.Set(x, 300, color.Black)
	}
	var pic bytes.Buffer
	png.Encode(&pic, img)
	_, body := upload(t, a, "enseignant", ce1, "", "photo.png", pic.Bytes())
	var d doc
	json.Unmarshal([]byte(body), &d)
	resp, thumb := a.Get(a.ClientAs("parent"), "/documents/"+d.ID+"/vignette")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("thumbnail: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	cfg, format, err := image.DecodeConfig(strings.NewReader(thumb))
	if err != nil || format != "jpeg" || cfg.Width != 320 || cfg.Height != 160 {
		t.Errorf("thumbnail %s %dx%d: %v", format, cfg.Width, cfg.Height, err)
	}
}

// Without JavaScript, the page's form sends several files at once: each
// is shared, in the folder the form names.
func TestPageFormSharesSeveralFiles(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("classe", ce1)
	w.WriteField("dossier", "Histoire")
	for _, name := range []string{"gaulois.txt", "romains.txt"} {
		part, _ := w.CreateFormFile("fichiers", name)
		part.Write([]byte("Vercingétorix, " + name))
	}
	w.Close()
	resp, out := a.Do(a.ClientAs("enseignant"), "POST", "/documents", w.FormDataContentType(), body.String())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("form: %d %.300s", resp.StatusCode, out)
	}
	n := 0
	for _, d := range list(t, a, "eleve", ce1) {
		if d.Folder == "Histoire" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d documents in the folder, want 2", n)
	}
}
