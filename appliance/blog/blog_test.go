package blog_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/blog"
)

type post struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	HTML   string `json:"html"`
	Status string `json:"status"`
	Photos []struct {
		ID       string `json:"id"`
		URL      string `json:"url"`
		Original string `json:"original"`
	} `json:"photos"`
	Videos []struct {
		ID   string `json:"id"`
		URL  string `json:"url"`
		Type string `json:"type"`
	} `json:"videos"`
	Comments []struct {
		ID     string `json:"id"`
		Body   string `json:"body"`
		Status string `json:"status"`
	} `json:"comments"`
}

// picture is a JPEG w×h pixels.
func picture(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// webm is the start of a WebM file: what its type is read from.
var webm = append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2, 0x81, 0x04, 0x42, 0xF3,
	0x81, 0x08, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'}, bytes.Repeat([]byte{0}, 4000)...)

type file struct {
	name string
	data []byte
}

// multipartBody is a form with its fields and files under field.
func multipartBody(t *testing.T, fields url.Values, field string, files ...file) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	return mw.FormDataContentType(), b.String()
}

func getPost(t *testing.T, a *apptest.App, login, id string) (int, post) {
	t.Helper()
	resp, body := a.Get(a.ClientAs(login), "/api/v1/blog/"+id)
	var p post
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, p
}

func count(t *testing.T, a *apptest.App, table string) int {
	t.Helper()
	var n int
	if err := a.DB.Reader().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The teacher posts with photos and a video; the class's parent reads
// it, its photos sized for a phone and whole on demand, the video by
// ranges, and downloads the photos as a zip; a comment waits for the
// teacher, then shows.
func TestPostReadCommentDownload(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	big := picture(t, 2000, 1500)
	ctype, body := multipartBody(t, url.Values{"classe": {ce1}, "titre": {"Au musée"}, "texte": {"Nous avons vu des **dinosaures**."}}, "photos",
		file{"dino.jpg", big}, file{"squelette.jpg", picture(t, 300, 200)}, file{"film.webm", webm})
	resp, _ := a.Do(a.ClientAs("enseignant"), "POST", blog.Path, ctype, body)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("posting: %d", resp.StatusCode)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), blog.Path+"/")
	status, p := getPost(t, a, "parent", id)
	if status != http.StatusOK || len(p.Photos) != 2 || len(p.Videos) != 1 || !strings.Contains(p.HTML, "<strong>dinosaures</strong>") {
		t.Fatalf("the parent reads %d %+v", status, p)
	}
	parent := a.ClientAs("parent")
	resp, phone := a.Get(parent, p.Photos[0].URL)
	cfg, _, err := image.DecodeConfig(strings.NewReader(phone))
	if resp.StatusCode != http.StatusOK || err != nil || cfg.Width != 1280 || resp.Header.Get("Content-Type") != "image/jpeg" ||
		!strings.HasPrefix(resp.Header.Get("Cache-Control"), "private") {
		t.Fatalf("the phone's copy: %d %v %dx%d %v", resp.StatusCode, err, cfg.Width, cfg.Height, resp.Header)
	}
	if _, orig := a.Get(parent, p.Photos[0].Original); orig != string(big) {
		t.Fatal("the original is not the photo as taken")
	}
	req, _ := http.NewRequest("GET", a.URL+p.Videos[0].URL, nil)
	req.Header.Set("Range", "bytes=0-3")
	vr, err := parent.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	chunk, _ := io.ReadAll(vr.Body)
	vr.Body.Close()
	if vr.StatusCode != http.StatusPartialContent || vr.Header.Get("Content-Type") != "video/webm" || !bytes.Equal(chunk, webm[:4]) {
		t.Fatalf("the video by range: %d %q %x", vr.StatusCode, vr.Header.Get("Content-Type"), chunk)
	}
	resp, archive := a.Get(parent, blog.Path+"/"+id+"/photos.zip")
	zr, err := zip.NewReader(strings.NewReader(archive), int64(len(archive)))
	if resp.StatusCode != http.StatusOK || err != nil || len(zr.File) != 2 || zr.File[0].Name != "dino.jpg" {
		t.Fatalf("the archive: %d %v", resp.StatusCode, err)
	}
	if f, _ := zr.File[0].Open(); f != nil {
		got, _ := io.ReadAll(f)
		if !bytes.Equal(got, big) {
			t.Fatal("the archive's photo is not the original")
		}
	}

	// Comments: closed until the teacher opens them, then held.
	a.PostForm(a.ClientAs("enseignant"), blog.Path+"/reglages", url.Values{"classe": {ce1}})
	if resp, _ := a.Do(parent, "POST", "/api/v1/blog/"+id+"/comments", "application/json", `{"body":"Bravo"}`); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a comment where comments are closed: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(a.ClientAs("enseignant"), blog.Path+"/reglages", url.Values{"classe": {ce1}, "commentaires": {"1"}, "validation": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", resp.StatusCode)
	}
	resp, out := a.Do(parent, "POST", "/api/v1/blog/"+id+"/comments", "application/json", `{"body":"Bravo les enfants"}`)
	var c struct{ ID, Status string }
	json.Unmarshal([]byte(out), &c)
	if resp.StatusCode != http.StatusCreated || c.Status != blog.Pending {
		t.Fatalf("the parent's comment: %d %s", resp.StatusCode, out)
	}
	if _, p := getPost(t, a, "eleve", id); len(p.Comments) != 0 {
		t.Fatal("a held comment shows to the class")
	}
	if resp, _ := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/blog/comments/"+c.ID+"/approve", "", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("approving: %d", resp.StatusCode)
	}
	if _, p := getPost(t, a, "eleve", id); len(p.Comments) != 1 || p.Comments[0].Body != "Bravo les enfants" {
		t.Fatalf("the approved comment: %+v", p.Comments)
	}
	var notices int
	a.DB.Reader().QueryRow("SELECT count(*) FROM notifications WHERE user_id = ? AND url = ?", a.User("parent").ID, blog.Path+"/"+id).Scan(&notices)
	if notices != 1 {
		t.Fatalf("the parent was told %d times", notices)
	}
}

