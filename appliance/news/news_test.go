package news_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

type item struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Audience string `json:"audience"`
	SchoolID string `json:"school_id"`
	ImageURL string `json:"image_url"`
}

func titles(t *testing.T, a *apptest.App, login string) map[string]item {
	t.Helper()
	resp, body := a.Get(a.ClientAs(login), "/api/v1/news")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET news as %s: %d %s", login, resp.StatusCode, body)
	}
	var items []item
	if err := json.Unmarshal([]byte(body), &items); err != nil {
		t.Fatal(err)
	}
	out := map[string]item{}
	for _, it := range items {
		out[it.Title] = it
	}
	return out
}

func publish(t *testing.T, a *apptest.App, login, body string) (int, string) {
	t.Helper()
	resp, out := a.Do(a.ClientAs(login), "POST", "/api/v1/news", "application/json", body)
	return resp.StatusCode, out
}

// Each audience reaches its readers and no one else: a pupil never sees
// the staff's news, a family never another class's.
func TestAudiences(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, cm2 := a.ClassID("CE1"), a.ClassID("CM2")
	for _, body := range []string{
		`{"title":"École","audience":"school"}`,
		`{"title":"Parents","audience":"parents"}`,
		`{"title":"Équipe","audience":"staff"}`,
		`{"title":"CM2","audience":"class","class_id":"` + cm2 + `"}`,
	} {
		if status, out := publish(t, a, "directeur", body); status != http.StatusCreated {
			t.Fatalf("%s: %d %s", body, status, out)
		}
	}
	if status, out := publish(t, a, "enseignant", `{"title":"CE1","audience":"class","class_id":"`+ce1+`"}`); status != http.StatusCreated {
		t.Fatalf("the teacher's class news: %d %s", status, out)
	}
	// Who sees what. The demo parent has children in CE1 and CM2.
	want := map[string][]string{
		"eleve":            {"École", "CE1"},
		"parent":           {"École", "Parents", "CE1", "CM2"},
		"enseignant":       {"École", "Parents", "Équipe", "CE1"},
		"isabelle.mercier": {"École", "Parents", "Équipe", "CM2"},
		"directeur":        {"École", "Parents", "Équipe", "CE1", "CM2"},
	}
	all := []string{"École", "Parents", "Équipe", "CE1", "CM2"}
	for login, sees := range want {
		got := titles(t, a, login)
		for _, title := range all {
			_, ok := got[title]
			wanted := slices.Contains(sees, title)
			if ok != wanted {
				t.Errorf("%s sees %q: %v, want %v", login, title, ok, wanted)
			}
		}
	}
	staff := titles(t, a, "directeur")["Équipe"].ID
	if resp, _ := a.Get(a.ClientAs("eleve"), "/actualites/"+staff); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a pupil opens the staff's news: %d", resp.StatusCode)
	}
	// The home pages show the latest for each.
	_, home := a.Get(a.ClientAs("eleve"), "/accueil")
	d, _ := goquery.NewDocumentFromReader(strings.NewReader(home))
	if panel := d.Find(".news-panel").Text(); !strings.Contains(panel, "École") || strings.Contains(panel, "Équipe") {
		t.Errorf("the pupil's home panel: %q", panel)
	}
}

// Bad input is refused with a reason and writes nothing; only the author
// or the director changes a piece of news; the DSI publishes on central.
func TestRefusals(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	if _, err := a.Auth.CreateUser(t.Context(), auth.NewUser{Login: "dsi", Display: "DSI", Profile: auth.DSI, Password: "demo"}); err != nil {
		t.Fatal(err)
	}
	cm2 := a.ClassID("CM2")
	before := len(titles(t, a, "directeur"))
	for _, c := range []struct {
		login, body, want string
		status            int
	}{
		{"directeur", `{"title":" ","audience":"school"}`, "indiquez un titre", 400},
		{"directeur", `{"title":"Fête","audience":"tout-le-monde"}`, "destinataires inconnus", 400},
		{"enseignant", `{"title":"CM2","audience":"class","class_id":"` + cm2 + `"}`, "vos classes", 403},
		{"directeur", `{"title":"Ailleurs","audience":"class","class_id":"nulle-part"}`, "n'existe pas", 404},
		{"dsi", `{"title":"Ville","audience":"school"}`, "serveur de la ville", 403},
	} {
		if status, out := publish(t, a, c.login, c.body); status != c.status || !strings.Contains(out, c.want) {
			t.Errorf("%s %s: %d %s, want %d %q", c.login, c.body, status, out, c.status, c.want)
		}
	}
	if n := len(titles(t, a, "directeur")); n != before {
		t.Errorf("refusals wrote %d items", n-before)
	}
	status, out := publish(t, a, "directeur", `{"title":"Fête","audience":"school"}`)
	if status != http.StatusCreated {
		t.Fatal(out)
	}
	var created struct{ ID string }
	json.Unmarshal([]byte(out), &created)
	if resp, _ := a.PostForm(a.ClientAs("enseignant"), "/actualites/"+created.ID+"/supprimer", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a teacher deletes the director's news: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(a.ClientAs("directeur"), "/actualites/"+created.ID, url.Values{"titre": {"Grande fête"}, "pour": {"school"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the director edits: %d", resp.StatusCode)
	}
	if _, ok := titles(t, a, "eleve")["Grande fête"]; !ok {
		t.Error("the edit does not show")
	}
}

// multipartNews is the publishing form with a file as its picture.
func multipartNews(t *testing.T, fields map[string]string, name string, content []byte) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="image"; filename="`+name+`"`)
	h.Set("Content-Type", "image/png")
	p, _ := w.CreatePart(h)
	p.Write(content)
	w.Close()
	return w.FormDataContentType(), b.String()
}

// A picture is checked as a picture whatever its name says, shown to the
// readers of its news and to no one else.
func TestPicture(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	var pic bytes.Buffer
	png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	fields := map[string]string{"titre": "Photo de l'équipe", "pour": "staff"}
	ctype, body := multipartNews(t, fields, "equipe.png", pic.Bytes())
	if resp, out := a.Do(a.ClientAs("directeur"), "POST", "/actualites", ctype, body); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish with a picture: %d %.300s", resp.StatusCode, out)
	}
	it := titles(t, a, "enseignant")["Photo de l'équipe"]
	resp, got := a.Get(a.ClientAs("enseignant"), it.ImageURL)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || got != pic.String() {
		t.Errorf("the teacher's picture: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := a.Get(a.ClientAs("parent"), it.ImageURL); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a parent gets the staff's picture: %d", resp.StatusCode)
	}
	// A page named .png is refused, with nothing written.
	before := len(titles(t, a, "directeur"))
	ctype, body = multipartNews(t, map[string]string{"titre": "Piège", "pour": "school"}, "piege.png", []byte("<html><script>alert(1)</script>"))
	if resp, out := a.Do(a.ClientAs("directeur"), "POST", "/actualites", ctype, body); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(out, "pas une image") {
		t.Errorf("a page as a picture: %d", resp.StatusCode)
	}
	if n := len(titles(t, a, "directeur")); n != before {
		t.Error("the refused news was written")
	}
}
