package forum_test

import (
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/forum"
)

type forumItem struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Audience string `json:"audience"`
}

type threadBody struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Locked bool   `json:"locked"`
	Posts  []struct {
		ID     string `json:"id"`
		Body   string `json:"body"`
		HTML   string `json:"html"`
		Status string `json:"status"`
		Author string `json:"author"`
	} `json:"posts"`
}

func call(t *testing.T, a *apptest.App, login, method, path, body string, want int) string {
	t.Helper()
	ctype := ""
	if body != "" {
		ctype = "application/json"
	}
	resp, out := a.Do(a.ClientAs(login), method, path, ctype, body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s as %s: %d, want %d\n%.400s", method, path, login, resp.StatusCode, want, out)
	}
	return out
}

func forums(t *testing.T, a *apptest.App, login string) map[string]forumItem {
	t.Helper()
	var list []forumItem
	if err := json.Unmarshal([]byte(call(t, a, login, "GET", "/api/v1/forums", "", http.StatusOK)), &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]forumItem{}
	for _, f := range list {
		out[f.Audience] = f
	}
	return out
}

func created(t *testing.T, out string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Each profile sees the demo school's forums meant for it: pupils never
// the staff's or the parents', parents never the staff's.
func TestWhoSeesWhich(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	want := map[string][]string{
		"eleve":      {"class", "school"},
		"parent":     {"class", "parents", "school"},
		"enseignant": {"class", "parents", "school", "staff"},
		"directeur":  {"class", "parents", "school", "staff"},
	}
	for login, audiences := range want {
		got := forums(t, a, login)
		if len(got) != len(audiences) {
			t.Errorf("%s sees %v, want %v", login, got, audiences)
		}
		for _, au := range audiences {
			if _, ok := got[au]; !ok {
				t.Errorf("%s does not see the %s forum", login, au)
			}
		}
	}
	staff := forums(t, a, "directeur")["staff"].ID
	call(t, a, "eleve", "GET", "/api/v1/forums/"+staff+"/threads", "", http.StatusNotFound)
	call(t, a, "parent", "POST", "/api/v1/forums/"+staff+"/threads", `{"title":"Intrus","body":"Bonjour"}`, http.StatusNotFound)
	// Parents read the class's forum, and write only in their own.
	class := forums(t, a, "parent")["class"].ID
	call(t, a, "parent", "GET", "/api/v1/forums/"+class+"/threads", "", http.StatusOK)
	call(t, a, "parent", "POST", "/api/v1/forums/"+class+"/threads", `{"title":"Parent","body":"Bonjour"}`, http.StatusForbidden)
}

// A thread and its replies: Markdown through the one policy, quotes,
// edits of one's own posts only, a locked thread closed but to its
// moderators, and bad input refused with nothing written.
func TestThreadLife(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	parents := forums(t, a, "parent")["parents"].ID
	th := created(t, call(t, a, "parent", "POST", "/api/v1/forums/"+parents+"/threads",
		`{"title":"Sortie","body":"**Qui** vient ? <script>alert(1)</script> ![x](https://evil.example/p.png)"}`, http.StatusCreated))
	var got threadBody
	json.Unmarshal([]byte(call(t, a, "enseignant", "GET", "/api/v1/threads/"+th["id"], "", http.StatusOK)), &got)
	if len(got.Posts) != 1 || !strings.Contains(got.Posts[0].HTML, "<strong>Qui</strong>") || strings.Contains(got.Posts[0].HTML, "<script") ||
		strings.Contains(got.Posts[0].HTML, "evil.example") {
		t.Fatalf("first post: %+v", got.Posts)
	}
	reply := created(t, call(t, a, "enseignant", "POST", "/api/v1/threads/"+th["id"]+"/posts", `{"body":"> **Parent**\n> Qui vient ?\n\nMoi !"}`, http.StatusCreated))
	if !strings.Contains(reply["html"], "<blockquote>") {
		t.Errorf("a quote: %s", reply["html"])
	}
	// Only its author edits a post.
	call(t, a, "directeur", "PATCH", "/api/v1/posts/"+reply["id"], `{"body":"Piraté"}`, http.StatusForbidden)
	call(t, a, "enseignant", "PATCH", "/api/v1/posts/"+reply["id"], `{"body":"Moi aussi !"}`, http.StatusOK)
	// Bad input: refused, nothing written.
	for _, body := range []string{`{"body":""}`, `{"body":"` + strings.Repeat("a", 20001) + `"}`, `{"body":"a\u202eb"}`, `not json`} {
		resp, out := a.Do(a.ClientAs("parent"), "POST", "/api/v1/threads/"+th["id"]+"/posts", "application/json", body)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%.30s: %d %s", body, resp.StatusCode, out)
		}
	}
	call(t, a, "parent", "POST", "/api/v1/forums/"+parents+"/threads", `{"title":"","body":"x"}`, http.StatusBadRequest)
	call(t, a, "parent", "POST", "/api/v1/forums/"+parents+"/threads", `{"title":"x","body":"y","category":"Inconnue"}`, http.StatusBadRequest)
	json.Unmarshal([]byte(call(t, a, "parent", "GET", "/api/v1/threads/"+th["id"], "", http.StatusOK)), &got)
	if len(got.Posts) != 2 || got.Posts[1].Body != "Moi aussi !" {
		t.Fatalf("after the bad input: %+v", got.Posts)
	}
	// Locked: the parent may no longer reply, the teacher may.
	resp, out := a.PostForm(a.ClientAs("enseignant"), "/forum/"+parents+"/"+th["id"]+"/verrouiller", map[string][]string{"etat": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("lock: %d %.300s", resp.StatusCode, out)
	}
	call(t, a, "parent", "POST", "/api/v1/threads/"+th["id"]+"/posts", `{"body":"Encore"}`, http.StatusForbidden)
	call(t, a, "enseignant", "POST", "/api/v1/threads/"+th["id"]+"/posts", `{"body":"Fermé."}`, http.StatusCreated)
	// A moderator deletes anyone's post; its author's own first post
	// deletes the thread.
	call(t, a, "directeur", "DELETE", "/api/v1/posts/"+got.Posts[1].ID, "", http.StatusNoContent)
	call(t, a, "eleve", "DELETE", "/api/v1/posts/"+got.Posts[0].ID, "", http.StatusNotFound)
	call(t, a, "parent", "DELETE", "/api/v1/posts/"+got.Posts[0].ID, "", http.StatusNoContent)
	call(t, a, "parent", "GET", "/api/v1/threads/"+th["id"], "", http.StatusNotFound)
}

// A pupil's post in a moderated forum waits for the teacher; a report
// reaches the moderation queue, and taking the post down hides it.
func TestModeration(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	class := forums(t, a, "eleve")["class"].ID
	th := created(t, call(t, a, "eleve", "POST", "/api/v1/forums/"+class+"/threads", `{"title":"Mon chat","body":"Il s'appelle Pompon."}`, http.StatusCreated))
	if th["status"] != "held" {
		t.Fatalf("a pupil's thread in a moderated forum: %v", th)
	}
	// Held: the pupil sees it, the class's other readers do not.
	call(t, a, "eleve", "GET", "/api/v1/threads/"+th["id"], "", http.StatusOK)
	call(t, a, "parent", "GET", "/api/v1/threads/"+th["id"], "", http.StatusNotFound)
	_, page := a.Get(a.ClientAs("enseignant"), "/forum/moderation")
	if !strings.Contains(page, "Pompon") {
		t.Fatalf("the teacher's queue lacks the held post")
	}
	resp, _ := a.PostForm(a.ClientAs("enseignant"), "/forum/messages/"+th["post_id"]+"/accepter", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	call(t, a, "parent", "GET", "/api/v1/threads/"+th["id"], "", http.StatusOK)
	// Reported, then taken down.
	call(t, a, "parent", "POST", "/api/v1/posts/"+th["post_id"]+"/reports", `{"reason":"Hors sujet"}`, http.StatusCreated)
	_, page = a.Get(a.ClientAs("directeur"), "/forum/moderation")
	if !strings.Contains(page, "Hors sujet") {
		t.Fatalf("the director's queue lacks the report")
	}
	var report string
	a.DB.Reader().QueryRow("SELECT id FROM forum_reports WHERE post_id = ?", th["post_id"]).Scan(&report)
	resp, _ = a.PostForm(a.ClientAs("enseignant"), "/forum/signalements/"+report+"/retirer", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("take down: %d", resp.StatusCode)
	}
	// Its only post gone, the thread is gone for its readers.
	call(t, a, "parent", "GET", "/api/v1/threads/"+th["id"], "", http.StatusNotFound)
	var got threadBody
	json.Unmarshal([]byte(call(t, a, "enseignant", "GET", "/api/v1/threads/"+th["id"], "", http.StatusOK)), &got)
	if len(got.Posts) != 0 {
		t.Errorf("a removed post still shows: %+v", got.Posts)
	}
}

// The top bar's search finds published posts for their forum's readers
// only: the staff's room stays the staff's, a held post nobody's.
func TestSearchFindsPosts(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	find := func(login, q string) bool {
		t.Helper()
		resp, body := a.Get(a.ClientAs(login), "/api/v1/search?q="+q)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("search as %s: %d %s", login, resp.StatusCode, body)
		}
		return strings.Contains(body, "/forum/")
	}
	if !find("enseignant", "jardin") || find("eleve", "jardin") || find("parent", "jardin") {
		t.Errorf("the staff room's post: found by the teacher only")
	}
	if !find("parent", "covoiturage") || find("eleve", "covoiturage") {
		t.Errorf("the parents' forum's post: found by the parent, not the pupil")
	}
	// The demo pupil's reply is held: no one finds it yet.
	if find("enseignant", "renard") {
		t.Errorf("a held post is found")
	}
}

// A forum's moderators change its settings, not who it is for; others
// may not; a bad title is refused with nothing written.
func TestForumSettings(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	parents := forums(t, a, "parent")["parents"].ID
	call(t, a, "enseignant", "PATCH", "/api/v1/forums/"+parents, `{"title":"Les parents du CE1","categories":["Sorties"],"moderated":false}`, http.StatusOK)
	call(t, a, "parent", "PATCH", "/api/v1/forums/"+parents, `{"title":"Piraté"}`, http.StatusForbidden)
	call(t, a, "enseignant", "PATCH", "/api/v1/forums/"+parents, `{"title":""}`, http.StatusBadRequest)
	if got := forums(t, a, "parent")["parents"]; got.Title != "Les parents du CE1" {
		t.Errorf("after the settings: %+v", got)
	}
	resp, page := a.Get(a.ClientAs("enseignant"), "/forum/reglages/"+parents)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Les parents du CE1") || strings.Contains(page, `name="pour"`) {
		t.Errorf("the settings page: %d", resp.StatusCode)
	}
}