// Bad input is refused with a clear error and nothing is written: a file
// that is no photo, one too large, an empty post, a forged class.
func TestBadInputWritesNothing(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	teacher := a.ClientAs("enseignant")
	before := count(t, a, "blog_posts") + count(t, a, "blog_media")
	for _, tc := range []struct {
		name   string
		fields url.Values
		files  []file
		want   string
	}{
		{"a text file as photo", url.Values{"titre": {"Sortie"}}, []file{{"photo.jpg", []byte("ceci n'est pas une image")}}, "ni une photo"},
		{"a script as photo", url.Values{"titre": {"Sortie"}}, []file{{"x.png", []byte("<script>alert(1)</script>")}}, "ni une photo"},
		{"an oversized photo", url.Values{"titre": {"Sortie"}}, []file{{"big.jpg", append(picture(t, 10, 10), make([]byte, blog.MaxPhoto)...)}}, "dépasse"},
		{"an empty file", url.Values{"titre": {"Sortie"}}, []file{{"vide.jpg", nil}}, "vide"},
		{"an empty post", url.Values{"titre": {""}, "texte": {"  "}}, nil, "le billet est vide"},
		{"no title", url.Values{"texte": {"Bonjour"}}, nil, "indiquez un titre"},
	} {
		tc.fields.Set("classe", ce1)
		ctype, body := multipartBody(t, tc.fields, "photos", tc.files...)
		resp, page := a.Do(teacher, "POST", blog.Path, ctype, body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, tc.want) {
			t.Errorf("%s: %d, want 400 saying %q", tc.name, resp.StatusCode, tc.want)
		}
	}
	if resp, out := a.Do(teacher, "POST", "/api/v1/blog", "application/json", `{"class_id":"`+ce1+`","title":"","body":""}`); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(out, "vide") {
		t.Errorf("an empty post by the API: %d %s", resp.StatusCode, out)
	}
	if resp, _ := a.Do(teacher, "POST", "/api/v1/blog", "application/json", `{"class_id":"`+a.ClassID("CM2")+`","title":"Intrus","body":"x"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a post for another teacher's class: %d", resp.StatusCode)
	}
	if after := count(t, a, "blog_posts") + count(t, a, "blog_media"); after != before {
		t.Errorf("refused posts were written: %d → %d rows", before, after)
	}
}

// A pupil posts when the class allows it; the post waits for the
// teacher, unseen by the families, then is published.
func TestPupilPostHeld(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	pupil := a.ClientAs("eleve")
	if resp, _ := a.Do(pupil, "POST", "/api/v1/blog", "application/json", `{"class_id":"`+ce1+`","title":"Mon dessin","body":"Un chat"}`); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a pupil posts where the class does not allow it: %d", resp.StatusCode)
	}
	a.PostForm(a.ClientAs("enseignant"), blog.Path+"/reglages", url.Values{"classe": {ce1}, "eleves": {"1"}, "validation": {"1"}})
	resp, out := a.Do(pupil, "POST", "/api/v1/blog", "application/json", `{"class_id":"`+ce1+`","title":"Mon dessin","body":"Un chat"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("the pupil's post: %d %s", resp.StatusCode, out)
	}
	var created struct{ ID string }
	json.Unmarshal([]byte(out), &created)
	if status, _ := getPost(t, a, "parent", created.ID); status != http.StatusNotFound {
		t.Fatalf("a held post shows to a parent: %d", status)
	}
	if status, p := getPost(t, a, "eleve", created.ID); status != http.StatusOK || p.Status != blog.Pending {
		t.Fatalf("its author reads it: %d %q", status, p.Status)
	}
	if resp, _ := a.PostForm(a.ClientAs("enseignant"), blog.Path+"/"+created.ID+"/publier", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approving: %d", resp.StatusCode)
	}
	if status, p := getPost(t, a, "parent", created.ID); status != http.StatusOK || p.Status != blog.Published {
		t.Fatalf("the published post for the parent: %d %q", status, p.Status)
	}
	// By the page, with a drawing: held, whatever audience the form says.
	if resp, _ := a.Get(pupil, blog.Path+"/nouveau"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the pupil's form: %d", resp.StatusCode)
	}
	ctype, body := multipartBody(t, url.Values{"classe": {ce1}, "titre": {"Mon dessin"}, "pour": {"school"}}, "photos", file{"chat.jpg", picture(t, 60, 40)})
	resp, _ = a.Do(pupil, "POST", blog.Path, ctype, body)
	id := strings.TrimPrefix(resp.Header.Get("Location"), blog.Path+"/")
	if status, p := getPost(t, a, "eleve", id); resp.StatusCode != http.StatusSeeOther || status != http.StatusOK || p.Status != blog.Pending || len(p.Photos) != 1 {
		t.Fatalf("the pupil's post by the page: %d %d %+v", resp.StatusCode, status, p)
	}
	var audience string
	a.DB.Reader().QueryRow("SELECT audience FROM blog_posts WHERE id = ?", id).Scan(&audience)
	if audience != blog.Class {
		t.Fatalf("a pupil's post for %q", audience)
	}
}

// The search finds a published post for its class's families, not for
// another class's.
func TestSearchFindsPostsForTheClass(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	found := func(login string) bool {
		resp, out := a.Get(a.ClientAs(login), "/api/v1/search?q=ferme")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("search as %s: %d %s", login, resp.StatusCode, out)
		}
		return strings.Contains(out, `"kind":"blog"`) && strings.Contains(out, "Sortie à la ferme")
	}
	for login, want := range map[string]bool{"parent": true, "eleve": true, "enseignant": true, "nadia.bernard": false, "tom.martin": false, "helene.roux": false} {
		if got := found(login); got != want {
			t.Errorf("%s finds the CE1's post: %v, want %v", login, got, want)
		}
	}
}

