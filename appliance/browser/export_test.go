package browser_test

import (
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// exportFetch follows the export link of the page as its reader would,
// with their session, and tells what came back: the status, the type, and
// whether the zip names the README and the account's folder.
func exportFetch(t *testing.T, tab *browser.Tab) string {
	t.Helper()
	return browser.Eval[string](tab, `(() => { const x = new XMLHttpRequest(); x.open("GET", document.querySelector("a#export").href, false);
		x.overrideMimeType("text/plain; charset=x-user-defined"); x.send();
		return [x.status, x.getResponseHeader("Content-Type"), x.getResponseHeader("Content-Disposition").split(";")[0],
			x.responseText.startsWith("PK"), x.responseText.includes("README.txt"), x.responseText.includes("roster/account.json")].join(" ") })()`)
}

// A parent downloads their data from their account page; the director
// downloads a pupil's from the pupil's account page, for the family who
// asked. In French and in Arabic, on a desktop and a phone.
func TestExportStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	labels := map[string][2]string{"fr": {"Télécharger mes données", "Télécharger ses données"}, "ar": {"تنزيل بياناتي", "تنزيل بياناته"}}
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				app := apptest.New(t, apptest.Options{})
				s := shots(t, vp)
				const want = "200 application/zip attachment true true true"

				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Open("/accueil")
				if parent.Doc().Find(`a[href="/mon-compte"]`).Length() == 0 {
					t.Fatal("no link to the account page from the parent's home page")
				}
				parent.Open("/mon-compte")
				inLanguage(t, parent, lang, "the parent's account page")
				link := parent.Doc().Find("a#export")
				if got := strings.TrimSpace(link.Text()); got != labels[lang][0] {
					t.Errorf("the export link reads %q, want %q", got, labels[lang][0])
				}
				if _, ok := link.Attr("download"); !ok || link.AttrOr("href", "") != "/api/v1/me/export" {
					t.Errorf("the export link is not a download of /api/v1/me/export: %v", link.Nodes)
				}
				browser.Eval[bool](parent, `(document.querySelector("a#export").scrollIntoView({block: "center"}), true)`)
				s.maybe(parent, "parent", "export-mon-compte-"+lang)
				if got := exportFetch(t, parent); got != want {
					t.Errorf("the parent's export: %q, want %q", got, want)
				}

				director := b.Tab(t, app.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				pupil := app.User("eleve")
				director.Open("/comptes/" + pupil.ID)
				inLanguage(t, director, lang, "a pupil's account page")
				link = director.Doc().Find("a#export")
				if got := strings.TrimSpace(link.Text()); got != labels[lang][1] {
					t.Errorf("the director's export link reads %q, want %q", got, labels[lang][1])
				}
				if link.AttrOr("href", "") != "/api/v1/users/"+pupil.ID+"/export" {
					t.Errorf("the director's export link goes to %q", link.AttrOr("href", ""))
				}
				browser.Eval[bool](director, `(document.querySelector("a#export").scrollIntoView({block: "center"}), true)`)
				s.maybe(director, "directeur", "export-compte-eleve-"+lang)
				if got := exportFetch(t, director); got != want {
					t.Errorf("the director's export of a pupil: %q, want %q", got, want)
				}
			})
		}
	}
}