// The pages: quoting a post fills the reply with it in Markdown; a post
// with neither text nor file, or an empty file, is refused with the
// form kept and nothing written.
func TestPagesQuoteAndRefuse(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	parents := forums(t, a, "parent")["parents"].ID
	var threads []struct {
		ID string `json:"id"`
	}
	json.Unmarshal([]byte(call(t, a, "parent", "GET", "/api/v1/forums/"+parents+"/threads", "", http.StatusOK)), &threads)
	var got threadBody
	json.Unmarshal([]byte(call(t, a, "parent", "GET", "/api/v1/threads/"+threads[0].ID, "", http.StatusOK)), &got)
	path := "/forum/" + parents + "/" + threads[0].ID
	resp, page := a.Get(a.ClientAs("enseignant"), path+"?citer="+got.Posts[0].ID)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "&gt; **"+got.Posts[0].Author+"**") {
		t.Errorf("the quote is not in the reply: %d", resp.StatusCode)
	}
	before := len(got.Posts)
	resp, page = a.PostForm(a.ClientAs("parent"), path, map[string][]string{"texte": {"   "}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "écrivez un message") {
		t.Errorf("an empty post: %d", resp.StatusCode)
	}
	body := &strings.Builder{}
	mw := multipart.NewWriter(body)
	mw.WriteField("texte", "Avec un fichier vide")
	mw.CreateFormFile("fichiers", "vide.txt")
	mw.Close()
	resp, page = a.Do(a.ClientAs("parent"), "POST", path, mw.FormDataContentType(), body.String())
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Avec un fichier vide") {
		t.Errorf("an empty file: %d, the text kept: %v", resp.StatusCode, strings.Contains(page, "Avec un fichier vide"))
	}
	json.Unmarshal([]byte(call(t, a, "parent", "GET", "/api/v1/threads/"+threads[0].ID, "", http.StatusOK)), &got)
	if len(got.Posts) != before {
		t.Errorf("a refused post was written")
	}
}