// The teacher adds photos to a post from its page; a file that is no
// photo is refused there, and nothing is added.
func TestAddFilesFromThePage(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	teacher := a.ClientAs("enseignant")
	resp, out := a.Do(teacher, "POST", "/api/v1/blog", "application/json", `{"class_id":"`+a.ClassID("CE1")+`","title":"Kermesse","body":"Stands"}`)
	var created struct{ ID string }
	json.Unmarshal([]byte(out), &created)
	if resp.StatusCode != http.StatusCreated {
		t.Fatal(out)
	}
	ctype, body := multipartBody(t, nil, "photos", file{"stand.jpg", picture(t, 50, 50)}, file{"notes.txt", []byte("pas une photo")})
	if resp, page := a.Do(teacher, "POST", blog.Path+"/"+created.ID+"/photos", ctype, body); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(page, "notes.txt") {
		t.Fatalf("a text file among the photos: %d", resp.StatusCode)
	}
	if _, p := getPost(t, a, "parent", created.ID); len(p.Photos) != 0 {
		t.Fatal("a refused batch added photos")
	}
	ctype, body = multipartBody(t, nil, "photos", file{"stand.jpg", picture(t, 50, 50)})
	if resp, _ := a.Do(teacher, "POST", blog.Path+"/"+created.ID+"/photos", ctype, body); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding a photo: %d", resp.StatusCode)
	}
	if _, p := getPost(t, a, "parent", created.ID); len(p.Photos) != 1 {
		t.Fatalf("the parent sees %d photos", len(p.Photos))
	}
	if resp, _ := a.Do(a.ClientAs("eleve"), "POST", blog.Path+"/"+created.ID+"/photos", ctype, body); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a pupil adds to the teacher's post: %d", resp.StatusCode)
	}
}

