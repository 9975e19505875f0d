package sync_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// The class blog across the link: a teacher posts photos at school; once
// synced, the class's parent reads the post and its photos at home on
// central and comments there; the comment comes back to the school,
// where the teacher approves it. A parent of another class finds nothing
// on central either.
func TestBlogPostReachesParentsAtHome(t *testing.T) {
	p := newPair(t, "ecole-a")
	ctx := t.Context()
	class, _, _, _ := p.family(t, "CE1", "a")
	p.family(t, "CM2", "b")
	teacher := p.school.ClientAs("prof.a")
	if resp, _ := p.school.PostForm(teacher, "/cahier-de-vie/reglages", map[string][]string{"classe": {class.ID}, "commentaires": {"1"}, "validation": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", resp.StatusCode)
	}
	resp, out := p.school.Do(teacher, "POST", "/api/v1/blog", "application/json", `{"class_id":"`+class.ID+`","title":"Sortie","body":"Au parc"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("posting: %d %s", resp.StatusCode, out)
	}
	var created struct{ ID string }
	json.Unmarshal([]byte(out), &created)
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	img.Set(1, 1, color.White)
	var pic, form bytes.Buffer
	png.Encode(&pic, img)
	mw := multipart.NewWriter(&form)
	w, _ := mw.CreateFormFile("file", "parc.png")
	w.Write(pic.Bytes())
	mw.Close()
	if resp, out := p.school.Do(teacher, "POST", "/api/v1/blog/"+created.ID+"/photos", mw.FormDataContentType(), form.String()); resp.StatusCode != http.StatusCreated {
		t.Fatalf("the photo: %d %s", resp.StatusCode, out)
	}
	syncOnce(t, p.school)
	if err := p.school.Sync.Client.TransferBlobs(ctx); err != nil {
		t.Fatal(err)
	}

	home := p.central.ClientAs("parent.a")
	resp, out = p.central.Get(home, "/api/v1/blog/"+created.ID)
	var post struct {
		Photos []struct{ Original string }
	}
	json.Unmarshal([]byte(out), &post)
	if resp.StatusCode != http.StatusOK || len(post.Photos) != 1 {
		t.Fatalf("the parent at home: %d %s", resp.StatusCode, out)
	}
	if resp, photo := p.central.Get(home, post.Photos[0].Original); resp.StatusCode != http.StatusOK || photo != pic.String() {
		t.Fatalf("the photo at home: %d", resp.StatusCode)
	}
	other := p.central.ClientAs("parent.b")
	for _, path := range []string{"/api/v1/blog/" + created.ID, post.Photos[0].Original} {
		if resp, _ := p.central.Get(other, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another class's parent at home gets %s: %d", path, resp.StatusCode)
		}
	}
	if _, out := p.central.Get(other, "/api/v1/blog"); strings.Contains(out, created.ID) {
		t.Error("another class's parent lists the post at home")
	}

	resp, out = p.central.Do(home, "POST", "/api/v1/blog/"+created.ID+"/comments", "application/json", `{"body":"Merci !"}`)
	var comment struct{ ID, Status string }
	json.Unmarshal([]byte(out), &comment)
	if resp.StatusCode != http.StatusCreated || comment.Status != "pending" {
		t.Fatalf("the comment at home: %d %s", resp.StatusCode, out)
	}
	syncOnce(t, p.school)
	if resp, out := p.school.Do(teacher, "POST", "/api/v1/blog/comments/"+comment.ID+"/approve", "", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("the teacher approves at school: %d %s", resp.StatusCode, out)
	}
	syncOnce(t, p.school)
	if _, out := p.central.Get(p.central.ClientAs("parent.b"), "/api/v1/blog/"+created.ID); strings.Contains(out, "Merci") {
		t.Error("the comment reached another class's parent")
	}
	if _, out := p.central.Get(home, "/api/v1/blog/"+created.ID); !strings.Contains(out, `"status":"approved"`) {
		t.Errorf("the approved comment at home: %s", out)
	}
}