// Nothing people write runs in a reader's page: the one policy takes
// scripts, handlers, dangerous URLs and foreign images out of posts.
func TestPostsAreSanitized(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	parents := forums(t, a, "parent")["parents"].ID
	for _, body := range []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`[lien](javascript:alert(1))`,
		`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
		`<svg onload=alert(1)>`,
		`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
		`<a href="jav&#x09;ascript:alert(1)">x</a>`,
		`<div style="background:url(javascript:alert(1))">x</div>`,
		`![espion](https://evil.example/pixel.png)`,
		`<iframe src="/forum"></iframe>`,
	} {
		in, _ := json.Marshal(map[string]string{"title": "Essai", "body": body})
		out := created(t, call(t, a, "parent", "POST", "/api/v1/forums/"+parents+"/threads", string(in), http.StatusCreated))
		var got threadBody
		json.Unmarshal([]byte(call(t, a, "parent", "GET", "/api/v1/threads/"+out["id"], "", http.StatusOK)), &got)
		html := strings.ToLower(got.Posts[0].HTML)
		for _, bad := range []string{"<script", "onerror", "onload", "javascript:", "<svg", "<iframe", "evil.example", "style=", "data:image/svg"} {
			if strings.Contains(html, bad) {
				t.Errorf("%s → %s", body, got.Posts[0].HTML)
			}
		}
	}
}

// A person's files in the forums stay within their quota: over it, the
// post is refused and nothing written.
func TestFilesQuota(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	old := forum.UserQuota
	forum.UserQuota = 100
	t.Cleanup(func() { forum.UserQuota = old })
	parents := forums(t, a, "parent")["parents"].ID
	body := &strings.Builder{}
	mw := multipart.NewWriter(body)
	mw.WriteField("titre", "Trop gros")
	mw.WriteField("texte", "Voici le plan")
	fw, _ := mw.CreateFormFile("fichiers", "plan.txt")
	fw.Write([]byte(strings.Repeat("x", 200)))
	mw.Close()
	resp, page := a.Do(a.ClientAs("parent"), "POST", "/forum/"+parents, mw.FormDataContentType(), body.String())
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "supprimez-en") {
		t.Errorf("over the quota: %d", resp.StatusCode)
	}
	var n int
	a.DB.Reader().QueryRow("SELECT count(*) FROM forum_threads WHERE title = 'Trop gros'").Scan(&n)
	if n != 0 {
		t.Errorf("a refused thread was written")
	}
}