// One photo comes off a post, the others staying, from the page or the
// API: a family refused their child's picture. The pupil reading it may
// not; a photo of another post is not this one's; its address then
// serves nothing.
func TestRemoveOnePhoto(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	teacher := a.ClientAs("enseignant")
	ctype, body := multipartBody(t, url.Values{"classe": {a.ClassID("CE1")}, "titre": {"Kermesse"}, "texte": {"Stands"}}, "photos",
		file{"a.jpg", picture(t, 40, 40)}, file{"b.jpg", picture(t, 41, 41)}, file{"c.jpg", picture(t, 42, 42)})
	if resp, page := a.Do(teacher, "POST", blog.Path, ctype, body); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %d %s", resp.StatusCode, page)
	}
	var id string
	a.DB.Reader().QueryRow("SELECT id FROM blog_posts WHERE title = 'Kermesse'").Scan(&id)
	_, p := getPost(t, a, "parent", id)
	if len(p.Photos) != 3 {
		t.Fatalf("%d photos", len(p.Photos))
	}
	first, second := p.Photos[0], p.Photos[1]
	if resp, _ := a.Do(a.ClientAs("eleve"), "POST", blog.Path+"/"+id+"/photos/"+first.ID+"/supprimer", "", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the pupil removes a photo: %d", resp.StatusCode)
	}
	var other string
	a.DB.Reader().QueryRow("SELECT id FROM blog_media WHERE post_id != ? AND deleted = 0 LIMIT 1", id).Scan(&other)
	if resp, _ := a.Do(teacher, "DELETE", "/api/v1/blog/"+id+"/photos/"+other, "", ""); other == "" || resp.StatusCode != http.StatusNotFound {
		t.Errorf("another post's photo %q through this one: %d", other, resp.StatusCode)
	}
	if resp, _ := a.Do(teacher, "POST", blog.Path+"/"+id+"/photos/"+first.ID+"/supprimer", "", ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove from the page: %d", resp.StatusCode)
	}
	if resp, _ := a.Do(teacher, "DELETE", "/api/v1/blog/"+id+"/photos/"+second.ID, "", ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("remove through the API: %d", resp.StatusCode)
	}
	if _, p = getPost(t, a, "parent", id); len(p.Photos) != 1 || p.Photos[0].ID == first.ID || p.Photos[0].ID == second.ID {
		t.Fatalf("left: %+v", p.Photos)
	}
	for _, gone := range []string{first.URL, second.URL} {
		if resp, _ := a.Get(a.ClientAs("parent"), gone); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a removed photo is still served at %s: %d", gone, resp.StatusCode)
		}
	}
	if resp, _ := a.Do(teacher, "DELETE", "/api/v1/blog/"+id+"/photos/"+first.ID, "", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("removing it twice: %d", resp.StatusCode)
	}
}

