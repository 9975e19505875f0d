package sites_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/sites"
)

type site struct {
	ID         string   `json:"id"`
	URL        string   `json:"url"`
	Title      string   `json:"title"`
	Comment    string   `json:"comment"`
	ClassID    string   `json:"class_id"`
	Level      string   `json:"level"`
	SchoolID   string   `json:"school_id"`
	Scope      string   `json:"scope"`
	City       bool     `json:"city"`
	Schools    []string `json:"schools"`
	PictureURL string   `json:"picture_url"`
	AuthorID   string   `json:"author_id"`
	Author     string   `json:"author"`
}

// list is what GET /api/v1/sites gives login, by title.
func list(t *testing.T, a *apptest.App, login string) map[string]site {
	t.Helper()
	resp, body := a.Get(a.ClientAs(login), "/api/v1/sites")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET sites as %s: %d %s", login, resp.StatusCode, body)
	}
	var items []site
	if err := json.Unmarshal([]byte(body), &items); err != nil {
		t.Fatal(err)
	}
	out := map[string]site{}
	for _, s := range items {
		out[s.Title] = s
	}
	return out
}

func add(t *testing.T, a *apptest.App, login, body string) (int, string) {
	t.Helper()
	resp, out := a.Do(a.ClientAs(login), "POST", "/api/v1/sites", "application/json", body)
	return resp.StatusCode, out
}

// count is how many sites rows the node holds, deleted or not.
func count(t *testing.T, a *apptest.App) int {
	t.Helper()
	var n int
	if err := a.DB.Reader().QueryRow("SELECT count(*) FROM sites").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func pngPicture(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xc0
	}
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// Each profile sees what is meant for them: a pupil their class's and
// their level's, never another class's; a parent each child's; the staff
// the school's; the DSI, on a school, the city's only.
func TestWhoSeesWhat(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, cm2 := a.ClassID("CE1"), a.ClassID("CM2")
	for _, tc := range []struct{ login, body string }{
		{"enseignant", `{"url":"https://ce1.example/lecture","title":"Lecture CE1","comment":"Lire chaque soir","class_id":"` + ce1 + `"}`},
		{"isabelle.mercier", `{"url":"https://cm2.example/","title":"Histoire CM2","class_id":"` + cm2 + `"}`},
		{"isabelle.mercier", `{"url":"https://cm2.example/niveau","title":"Niveau CM2","level":"CM2"}`},
	} {
		if status, body := add(t, a, tc.login, tc.body); status != http.StatusCreated || !strings.Contains(body, `"id"`) {
			t.Fatalf("%s adds %s: %d %s", tc.login, tc.body, status, body)
		}
	}
	has := func(login string, want, not []string) {
		t.Helper()
		got := list(t, a, login)
		for _, w := range want {
			if _, ok := got[w]; !ok {
				t.Errorf("%s does not see %q (sees %v)", login, w, keys(got))
			}
		}
		for _, n := range not {
			if _, ok := got[n]; ok {
				t.Errorf("%s sees %q", login, n)
			}
		}
	}
	has("eleve", []string{"Lecture CE1", "Calcul@TICE", "Lumni"}, []string{"Histoire CM2", "Niveau CM2", "Logiciel éducatif"})
	has("tom.martin", []string{"Histoire CM2", "Niveau CM2"}, []string{"Lecture CE1", "Calcul@TICE"})
	has("jules.bernard", []string{"Logiciel éducatif"}, []string{"Lecture CE1", "Histoire CM2"})
	has("parent", []string{"Lecture CE1", "Histoire CM2", "Niveau CM2"}, []string{"Logiciel éducatif"})
	has("enseignant", []string{"Lecture CE1", "Histoire CM2", "Logiciel éducatif"}, nil)
	has("directeur", []string{"Lecture CE1", "Histoire CM2", "Niveau CM2"}, nil)

	got := list(t, a, "eleve")["Lecture CE1"]
	if got.ClassID != ce1 || got.Level != "" || got.Comment != "Lire chaque soir" || got.City || got.Scope != a.Config.SchoolID ||
		got.Author == "" || got.URL != "https://ce1.example/lecture" {
		t.Errorf("the site as the API gives it: %+v", got)
	}
	// The CM2's page is no more the CE1 pupil's than its picture.
	cm2Site := list(t, a, "tom.martin")["Histoire CM2"]
	resp, _ := a.Get(a.ClientAs("eleve"), "/api/v1/sites/"+cm2Site.ID+"/picture")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the CE1 pupil asks for a CM2 site's picture: %d", resp.StatusCode)
	}
}

