package sync_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

func page(t *testing.T, a *apptest.App, c *http.Client, path string) *goquery.Document {
	t.Helper()
	resp, body := a.Get(c, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDirectorSyncPageAndConflictRestore(t *testing.T) {
	p := newPair(t, "ecole-a")
	ctx := t.Context()
	dir, err := p.school.Auth.CreateUser(ctx, auth.NewUser{Login: "dir.a", Display: "Dir A", Profile: auth.Director, SchoolID: "ecole-a", Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := p.school.Auth.CreateUser(ctx, auth.NewUser{Login: "prof.e", Display: "Prof E", Profile: auth.Teacher, SchoolID: "ecole-a"})
	syncOnce(t, p.school)
	// Concurrent edits of one column: the school's loses and is kept at the school.
	p.school.Auth.SetDisabled(ctx, u.ID, true)
	p.central.Auth.SetDisabled(ctx, u.ID, true)
	p.central.Auth.SetDisabled(ctx, u.ID, false) // later still: central wins
	syncOnce(t, p.school)

	c := p.school.ClientAs(dir.Login)
	d := page(t, p.school, c, "/synchronisation")
	if link, _ := d.Find("#sync-status").Attr("data-link"); link != "up" {
		t.Fatalf("link shown as %q", link)
	}
	forms := d.Find("form[action^='/synchronisation/conflits/']")
	if forms.Length() == 0 {
		t.Fatalf("no conflict to restore on the page:\n%s", d.Find("table").Text())
	}
	action, _ := forms.First().Attr("action")
	resp, _ := p.school.PostForm(c, action, url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", resp.StatusCode)
	}
	if !strings.Contains(page(t, p.school, c, "/synchronisation").Find("table").Text(), "restaurée") {
		t.Fatal("restored conflict not marked")
	}
	// "Synchroniser maintenant" sends the restored version to central.
	if resp, _ := p.school.PostForm(c, "/synchronisation", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sync now: %d", resp.StatusCode)
	}
	if st, _ := p.school.Sync.Client.Status(ctx); st.PendingOut != 0 {
		t.Fatalf("restored version not sent: %+v", st)
	}
	// Another school's conflict number is not restorable from here.
	if resp, _ := p.school.PostForm(c, "/synchronisation/conflits/999", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown conflict: %d", resp.StatusCode)
	}
}

func TestDSISchoolsPage(t *testing.T) {
	p := newPair(t, "ecole-a")
	syncOnce(t, p.school)
	c := p.central.ClientAs("dsi")
	d := page(t, p.central, c, "/ecoles")
	row := d.Find("tr[data-school='ecole-a']")
	if row.Length() != 1 || !strings.Contains(row.Text(), "inscrite") {
		t.Fatalf("ecole-a row: %q", row.Text())
	}
	if d.Find("svg rect").Length() == 0 {
		t.Fatal("no sync volume chart")
	}
	// Adding a school shows its one-time token, which enrolls a school.
	resp, body := p.central.PostForm(c, "/ecoles", url.Values{"id": {"ecole-neuve"}, "name": {"École neuve"}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("add school: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	d, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	token := d.Find("[data-token]").Text()
	n := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": "ecole-neuve"}})
	if _, err := n.Sync.Client.Enroll(t.Context(), p.central.URL, token); err != nil {
		t.Fatalf("token from the page does not enroll: %v", err)
	}
	resp, body = p.central.PostForm(c, "/ecoles", url.Values{"id": {"École Invalide"}, "name": {"x"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "invalide") {
		t.Fatalf("invalid id: %d", resp.StatusCode)
	}
	// Revoking stops the school's sync.
	if resp, _ := p.central.PostForm(c, "/ecoles/ecole-a/revoquer", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if _, err := p.school.Sync.Client.SyncOnce(t.Context()); err == nil {
		t.Fatal("revoked school still syncs")
	}
}

// The director's page says when the school last heard central; the DSI's,
// when central last heard each school, and which hold their live request.
func TestPagesSayWhenEachSideLastHeardTheOther(t *testing.T) {
	t.Parallel() // it mostly waits
	p := newPair(t, "ecole-a")
	if _, err := p.school.Auth.CreateUser(t.Context(), auth.NewUser{Login: "dir.a", Display: "Dir A", Profile: auth.Director,
		SchoolID: "ecole-a", Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
	run(t, p.school)
	waitFor(t, "the live request did not open", 5*time.Second, func() bool { return status(t, p.school).Live })
	// Central answers the live request whenever it holds rows for the
	// school, and the school opens another after pulling them: the pages are
	// read until both show the request open, as a person reloading would.
	var heard, link, contact string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		d := page(t, p.school, p.school.ClientAs("dir.a"), "/synchronisation")
		heard, link = d.Find("#sync-heard").Text(), d.Find(".link-up").Text()
		row := page(t, p.central, p.central.ClientAs("dsi"), "/ecoles").Find("tr[data-school='ecole-a'] td[data-label='Dernier contact']")
		if contact = strings.TrimSpace(row.Text()); strings.Contains(link, "arrivent aussitôt") && contact == "en direct" {
			break
		}
	}
	if !strings.Contains(heard, "dernier contact avec la ville") || !strings.Contains(heard, "à l'instant") {
		t.Errorf("director's page: %q", heard)
	}
	if !strings.Contains(link, "arrivent aussitôt") {
		t.Errorf("director's page, link: %q", link)
	}
	if contact != "en direct" {
		t.Errorf("DSI's page, last contact of ecole-a: %q", contact)
	}
}
