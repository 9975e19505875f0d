package minisites_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

type site struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Audience string `json:"audience"`
	URL      string `json:"url"`
	Comment  string `json:"comment"`
	Pages    []struct {
		ID       string   `json:"id"`
		ParentID string   `json:"parent_id"`
		Title    string   `json:"title"`
		HTML     string   `json:"html"`
		Images   []string `json:"images"`
	} `json:"pages"`
}

// fixture is the demo school with a site its teacher starts for Léa
// (eleve): a classmate outside the group, and Hélène Roux, who teaches
// another class.
type fixture struct {
	*apptest.App
	site, classID string
	outsider      auth.User // a pupil of the class not in the group
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	a := apptest.New(t, apptest.Options{})
	pupil := a.User("eleve")
	classes, err := a.Register.UserClasses(t.Context(), pupil.ID)
	if err != nil || len(classes) == 0 {
		t.Fatalf("demo pupil's class: %v", err)
	}
	f := fixture{App: a, classID: classes[0].ID}
	pupils, err := a.Register.ClassPupils(t.Context(), f.classID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pupils {
		if p.ID != pupil.ID {
			f.outsider = p
		}
	}
	resp, body := f.api("enseignant", "POST", "/api/v1/minisites",
		`{"title":"Nos volcans","class_id":"`+f.classID+`","pupils":["`+pupil.ID+`"],"theme":"sun"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var out struct{ ID string }
	json.Unmarshal([]byte(body), &out)
	f.site = out.ID
	return f
}

func (f fixture) api(login, method, path, body string) (*http.Response, string) {
	return f.Do(f.ClientAs(login), method, path, "application/json", body)
}

func (f fixture) get(t *testing.T, login string) site {
	t.Helper()
	resp, body := f.api(login, "GET", "/api/v1/minisites/"+f.site, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("get as %s: %d %s", login, resp.StatusCode, body)
	}
	var s site
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (f fixture) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := f.DB.Reader().QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// xss are payloads a pupil might type or paste into a page's HTML.
var xss = []string{
	`<script>window.pwned=1</script>`,
	`<img src=x onerror="window.pwned=1">`,
	`<a href="javascript:window.pwned=1">clic</a>`,
	`<a href="data:text/html,<script>window.pwned=1</script>">données</a>`,
	`<svg onload="window.pwned=1"><script>window.pwned=1</script></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror="window.pwned=1">`,
	`<p style="background:url(javascript:window.pwned=1)">style</p>`,
	`<iframe src="javascript:window.pwned=1"></iframe>`,
	`<noscript><p title="</noscript><img src=x onerror=window.pwned=1>">`,
}

// dangerous are what must never reach a reader of a published page.
var dangerous = []string{"<script", "onerror", "onload", "javascript:", "<iframe", "<svg", "<math", "style=", "data:text"}

func TestWriteSubmitPublishRead(t *testing.T) {
	f := newFixture(t)
	lea := f.ClientAs("eleve")
	s := f.get(t, "eleve")
	if s.Status != "draft" || len(s.Pages) != 1 || s.Pages[0].Title != "Nos volcans" {
		t.Fatalf("new site: %+v", s)
	}
	home := s.Pages[0].ID
	// The group adds a page under the first, and writes it with the
	// class pages' editor rights (its HTML posted as the editor does).
	if resp, body := f.PostForm(lea, "/mini-sites/"+f.site+"/pages", url.Values{"titre": {"L'Etna"}, "parent": {home}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add page: %d %s", resp.StatusCode, body)
	}
	s = f.get(t, "eleve")
	if len(s.Pages) != 2 || s.Pages[1].ParentID != home {
		t.Fatalf("menu after adding: %+v", s.Pages)
	}
	etna := s.Pages[1].ID
	html := "<h2>Le volcan</h2><p>Il fume encore.</p>" + strings.Join(xss, "")
	if resp, body := f.PostForm(lea, "/pages/"+etna+"/html", url.Values{"html": {html}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("pupil writes the page: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.Get(lea, "/pages/"+etna+"/modifier"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the editor for the group: %d", resp.StatusCode)
	}
	if _, body := f.Get(lea, "/pages"); strings.Contains(body, etna) {
		t.Error("the site's page is listed among the class pages")
	}
	// A picture for the page.
	if resp, body := f.upload(t, "eleve", "/mini-sites/"+f.site+"/pages/"+etna+"/images", "etna.png", pngBytes(t)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add image: %d %s", resp.StatusCode, body)
	}
	s = f.get(t, "eleve")
	if len(s.Pages[1].Images) != 1 {
		t.Fatalf("the page's picture: %+v", s.Pages[1])
	}
	image := s.Pages[1].Images[0]

	// Outside the group, the site and its pages are not there.
	outsider := f.ClientAs(f.outsider.Login)
	for _, path := range []string{"/mini-sites/" + f.site, "/pages/" + etna, "/pages/" + etna + "/modifier", image, "/mini-sites/" + f.site + "/lire"} {
		if resp, _ := f.Get(outsider, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("pupil outside the group GET %s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := f.Get(f.ClientAs("helene.roux"), "/mini-sites/"+f.site); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another class's teacher reads the site: %d", resp.StatusCode)
	}
	// The teacher adds the classmate to the group: they write too; a
	// parent cannot be added.
	teacher := f.ClientAs("enseignant")
	if resp, _ := f.PostForm(teacher, "/mini-sites/"+f.site+"/groupe", url.Values{"eleves": {f.User("eleve").ID, f.User("parent").ID}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a parent in the group: %d", resp.StatusCode)
	}
	if resp, _ := f.PostForm(lea, "/mini-sites/"+f.site+"/groupe", url.Values{"eleves": {f.User("eleve").ID, f.outsider.ID}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a pupil changes the group: %d", resp.StatusCode)
	}
	if resp, _ := f.PostForm(teacher, "/mini-sites/"+f.site+"/groupe", url.Values{"eleves": {f.User("eleve").ID, f.outsider.ID}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the group changed: %d", resp.StatusCode)
	}
	if resp, _ := f.PostForm(outsider, "/pages/"+etna+"/html", url.Values{"html": {html + "<p>Le copain aussi.</p>"}}); resp.StatusCode != http.StatusOK {
		t.Errorf("the classmate added to the group writes: %d", resp.StatusCode)
	}
	f.PostForm(teacher, "/mini-sites/"+f.site+"/groupe", url.Values{"eleves": {f.User("eleve").ID}})
	if resp, _ := f.Get(f.ClientAs("parent"), "/pages/"+etna); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a parent reads a draft page: %d", resp.StatusCode)
	}

	// Submitted: nobody writes; the teacher cannot send it back without a word.
	if resp, body := f.api("eleve", "POST", "/api/v1/minisites/"+f.site+"/submit", ""); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"submitted"`) {
		t.Fatalf("submit: %d %s", resp.StatusCode, body)
	}
	if n := f.notices(t, "enseignant", "minisites.notice.submitted"); n != 1 {
		t.Errorf("the teacher got %d notices of the submission", n)
	}
	if resp, _ := f.PostForm(lea, "/pages/"+etna+"/html", url.Values{"html": {"<p>après</p>"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a pupil writes a submitted site: %d", resp.StatusCode)
	}
	if resp, _ := f.PostForm(lea, "/mini-sites/"+f.site+"/pages", url.Values{"titre": {"Encore"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("a pupil adds a page to a submitted site: %d", resp.StatusCode)
	}
	if resp, _ := f.PostForm(teacher, "/mini-sites/"+f.site+"/renvoyer", url.Values{"commentaire": {"  "}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("sent back without a comment: %d", resp.StatusCode)
	}
	if resp, _ := f.PostForm(lea, "/mini-sites/"+f.site+"/renvoyer", url.Values{"commentaire": {"non"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a pupil sends back: %d", resp.StatusCode)
	}
	if resp, body := f.PostForm(teacher, "/mini-sites/"+f.site+"/renvoyer", url.Values{"commentaire": {"Ajoutez une photo du cratère."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send back: %d %s", resp.StatusCode, body)
	}
	if s = f.get(t, "eleve"); s.Status != "draft" || s.Comment != "Ajoutez une photo du cratère." {
		t.Fatalf("sent back: %+v", s)
	}
	if n := f.notices(t, "eleve", "minisites.notice.sent_back"); n != 1 {
		t.Errorf("the group got %d notices of the sending back", n)
	}
	f.api("eleve", "POST", "/api/v1/minisites/"+f.site+"/submit", "")

	// Publishing: a bad audience writes nothing; then public.
	before := f.count(t, "minisite_published")
	if resp, _ := f.api("enseignant", "POST", "/api/v1/minisites/"+f.site+"/publish", `{"audience":"monde"}`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("publish to an unknown audience: %d", resp.StatusCode)
	}
	if resp, _ := f.api("eleve", "POST", "/api/v1/minisites/"+f.site+"/publish", `{"audience":"public"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a pupil publishes: %d", resp.StatusCode)
	}
	if after := f.count(t, "minisite_published"); after != before {
		t.Fatalf("refused publications wrote %d rows", after-before)
	}
	resp, body := f.api("enseignant", "POST", "/api/v1/minisites/"+f.site+"/publish", `{"audience":"public"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("publish: %d %s", resp.StatusCode, body)
	}
	var pub site
	json.Unmarshal([]byte(body), &pub)
	if pub.Status != "published" || !strings.HasPrefix(pub.URL, "/public/mini-sites/nos-volcans-") {
		t.Fatalf("published: %+v", pub)
	}

	// Anyone reads it, with no login, sanitized, first names only.
	anon := f.Client()
	resp, body = f.Get(anon, pub.URL+"?page="+etna)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Il fume encore.") || !strings.Contains(body, image) {
		t.Fatalf("public page: %d %s", resp.StatusCode, body)
	}
	page := body[strings.Index(body, `class="minisite theme-sun"`):]
	for _, bad := range dangerous {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("the public page holds %q", bad)
		}
	}
	pupil := f.User("eleve")
	if strings.Contains(body, pupil.LastName) || !strings.Contains(body, pupil.FirstName) {
		t.Errorf("credits: want %q without %q", pupil.FirstName, pupil.LastName)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("public page's CSP: %q", csp)
	}
	if resp, _ := f.Get(anon, image); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("public picture: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := f.Get(anon, pub.URL+"-faux"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown address: %d", resp.StatusCode)
	}

	// Later edits wait for the next publication.
	f.PostForm(teacher, "/mini-sites/"+f.site+"/renvoyer", url.Values{"commentaire": {"Encore un mot."}})
	f.PostForm(lea, "/pages/"+etna+"/html", url.Values{"html": {"<p>Texte changé après.</p>"}})
	if _, body := f.Get(anon, pub.URL+"?page="+etna); strings.Contains(body, "changé après") || !strings.Contains(body, "Il fume encore.") {
		t.Errorf("an edit after publication reached the public page")
	}

	// Unpublished: gone for everyone, its picture too.
	if resp, body := f.api("enseignant", "POST", "/api/v1/minisites/"+f.site+"/unpublish", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("unpublish: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{pub.URL, image} {
		if resp, _ := f.Get(anon, path); resp.StatusCode == http.StatusOK {
			t.Errorf("after unpublishing, anonymous GET %s: %d", path, resp.StatusCode)
		}
	}
}

// Each audience reaches whom it says, and no one else.
func TestAudiences(t *testing.T) {
	f := newFixture(t)
	if _, err := f.Auth.CreateUser(t.Context(), auth.NewUser{Login: "dsi", Display: "DSI", Profile: auth.DSI, Password: "demo"}); err != nil {
		t.Fatal(err)
	}
	read := "/mini-sites/" + f.site + "/lire"
	cases := []struct {
		audience string
		ok, not  []string
	}{
		{"class", []string{"eleve", "enseignant", "directeur", f.outsider.Login}, []string{"parent", "helene.roux", "dsi"}},
		{"parents", []string{"parent", f.outsider.Login}, []string{"helene.roux", "dsi"}},
		{"school", []string{"parent", "helene.roux"}, []string{"dsi"}},
	}
	for _, c := range cases {
		if resp, body := f.api("enseignant", "POST", "/api/v1/minisites/"+f.site+"/publish", `{"audience":"`+c.audience+`"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("publish %s: %d %s", c.audience, resp.StatusCode, body)
		}
		for _, login := range c.ok {
			if resp, _ := f.Get(f.ClientAs(login), read); resp.StatusCode != http.StatusOK {
				t.Errorf("%s: %s reads: %d", c.audience, login, resp.StatusCode)
			}
		}
		for _, login := range c.not {
			if resp, _ := f.Get(f.ClientAs(login), read); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %s reads: %d", c.audience, login, resp.StatusCode)
			}
		}
		if resp, _ := f.Get(f.Client(), read); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: anonymous: %d", c.audience, resp.StatusCode)
		}
	}
}

// Bad input is refused with a clear error and nothing written.
func TestBadInputWritesNothing(t *testing.T) {
	f := newFixture(t)
	lea := f.User("eleve")
	sites, pages, images := f.count(t, "minisites"), f.count(t, "pages"), f.count(t, "minisite_images")
	for name, body := range map[string]string{
		"no title":      `{"title":" ","class_id":"` + f.classID + `","pupils":["` + lea.ID + `"]}`,
		"no pupil":      `{"title":"Vide","class_id":"` + f.classID + `","pupils":[]}`,
		"a parent":      `{"title":"Vide","class_id":"` + f.classID + `","pupils":["` + f.User("parent").ID + `"]}`,
		"unknown theme": `{"title":"Vide","class_id":"` + f.classID + `","pupils":["` + lea.ID + `"],"theme":"rose"}`,
	} {
		if resp, body := f.api("enseignant", "POST", "/api/v1/minisites", body); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "error") {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
	if resp, _ := f.api("helene.roux", "POST", "/api/v1/minisites",
		`{"title":"Pas ma classe","class_id":"`+f.classID+`","pupils":["`+lea.ID+`"]}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another class's teacher creates: %d", resp.StatusCode)
	}
	home := f.get(t, "eleve").Pages[0].ID
	c := f.ClientAs("eleve")
	for name, try := range map[string]func() *http.Response{
		"a page under a page that is under another": func() *http.Response {
			r, _ := f.PostForm(c, "/mini-sites/"+f.site+"/pages", url.Values{"titre": {"X"}, "parent": {"inconnue"}})
			return r
		},
		"the last page removed": func() *http.Response {
			r, _ := f.PostForm(c, "/mini-sites/"+f.site+"/pages/"+home+"/supprimer", nil)
			return r
		},
		"a text file as a picture": func() *http.Response {
			r, _ := f.upload(t, "eleve", "/mini-sites/"+f.site+"/pages/"+home+"/images", "a.png", []byte("pas une image"))
			return r
		},
	} {
		if resp := try(); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
	if f.count(t, "minisites") != sites || f.count(t, "pages") != pages || f.count(t, "minisite_images") != images {
		t.Fatal("refused input wrote rows")
	}
}

// The menu is one level deep: a page with pages under it stays on top.
func TestMenuOneLevel(t *testing.T) {
	f := newFixture(t)
	c := f.ClientAs("eleve")
	home := f.get(t, "eleve").Pages[0].ID
	for _, title := range []string{"A", "B"} {
		f.PostForm(c, "/mini-sites/"+f.site+"/pages", url.Values{"titre": {title}})
	}
	s := f.get(t, "eleve")
	a, b := s.Pages[1].ID, s.Pages[2].ID
	if resp, _ := f.PostForm(c, "/mini-sites/"+f.site+"/pages/"+a+"/deplacer", url.Values{"sens": {"under"}, "parent": {home}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("move under: %d", resp.StatusCode)
	}
	if resp, _ := f.PostForm(c, "/mini-sites/"+f.site+"/pages/"+home+"/deplacer", url.Values{"sens": {"under"}, "parent": {b}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a page with children moved under another: %d", resp.StatusCode)
	}
	if resp, _ := f.PostForm(c, "/mini-sites/"+f.site+"/pages/"+b+"/deplacer", url.Values{"sens": {"under"}, "parent": {a}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a page under a second-level page: %d", resp.StatusCode)
	}
	f.PostForm(c, "/mini-sites/"+f.site+"/pages/"+b+"/deplacer", url.Values{"sens": {"up"}})
	f.PostForm(c, "/mini-sites/"+f.site+"/pages/"+b+"/renommer", url.Values{"titre": {"Bé"}})
	s = f.get(t, "eleve")
	got := []string{}
	for _, p := range s.Pages {
		got = append(got, p.Title+"<"+p.ParentID)
	}
	want := []string{"Bé<", "Nos volcans<", "A<" + home}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("menu: %v, want %v", got, want)
	}
	// Removing a parent brings its children up.
	f.PostForm(c, "/mini-sites/"+f.site+"/pages/"+home+"/supprimer", nil)
	s = f.get(t, "eleve")
	if len(s.Pages) != 2 || s.Pages[1].ParentID != "" {
		t.Fatalf("after removing the parent: %+v", s.Pages)
	}
}

// notices counts login's notifications of a key about the site.
func (f fixture) notices(t *testing.T, login, key string) int {
	t.Helper()
	var n int
	if err := f.DB.Reader().QueryRowContext(context.Background(), "SELECT count(*) FROM notifications WHERE user_id = ? AND title_key = ? AND url = ?",
		f.User(login).ID, key, "/mini-sites/"+f.site).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f fixture) upload(t *testing.T, login, path, name string, data []byte) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("image", name)
	fw.Write(data)
	w.Close()
	return f.Do(f.ClientAs(login), "POST", path, w.FormDataContentType(), b.String())
}

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The site's pages go through the class pages' websocket with the site's
// rights: the group writes while it is a draft, not once it is handed
// in; a pupil outside the group cannot open it.
func TestWebsocketFollowsTheSite(t *testing.T) {
	f := newFixture(t)
	page := f.get(t, "eleve").Pages[0].ID
	dial := func(login string) (*websocket.Conn, int) {
		t.Helper()
		u, _ := url.Parse(f.URL)
		jar := f.ClientAs(login).Jar
		d := websocket.Dialer{Jar: jar, HandshakeTimeout: 5 * time.Second}
		ws, resp, err := d.Dial("ws://"+u.Host+"/api/v1/pages/"+page+"/ws", nil)
		if err != nil {
			if resp == nil {
				t.Fatal(err)
			}
			return nil, resp.StatusCode
		}
		t.Cleanup(func() { ws.Close() })
		return ws, resp.StatusCode
	}
	updates := func() int {
		var n int
		f.DB.Reader().QueryRow("SELECT count(*) FROM page_updates WHERE page_id = ?", page).Scan(&n)
		return n
	}
	// An update frame (sync, update, 2 bytes): the server keeps a
	// writer's as it came, and drops a reader's.
	frame := []byte{0, 2, 2, 1, 2}
	send := func(ws *websocket.Conn, want int) {
		t.Helper()
		if err := ws.WriteMessage(websocket.BinaryMessage, frame); err != nil {
			t.Fatal(err)
		}
		for end := time.Now().Add(3 * time.Second); updates() != want && time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		}
		if got := updates(); got != want {
			t.Fatalf("%d stored updates, want %d", got, want)
		}
	}
	if _, status := dial(f.outsider.Login); status != http.StatusNotFound {
		t.Errorf("a pupil outside the group opens the socket: %d", status)
	}
	ws, status := dial("eleve")
	if status != http.StatusSwitchingProtocols {
		t.Fatalf("the group's pupil: %d", status)
	}
	send(ws, updates()+1)
	f.api("eleve", "POST", "/api/v1/minisites/"+f.site+"/submit", "")
	ws, _ = dial("eleve")
	before := updates()
	if err := ws.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		t.Fatal(err)
	}
	// The server says once that the reader's update was refused (auth
	// message, permission denied), after dropping it.
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, m, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no refusal for a handed-in site's update: %v", err)
		}
		if len(m) > 1 && m[0] == 2 && m[1] == 0 {
			break
		}
	}
	if got := updates(); got != before {
		t.Fatalf("a handed-in site's page took an update: %d → %d", before, got)
	}
}

// The staff delete a site: its pages, pictures and publication go too;
// the group cannot.
func TestDeleteSite(t *testing.T) {
	f := newFixture(t)
	page := f.get(t, "eleve").Pages[0].ID
	resp, body := f.api("enseignant", "POST", "/api/v1/minisites/"+f.site+"/publish", `{"audience":"public"}`)
	var pub site
	json.Unmarshal([]byte(body), &pub)
	if resp.StatusCode != http.StatusOK || pub.URL == "" {
		t.Fatalf("publish: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.PostForm(f.ClientAs("eleve"), "/mini-sites/"+f.site+"/supprimer", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a pupil deletes the site: %d", resp.StatusCode)
	}
	if resp, _ := f.PostForm(f.ClientAs("helene.roux"), "/mini-sites/"+f.site+"/supprimer", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another class's teacher deletes the site: %d", resp.StatusCode)
	}
	if resp, _ := f.PostForm(f.ClientAs("enseignant"), "/mini-sites/"+f.site+"/supprimer", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	for login, path := range map[string]string{"": pub.URL, "eleve": "/pages/" + page, "enseignant": "/mini-sites/" + f.site} {
		if resp, _ := f.Get(f.ClientAs(login), path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("deleted, GET %s as %q: %d", path, login, resp.StatusCode)
		}
	}
	var live int
	f.DB.Reader().QueryRow(`SELECT (SELECT count(*) FROM minisite_pages WHERE deleted = 0 AND site_id = ?1)
		+ (SELECT count(*) FROM minisite_published WHERE deleted = 0 AND site_id = ?1)
		+ (SELECT count(*) FROM pages WHERE deleted = 0 AND owner_id = ?1)`, f.site).Scan(&live)
	if live != 0 {
		t.Fatalf("%d rows of the deleted site left", live)
	}
}

// Someone not logged in who follows a link to a site's reading page
// lands on its public address when it is public, and on the login page
// while it is not.
func TestReadLinkLoggedOut(t *testing.T) {
	f := newFixture(t)
	read := "/mini-sites/" + f.site + "/lire"
	if resp, _ := f.Get(f.ClientAs(""), read); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/connexion?suite=") {
		t.Errorf("unpublished, logged out: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, audience := range []string{"school", "public"} {
		resp, body := f.api("enseignant", "POST", "/api/v1/minisites/"+f.site+"/publish", `{"audience":"`+audience+`"}`)
		var pub site
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &pub) != nil {
			t.Fatalf("publish to %s: %d %s", audience, resp.StatusCode, body)
		}
		resp, _ = f.Get(f.ClientAs(""), read)
		want := "/connexion?suite="
		if audience == "public" {
			want = pub.URL
		}
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, want) || want == "" {
			t.Errorf("published to %s, logged out: %d → %s, want %s", audience, resp.StatusCode, loc, want)
		}
		if resp, _ := f.Get(f.ClientAs("eleve"), read); resp.StatusCode != http.StatusOK {
			t.Errorf("published to %s, the pupil reads: %d", audience, resp.StatusCode)
		}
	}
}

// A published site is found by those it was published to, by its title:
// published to its class, by the class's pupils and not their parents;
// to the families, by the parents too. A draft is found by no one.
func TestSearchFindsPublishedSites(t *testing.T) {
	f := newFixture(t)
	finds := func(login string) bool {
		t.Helper()
		resp, body := f.Get(f.ClientAs(login), "/api/v1/search?q=volcans")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("search as %s: %d %s", login, resp.StatusCode, body)
		}
		var rs []struct{ Kind, URL string }
		json.Unmarshal([]byte(body), &rs)
		return slices.ContainsFunc(rs, func(r struct{ Kind, URL string }) bool {
			return r.Kind == "minisites" && r.URL == "/mini-sites/"+f.site+"/lire"
		})
	}
	if finds("eleve") || finds("enseignant") {
		t.Fatal("a draft is found")
	}
	if resp, body := f.api("enseignant", "POST", "/api/v1/minisites/"+f.site+"/publish", `{"audience":"class"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("publish: %d %s", resp.StatusCode, body)
	}
	if !finds("eleve") || !finds(f.outsider.Login) || !finds("enseignant") {
		t.Error("published to the class, its pupils or its teacher do not find it")
	}
	if finds("parent") {
		t.Error("published to the class, a parent finds it")
	}
	if resp, body := f.api("enseignant", "POST", "/api/v1/minisites/"+f.site+"/publish", `{"audience":"parents"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("publish to the families: %d %s", resp.StatusCode, body)
	}
	if !finds("parent") {
		t.Error("published to the families, the parent does not find it")
	}
}
