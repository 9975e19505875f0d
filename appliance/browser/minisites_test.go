package browser_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/browser"
	"preau/appliance/feature"
	"preau/appliance/roster"
)

// Pupils' mini-sites, for real: at an enrolled school the teacher starts a
// site for Léa; Léa finds it on her home page, writes its first page in
// the live editor, adds a page under it with a picture, and hands it in;
// the teacher reads it and publishes it to the public; once the school
// has synced, an anonymous visitor reads it on central, its menu, text
// and picture, with Léa's first name and never her last. In French and in
// Arabic, on a desktop and a phone.
func TestMinisitesStory(t *testing.T) {
	b := browser.Start(t, 5*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				central := apptest.New(t, apptest.Options{Role: "central"})
				school := requestsSchool(t, central)
				minisitesClass(t, school)
				s := shots(t, vp)

				teacher := b.Tab(t, school.URL, vp)
				teacher.AcceptLanguage(lang)
				loginForm(t, teacher, "prof.moulin")
				teacher.Open("/mini-sites")
				inLanguage(t, teacher, lang, "the teacher's mini-sites")
				teacher.Type(`form[action="/mini-sites"] input[name="titre"]`, "Les oiseaux de nuit")
				check(t, teacher, `form[action="/mini-sites"] input[name="theme"][value="night"]`)
				check(t, teacher, `form[action="/mini-sites"] input[name="eleves"]`)
				s.maybe(teacher, "enseignant", "minisites-nouveau-"+lang)
				teacher.Click(`form[action="/mini-sites"] button[type="submit"]`)
				site := teacher.Path()
				if !strings.HasPrefix(site, "/mini-sites/") {
					t.Fatalf("creating a site led to %s", site)
				}

				pupil := b.Tab(t, school.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "lea.moulin")
				pupil.Open("/accueil")
				if pupil.Doc().Find(`a[href="/mini-sites"]`).Length() == 0 {
					t.Fatalf("no mini-sites tile on the pupil's home page")
				}
				pupil.Click(`a[href="/mini-sites"]`)
				s.maybe(pupil, "eleve", "minisites-"+lang)
				pupil.Click(`a[href="` + site + `"]`)
				inLanguage(t, pupil, lang, "the pupil's workspace")
				pupil.Click(`.minisite-entry a[href$="/modifier"]`)
				pagesWait(t, pupil, "the pupil's editor", pagesSynced)
				pupil.Type(".ProseMirror", "La chouette chasse la nuit.")
				home := strings.TrimSuffix(strings.TrimPrefix(pupil.Path(), "/pages/"), "/modifier")
				minisitesWaitHTML(t, school, home, "La chouette chasse la nuit.")
				s.maybe(pupil, "eleve", "minisite-editeur-"+lang)
				pupil.Click(`a.back`)
				if pupil.Path() != site {
					t.Fatalf("the editor's way back leads to %s, not the site", pupil.Path())
				}
				pupil.Type(`form.minisite-add input[name="titre"]`, "La chouette effraie")
				browser.Eval[bool](pupil, `(document.querySelector('form.minisite-add select[name="parent"]').selectedIndex = 1, true)`)
				pupil.Click(`form.minisite-add button[type="submit"]`)
				if n := pupil.Doc().Find(".minisite-entry.minisite-sub").Length(); n != 1 {
					t.Fatalf("the new page under the first: %d second-level pages", n)
				}
				browser.Eval[bool](pupil, `(document.querySelectorAll('.minisite-sub details.minisite-tools')[0].open = true, true)`)
				pupil.SetFiles(`.minisite-sub form[action$="/images"] input[type="file"]`, requestsPhoto(t))
				pupil.Click(`.minisite-sub form[action$="/images"] button[type="submit"]`)
				if pupil.Doc().Find(".minisite-sub .minisite-images img").Length() != 1 {
					t.Fatalf("the picture is not on the page")
				}
				s.maybe(pupil, "eleve", "minisite-"+lang)
				pupil.Click(`form[action$="/soumettre"] button[type="submit"]`)
				if st := pupil.Doc().Find(".minisite-head").AttrOr("data-status", ""); st != "submitted" {
					t.Fatalf("handed in, the site is %q", st)
				}

				teacher.Open(site + "/apercu")
				if !strings.Contains(text(teacher.Doc(), ".page-body"), "La chouette chasse la nuit.") {
					t.Fatalf("the teacher's preview: %q", text(teacher.Doc(), ".page-body"))
				}
				s.maybe(teacher, "enseignant", "minisite-apercu-"+lang)
				teacher.Open(site)
				inLanguage(t, teacher, lang, "the teacher's review")
				s.maybe(teacher, "enseignant", "minisite-relecture-"+lang)
				check(t, teacher, `form[action$="/publier"] input[value="public"]`)
				teacher.Click(`form[action$="/publier"] button[type="submit"]`)
				public := teacher.Doc().Find(`.minisite-head a[href^="/public/mini-sites/"]`).AttrOr("href", "")
				if public == "" {
					t.Fatalf("no public address once published")
				}

				if _, err := school.Sync.Client.SyncOnce(t.Context()); err != nil {
					t.Fatalf("sync: %v", err)
				}
				if err := school.Sync.Client.TransferBlobs(t.Context()); err != nil {
					t.Fatal(err)
				}
				visitor := b.Tab(t, central.URL, vp)
				visitor.AcceptLanguage(lang)
				if st := visitor.Open(public); st != 200 {
					t.Fatalf("the public site on central: %d", st)
				}
				inLanguage(t, visitor, lang, "the public site")
				doc := visitor.Doc()
				if !strings.Contains(text(doc, ".page-body"), "La chouette chasse la nuit.") || doc.Find(".minisite-nav a").Length() != 2 {
					t.Fatalf("the public site: %q, %d menu links", text(doc, ".page-body"), doc.Find(".minisite-nav a").Length())
				}
				credits := text(doc, ".minisite-credits")
				if !strings.Contains(credits, "Léa") || strings.Contains(doc.Text(), "Moulinier") {
					t.Errorf("the credits %q, or a last name on the page", credits)
				}
				s.maybe(visitor, "visiteur", "minisite-public-"+lang)
				visitor.Click(`.minisite-nav li li a`)
				if text(visitor.Doc(), ".minisite-page h1") != "La chouette effraie" {
					t.Fatalf("the menu's second level leads to %q", text(visitor.Doc(), ".minisite-page h1"))
				}
				pagesWait(t, visitor, "the picture on central", `[...document.querySelectorAll('.minisite-gallery img')].some(i => i.complete && i.naturalWidth > 0)`)
				s.maybe(visitor, "visiteur", "minisite-public-page-"+lang)
			})
		}
	}
}