// A post's words change after it is out: the class's teacher fixes a
// typo by the page and shows it to the whole school by the API; a pupil
// changes their own post while it waits, not its audience, and not once
// published; a parent changes nothing. A refused change writes nothing.
func TestEditPost(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	teacher, pupil := a.ClientAs("enseignant"), a.ClientAs("eleve")
	resp, out := a.Do(teacher, "POST", "/api/v1/blog", "application/json", `{"class_id":"`+ce1+`","title":"Sortie au muse","body":"Nous avons vu des tableaux."}`)
	var created struct{ ID string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(out), &created) != nil {
		t.Fatalf("post: %d %s", resp.StatusCode, out)
	}
	id := created.ID

	if resp, page := a.Get(teacher, blog.Path+"/"+id); resp.StatusCode != http.StatusOK || !strings.Contains(page, `href="/cahier-de-vie/`+id+`/modifier"`) {
		t.Fatalf("the post's page offers no edit to its teacher: %d", resp.StatusCode)
	}
	if resp, form := a.Get(teacher, blog.Path+"/"+id+"/modifier"); resp.StatusCode != http.StatusOK || !strings.Contains(form, "Sortie au muse") ||
		!strings.Contains(form, "Nous avons vu des tableaux.") {
		t.Fatalf("the edit form: %d", resp.StatusCode)
	}
	resp, _ = a.PostForm(teacher, blog.Path+"/"+id+"/modifier", url.Values{"titre": {"Sortie au musée"}, "texte": {"Nous avons vu des **tableaux**."}, "pour": {"class"}})
	if status, p := getPost(t, a, "parent", id); resp.StatusCode != http.StatusSeeOther || status != http.StatusOK || p.Title != "Sortie au musée" ||
		!strings.Contains(p.HTML, "<strong>tableaux</strong>") {
		t.Fatalf("after the teacher's edit: %d, the parent reads %d %+v", resp.StatusCode, status, p)
	}
	resp, out = a.Do(teacher, "PATCH", "/api/v1/blog/"+id, "application/json", `{"audience":"school"}`)
	var edited struct{ Title, Audience string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(out), &edited) != nil || edited.Title != "Sortie au musée" || edited.Audience != blog.School {
		t.Fatalf("the API's edit, title kept: %d %s", resp.StatusCode, out)
	}

	// Refused, nothing written.
	var before string
	a.DB.Reader().QueryRow("SELECT title || body || audience || hlc FROM blog_posts WHERE id = ?", id).Scan(&before)
	for name, c := range map[string]struct {
		login, body string
		status      int
		says        string
	}{
		"no title":    {"enseignant", `{"title":"  "}`, http.StatusBadRequest, "indiquez un titre"},
		"a long text": {"enseignant", `{"body":"` + strings.Repeat("a", 20001) + `"}`, http.StatusBadRequest, "ne doit pas dépasser"},
		"an audience": {"enseignant", `{"audience":"ville"}`, http.StatusBadRequest, "ville"},
		"a parent":    {"parent", `{"title":"Pirate"}`, http.StatusForbidden, ""},
		"a pupil":     {"eleve", `{"title":"Pirate"}`, http.StatusForbidden, ""},
		"another class's teacher, reading it with the school": {"helene.roux", `{"title":"Pirate"}`, http.StatusForbidden, "seuls son auteur"},
		"not JSON":       {"enseignant", `titre=Pirate`, http.StatusBadRequest, ""},
		"an unknown key": {"enseignant", `{"titre":"Pirate"}`, http.StatusBadRequest, "titre"},
	} {
		resp, out := a.Do(a.ClientAs(c.login), "PATCH", "/api/v1/blog/"+id, "application/json", c.body)
		if resp.StatusCode != c.status || !strings.Contains(out, c.says) {
			t.Errorf("%s: %d %.200s, want %d saying %q", name, resp.StatusCode, out, c.status, c.says)
		}
	}
	if resp, page := a.PostForm(teacher, blog.Path+"/"+id+"/modifier", url.Values{"titre": {""}, "texte": {"Gardé ?"}}); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(page, "indiquez un titre") || !strings.Contains(page, "Gardé ?") {
		t.Errorf("an empty title by the page: %d, the form shown again with what was typed", resp.StatusCode)
	}
	var after string
	a.DB.Reader().QueryRow("SELECT title || body || audience || hlc FROM blog_posts WHERE id = ?", id).Scan(&after)
	if after != before {
		t.Errorf("a refused edit was written: %q → %q", before, after)
	}

	// A pupil's own post, while it waits: its words, not its audience.
	a.PostForm(teacher, blog.Path+"/reglages", url.Values{"classe": {ce1}, "eleves": {"1"}, "validation": {"1"}})
	resp, out = a.Do(pupil, "POST", "/api/v1/blog", "application/json", `{"class_id":"`+ce1+`","title":"Mon dessn","body":"Un chat"}`)
	json.Unmarshal([]byte(out), &created)
	resp, out = a.Do(pupil, "PATCH", "/api/v1/blog/"+created.ID, "application/json", `{"title":"Mon dessin","audience":"school"}`)
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(out), &edited) != nil || edited.Title != "Mon dessin" || edited.Audience != blog.Class {
		t.Fatalf("the pupil's edit of their held post: %d %s", resp.StatusCode, out)
	}
	a.PostForm(teacher, blog.Path+"/"+created.ID+"/publier", nil)
	if resp, _ := a.Do(pupil, "PATCH", "/api/v1/blog/"+created.ID, "application/json", `{"title":"Changé après"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the pupil edits their post once published: %d", resp.StatusCode)
	}
	if resp, _ := a.Get(pupil, blog.Path+"/"+created.ID+"/modifier"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the pupil opens the edit form of their published post: %d", resp.StatusCode)
	}
}