func keys(m map[string]site) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Bad input is refused with a clear error and writes nothing.
func TestBadInputWritesNothing(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, cm2 := a.ClassID("CE1"), a.ClassID("CM2")
	if _, err := a.Auth.CreateUser(t.Context(), auth.NewUser{Login: "dsi", Display: "DSI", Profile: auth.DSI, Password: "demo"}); err != nil {
		t.Fatal(err)
	}
	before := count(t, a)
	for _, tc := range []struct {
		name, login, body string
		status            int
		want              string
	}{
		{"no title", "enseignant", `{"url":"https://a.example","class_id":"` + ce1 + `"}`, 400, "titre"},
		{"a javascript: address", "enseignant", `{"url":"javascript:alert(1)","title":"X","class_id":"` + ce1 + `"}`, 400, "https://"},
		{"an ftp address", "enseignant", `{"url":"ftp://a.example/x","title":"X","class_id":"` + ce1 + `"}`, 400, "https://"},
		{"a relative address", "enseignant", `{"url":"/sites","title":"X","class_id":"` + ce1 + `"}`, 400, "https://"},
		{"no address", "enseignant", `{"title":"X","class_id":"` + ce1 + `"}`, 400, "adresse"},
		{"a password in the address", "enseignant", `{"url":"https://a:b@a.example","title":"X","class_id":"` + ce1 + `"}`, 400, "mot de passe"},
		{"both a class and a level", "enseignant", `{"url":"https://a.example","title":"X","class_id":"` + ce1 + `","level":"CE1"}`, 400, "l'un des deux"},
		{"neither class nor level", "enseignant", `{"url":"https://a.example","title":"X"}`, 400, "l'un des deux"},
		{"an unknown level", "enseignant", `{"url":"https://a.example","title":"X","level":"6e"}`, 400, "6e"},
		{"another teacher's class", "enseignant", `{"url":"https://a.example","title":"X","class_id":"` + cm2 + `"}`, 403, "vos classes"},
		{"a forged class", "enseignant", `{"url":"https://a.example","title":"X","class_id":"forged"}`, 404, "classe"},
		{"a title too long", "enseignant", `{"url":"https://a.example","title":"` + strings.Repeat("x", 200) + `","level":"CE1"}`, 400, "titre"},
		{"the city's on a school", "dsi", `{"url":"https://a.example","title":"X"}`, 403, "serveur de la ville"},
	} {
		status, body := add(t, a, tc.login, tc.body)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s (want %d and %q)", tc.name, status, body, tc.status, tc.want)
		}
	}
	// Pictures: not one, or too large.
	for _, tc := range []struct {
		name    string
		content []byte
		status  int
		want    string
	}{
		{"a text named .png", []byte("not a picture at all"), 400, "pas une image"},
		{"an SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 400, "pas une image"},
		{"a picture too large", append(pngPicture(4, 4), make([]byte, sites.MaxPicture)...), 413, "trop"},
	} {
		status, body := upload(t, a, "enseignant", map[string]string{"url": "https://a.example", "title": "X", "class_id": ce1}, tc.content)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %.200s (want %d and %q)", tc.name, status, body, tc.status, tc.want)
		}
	}
	if after := count(t, a); after != before {
		t.Errorf("refused sites were written: %d → %d rows", before, after)
	}
}

// upload posts a site in a multipart form, with a picture.
func upload(t *testing.T, a *apptest.App, login string, fields map[string]string, picture []byte) (int, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	f, _ := w.CreateFormFile("picture", "image.png")
	f.Write(picture)
	w.Close()
	resp, body := a.Do(a.ClientAs(login), "POST", "/api/v1/sites", w.FormDataContentType(), b.String())
	return resp.StatusCode, body
}

// A picture sent with the site is its card's: the class's pupils get its
// thumbnail.
func TestUploadedPicture(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	status, body := upload(t, a, "enseignant", map[string]string{"url": "https://musee.example", "title": "Musée", "class_id": a.ClassID("CE1")},
		pngPicture(640, 480))
	if status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
	s := list(t, a, "eleve")["Musée"]
	if s.PictureURL == "" {
		t.Fatalf("no picture: %+v", s)
	}
	resp, thumb := a.Get(a.ClientAs("eleve"), s.PictureURL)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("the thumbnail: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cfg, _, err := image.DecodeConfig(strings.NewReader(thumb)); err != nil || cfg.Width > 320 {
		t.Errorf("the thumbnail: %+v %v", cfg, err)
	}
}

