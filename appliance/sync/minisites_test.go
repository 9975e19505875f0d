package sync_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A pupils' mini-site across the link: written and published to the
// public at school, it is read on central by anyone, with no login, its
// picture too; a site published to the class only is not; unpublished at
// school, it leaves central at the next sync.
func TestPublicMiniSiteReadOnCentral(t *testing.T) {
	p := newPair(t, "ecole-a")
	ctx := t.Context()
	class, _, pupil, _ := p.family(t, "CE1", "a")
	teacher, lea := p.school.ClientAs("prof.a"), p.school.ClientAs("eleve.a")
	create := func(title string) string {
		t.Helper()
		resp, out := p.school.Do(teacher, "POST", "/api/v1/minisites", "application/json",
			`{"title":"`+title+`","class_id":"`+class.ID+`","pupils":["`+pupil.ID+`"],"theme":"night"}`)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, out)
		}
		var c struct{ ID string }
		json.Unmarshal([]byte(out), &c)
		return c.ID
	}
	type site struct {
		URL   string
		Pages []struct {
			ID     string
			Images []string
		}
	}
	get := func(id string) site {
		t.Helper()
		_, out := p.school.Get(lea, "/api/v1/minisites/"+id)
		var s site
		json.Unmarshal([]byte(out), &s)
		return s
	}
	public, classOnly := create("Les planètes"), create("Notre classe")
	home := get(public).Pages[0].ID
	if resp, out := p.school.PostForm(lea, "/pages/"+home+"/html", url.Values{"html": {"<p>Saturne a des anneaux.</p><script>alert(1)</script>"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("the pupil writes: %d %s", resp.StatusCode, out)
	}
	img := image.NewRGBA(image.Rect(0, 0, 30, 20))
	img.Set(2, 2, color.RGBA{250, 200, 0, 255})
	var pic, form bytes.Buffer
	png.Encode(&pic, img)
	mw := multipart.NewWriter(&form)
	w, _ := mw.CreateFormFile("image", "saturne.png")
	w.Write(pic.Bytes())
	mw.Close()
	if resp, out := p.school.Do(lea, "POST", "/mini-sites/"+public+"/pages/"+home+"/images", mw.FormDataContentType(), form.String()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the picture: %d %s", resp.StatusCode, out)
	}
	for id, audience := range map[string]string{public: "public", classOnly: "class"} {
		if resp, out := p.school.Do(teacher, "POST", "/api/v1/minisites/"+id+"/publish", "application/json", `{"audience":"`+audience+`"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("publish %s: %d %s", audience, resp.StatusCode, out)
		}
	}
	s := get(public)
	picture := s.Pages[0].Images[0]
	syncOnce(t, p.school)
	if err := p.school.Sync.Client.TransferBlobs(ctx); err != nil {
		t.Fatal(err)
	}

	anyone := p.central.Client()
	resp, out := p.central.Get(anyone, s.URL)
	if resp.StatusCode != http.StatusOK || !strings.Contains(out, "Saturne a des anneaux.") || strings.Contains(out, "alert(1)") {
		t.Fatalf("the public site on central: %d %s", resp.StatusCode, out)
	}
	if resp, got := p.central.Get(anyone, picture); resp.StatusCode != http.StatusOK || got != pic.String() {
		t.Fatalf("its picture on central: %d", resp.StatusCode)
	}
	if resp, _ := p.central.Get(anyone, "/mini-sites/"+classOnly+"/lire"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a class's site for anyone on central: %d", resp.StatusCode)
	}
	if resp, _ := p.central.Get(p.central.ClientAs("parent.a"), "/mini-sites/"+classOnly+"/lire"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a class's site for a parent on central: %d", resp.StatusCode)
	}

	if resp, out := p.school.Do(teacher, "POST", "/api/v1/minisites/"+public+"/unpublish", "", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("unpublish: %d %s", resp.StatusCode, out)
	}
	syncOnce(t, p.school)
	for _, path := range []string{s.URL, picture} {
		if resp, _ := p.central.Get(anyone, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unpublished at school, %s on central: %d", path, resp.StatusCode)
		}
	}
}