// A pupil of the group posts script in every form it knows as a page's
// HTML; the teacher publishes the site to the public; a visitor with no
// account reads it and clicks what can be clicked, as does the teacher in
// the preview: nothing runs.
func TestMinisitesXSS(t *testing.T) {
	b := browser.Start(t, 2*time.Minute)
	app := apptest.New(t, apptest.Options{})
	var site, page, slug string
	if err := app.DB.Reader().QueryRow(`SELECT s.id, p.id FROM minisites s JOIN minisite_pages p ON p.site_id = s.id
		WHERE s.deleted = 0 AND p.deleted = 0 ORDER BY p.position LIMIT 1`).Scan(&site, &page); err != nil {
		t.Fatal(err)
	}
	if resp, _ := app.PostForm(app.ClientAs("eleve"), "/pages/"+page+"/html", url.Values{"html": {strings.Join(pagesXSS, "\n")}}); resp.StatusCode != 200 {
		t.Fatalf("posting the HTML: %d", resp.StatusCode)
	}
	if resp, body := app.Do(app.ClientAs("enseignant"), "POST", "/api/v1/minisites/"+site+"/publish", "application/json", `{"audience":"public"}`); resp.StatusCode != 200 {
		t.Fatalf("publishing: %d %s", resp.StatusCode, body)
	}
	if err := app.DB.Reader().QueryRow("SELECT slug FROM minisites WHERE id = ?", site).Scan(&slug); err != nil {
		t.Fatal(err)
	}
	visitor := b.Tab(t, app.URL, browser.Desktop)
	teacher := b.Tab(t, app.URL, browser.Desktop)
	loginForm(t, teacher, "enseignant")
	for _, who := range []struct {
		name string
		tab  *browser.Tab
		path string
	}{{"visitor", visitor, "/public/mini-sites/" + slug}, {"teacher", teacher, "/mini-sites/" + site + "/apercu"}} {
		who.tab.Open(who.path)
		if who.tab.Doc().Find(".minisite-page").Length() == 0 {
			t.Fatalf("%s: no page at %s", who.name, who.path)
		}
		browser.Eval[bool](who.tab, `(document.querySelectorAll('.minisite-page a, .minisite-page button').forEach(e => { try { e.click() } catch (_) {} }), true)`)
		time.Sleep(time.Second)
		if browser.Eval[bool](who.tab, `window.pwned === 1`) {
			t.Errorf("%s: script ran on %s", who.name, who.path)
		}
	}
}

// minisitesClass gives the school of requestsSchool a class with its
// teacher and Léa, a pupil.
func minisitesClass(t *testing.T, school *apptest.App) {
	t.Helper()
	ctx := t.Context()
	class, err := school.Register.CreateClass(ctx, "ecole-moulin", "CE2", "CE2")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []roster.NewUser{
		{NewUser: auth.NewUser{Login: "prof.moulin", FirstName: "Paul", LastName: "Roche", Profile: auth.Teacher, SchoolID: "ecole-moulin",
			Password: feature.DemoPassword}, ClassIDs: []string{class.ID}},
		{NewUser: auth.NewUser{Login: "lea.moulin", FirstName: "Léa", LastName: "Moulinier", Profile: auth.Pupil, SchoolID: "ecole-moulin",
			Password: feature.DemoPassword}, ClassIDs: []string{class.ID}},
	} {
		if _, err := school.Register.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
}

// minisitesWaitHTML waits until the editor has posted a page's HTML.
func minisitesWaitHTML(t *testing.T, app *apptest.App, page, want string) {
	t.Helper()
	for end := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var html string
		app.DB.Reader().QueryRow("SELECT html FROM pages WHERE id = ?", page).Scan(&html)
		if strings.Contains(html, want) {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("the page's HTML is %q", html)
		}
	}
}

// check ticks a box or a radio button, which leads nowhere (Click waits
// for a page).
func check(t *testing.T, tab *browser.Tab, sel string) {
	t.Helper()
	if !browser.Eval[bool](tab, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (e) e.checked = true; return !!e })()`, sel)) {
		t.Fatalf("nothing to tick: %s", sel)
	}
}