// Without a picture, the server fetches the site's icon: from a page of
// this machine, which tests alone may reach. Without that allowance the
// same address is refused, and the site is kept with its letter.
func TestIconFetched(t *testing.T) {
	icon := pngPicture(180, 180)
	var pages, icons atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			pages.Add(1)
			fmt.Fprint(w, `<!doctype html><html><head><title>Jeux</title>
				<link rel="icon" href="/favicon.svg" type="image/svg+xml">
				<link rel="apple-touch-icon" href="icons/touch.png"></head><body><img src="/nope.png"></body></html>`)
		case "/icons/touch.png":
			icons.Add(1)
			w.Header().Set("Content-Type", "image/png")
			w.Write(icon)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	// Refused first: loopback is never reached by default.
	if status, body := add(t, a, "enseignant", `{"url":"`+srv.URL+`/","title":"Sans icône","class_id":"`+ce1+`"}`); status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
	if pages.Load() != 0 {
		t.Fatal("the server reached 127.0.0.1 without the tests' allowance")
	}
	if s := list(t, a, "eleve")["Sans icône"]; s.PictureURL != "" {
		t.Errorf("a site whose icon was refused has a picture: %+v", s)
	}
	// Allowed, the icon is fetched and kept.
	sites.Of(a.Env).AllowLoopback()
	if status, body := add(t, a, "enseignant", `{"url":"`+srv.URL+`/","title":"Jeux","class_id":"`+ce1+`"}`); status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
	s := list(t, a, "eleve")["Jeux"]
	if pages.Load() != 1 || icons.Load() != 1 || s.PictureURL == "" {
		t.Fatalf("page fetched %d, icon %d, site %+v", pages.Load(), icons.Load(), s)
	}
	if resp, _ := a.Get(a.ClientAs("eleve"), s.PictureURL); resp.StatusCode != http.StatusOK {
		t.Errorf("the fetched icon's thumbnail: %d", resp.StatusCode)
	}
	// The pupil's page shows its card, opening in a new tab, and the
	// letter of the site without a picture.
	resp, html := a.Get(a.ClientAs("eleve"), "/sites")
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(html))
	card := doc.Find(`#sites a[href="` + srv.URL + `/"]`).First()
	if resp.StatusCode != http.StatusOK || card.AttrOr("target", "") != "_blank" || card.AttrOr("rel", "") != "noopener noreferrer" {
		t.Errorf("the pupil's card: %d %v", resp.StatusCode, card.Nodes)
	}
	if doc.Find(`.site-letter`).Length() == 0 || doc.Find(`img.site-picture[src="/sites/`+s.ID+`/image"]`).Length() != 1 {
		t.Errorf("the pupil's page shows no letter or no picture")
	}
}

// A private address (the school's LAN) is never fetched, whatever the
// tests allow.
func TestPrivateAddressNotFetched(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	sites.Of(a.Env).AllowLoopback()
	for _, u := range []string{"http://10.0.0.1:9/", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:9/", "http://[::]:9/"} {
		if status, body := add(t, a, "enseignant", `{"url":"`+u+`","title":"Interne","level":"CE1"}`); status != http.StatusCreated {
			t.Fatalf("%s: %d %s", u, status, body)
		}
	}
	if s := list(t, a, "enseignant")["Interne"]; s.PictureURL != "" {
		t.Errorf("a private address gave a picture: %+v", s)
	}
}

// Teachers take a colleague's site up for their class; they delete their
// own, not a colleague's; the director deletes any of the school's.
func TestReuseAndDelete(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := a.ClassID("CE1")
	colleague := list(t, a, "enseignant")["Logiciel éducatif"]
	if colleague.ID == "" || colleague.AuthorID == a.User("enseignant").ID {
		t.Fatalf("the CP teacher's demo site: %+v", colleague)
	}
	// The page offers to take it up.
	resp, html := a.Get(a.ClientAs("enseignant"), "/sites")
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(html))
	if resp.StatusCode != http.StatusOK || doc.Find(`#collegues form[action="/sites/`+colleague.ID+`/reprendre"]`).Length() != 1 {
		t.Fatalf("the teacher's page does not offer to take the colleague's site up: %d", resp.StatusCode)
	}
	resp, _ = a.PostForm(a.ClientAs("enseignant"), "/sites/"+colleague.ID+"/reprendre", url.Values{"classe": {ce1}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("take up: %d", resp.StatusCode)
	}
	// Taken up again, it is the one already there.
	if resp, body := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/sites/"+colleague.ID+"/reuse", "application/json",
		`{"class_id":"`+ce1+`"}`); resp.StatusCode != http.StatusCreated {
		t.Errorf("taken up again: %d %s", resp.StatusCode, body)
	}
	mine := 0
	for _, s := range list(t, a, "eleve") {
		if s.Title == "Logiciel éducatif" {
			mine++
			if s.ClassID != ce1 || s.AuthorID != a.User("enseignant").ID {
				t.Errorf("the copy: %+v", s)
			}
		}
	}
	if mine != 1 {
		t.Errorf("the CE1 pupil sees the site %d times, want once", mine)
	}
	// Nor for another teacher's class.
	if resp, body := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/sites/"+colleague.ID+"/reuse", "application/json",
		`{"class_id":"`+a.ClassID("CM2")+`"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("taken up for another's class: %d %s", resp.StatusCode, body)
	}
	// A colleague's is not the teacher's to delete; the director's it is.
	if resp, _ := a.Do(a.ClientAs("enseignant"), "DELETE", "/api/v1/sites/"+colleague.ID, "", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a teacher deletes a colleague's site: %d", resp.StatusCode)
	}
	if resp, _ := a.Do(a.ClientAs("directeur"), "DELETE", "/api/v1/sites/"+colleague.ID, "", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("the director deletes a teacher's site: %d", resp.StatusCode)
	}
	own := list(t, a, "eleve")["Lumni"]
	if resp, _ := a.Do(a.ClientAs("enseignant"), "DELETE", "/api/v1/sites/"+own.ID, "", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("a teacher deletes their own: %d", resp.StatusCode)
	}
	if _, ok := list(t, a, "eleve")["Lumni"]; ok {
		t.Error("a deleted site is still shown")
	}
	if _, ok := list(t, a, "jules.bernard")["Logiciel éducatif"]; ok {
		t.Error("the site the director deleted is still shown to the CP")
	}
}

// The city's DSI chooses on central the sites the schools show: for every
// school, or those ticked; a school's staff never add the city's.
func TestCityList(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	resp, html := a.Get(a.ClientAs("dsi"), "/sites")
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(html))
	if resp.StatusCode != http.StatusOK || doc.Find(`input[type="checkbox"][name="ecoles"][value="demo"]`).Length() != 1 {
		t.Fatalf("the DSI's page has no checklist of the schools: %d", resp.StatusCode)
	}
	if !strings.Contains(doc.Find("#ville").Text(), "Cité des sciences") {
		t.Errorf("the city's demo site is not listed")
	}
	resp, _ = a.PostForm(a.ClientAs("dsi"), "/sites", url.Values{"adresse": {"https://ailleurs.example"}, "titre": {"Ailleurs"},
		"ecoles": {"demo"}, "pour": {"niveau:CM2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the DSI adds a site: %d", resp.StatusCode)
	}
	if status, body := add(t, a, "dsi", `{"url":"https://x.example","title":"X","schools":["nulle-part"]}`); status != http.StatusBadRequest ||
		!strings.Contains(body, "nulle-part") {
		t.Errorf("a site for an unknown school: %d %s", status, body)
	}
	got := list(t, a, "dsi")
	if s := got["Ailleurs"]; !s.City || s.Scope != "global" || s.Level != "CM2" || len(s.Schools) != 1 {
		t.Errorf("the city's site: %+v", s)
	}
	if _, ok := list(t, a, "tom.martin")["Ailleurs"]; !ok {
		t.Error("a CM2 pupil of the ticked school does not see the city's CM2 site")
	}
	if _, ok := list(t, a, "eleve")["Ailleurs"]; ok {
		t.Error("a CE1 pupil sees the city's CM2 site")
	}
	if _, ok := list(t, a, "eleve")["Cité des sciences"]; !ok {
		t.Error("a pupil does not see the city's site for every school")
	}
	// The city's is not a teacher's to delete.
	if resp, _ := a.Do(a.ClientAs("enseignant"), "DELETE", "/api/v1/sites/"+got["Ailleurs"].ID, "", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a teacher deletes the city's site: %d", resp.StatusCode)
	}
	if resp, _ := a.Do(a.ClientAs("dsi"), "DELETE", "/api/v1/sites/"+got["Ailleurs"].ID, "", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("the DSI deletes the city's site: %d", resp.StatusCode)
	}
}

// The pages: the pupil's cards, the parent's per child, the teacher's
// form whose refusal keeps what was typed.
func TestPages(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	for login, want := range map[string]string{"eleve": "Calcul@TICE", "parent": "Lumni", "enseignant": "Logiciel éducatif", "directeur": "Logiciel éducatif"} {
		resp, html := a.Get(a.ClientAs(login), "/sites")
		if resp.StatusCode != http.StatusOK || !strings.Contains(html, want) {
			t.Errorf("%s's page: %d, without %q", login, resp.StatusCode, want)
		}
	}
	tom := a.User("tom.martin")
	resp, html := a.Get(a.ClientAs("parent"), "/sites?enfant="+tom.ID)
	if resp.StatusCode != http.StatusOK || strings.Contains(html, "Lumni") {
		t.Errorf("the parent's page for Tom (CM2) shows the CE1's sites: %d", resp.StatusCode)
	}
	resp, html = a.PostForm(a.ClientAs("enseignant"), "/sites", url.Values{"adresse": {"ftp://x.example"}, "titre": {"Mon titre"},
		"pour": {"classe:" + a.ClassID("CE1")}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html, "Mon titre") || !strings.Contains(html, "https://") {
		t.Errorf("a refused form: %d", resp.StatusCode)
	}
}
