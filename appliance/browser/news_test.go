package browser_test

import (
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// News, for real: the director publishes for the parents through the
// form; the parent finds it in the list and on their home page; the pupil
// does not, but sees the school's and the class's, with the garden's
// picture. In French and in Arabic, on a desktop and a phone.
func TestNewsStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				app := apptest.New(t, apptest.Options{})
				s := shots(t, vp)
				director := b.Tab(t, app.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				director.Open("/actualites/nouvelle")
				inLanguage(t, director, lang, "the publishing form")
				director.Type(`input[name="titre"]`, "Réunion parents-professeurs")
				director.Type(`textarea[name="texte"]`, "Mardi à 17 h, dans chaque classe.")
				browser.Eval[bool](director, `document.querySelector('input[name="pour"][value="parents"]').checked = true`)
				s.maybe(director, "directeur", "actualite-nouvelle-"+lang)
				director.Click(`form[action="/actualites"] button[type="submit"]`)
				if !strings.Contains(text(director.Doc(), "#actualites"), "Réunion parents-professeurs") {
					t.Fatalf("the new item is not listed")
				}
				s.maybe(director, "directeur", "actualites-"+lang)

				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Open("/accueil")
				if !strings.Contains(text(parent.Doc(), ".news-panel"), "Réunion parents-professeurs") {
					t.Errorf("the parent's home page does not show the latest news")
				}
				s.maybe(parent, "parent", "accueil-actualites-"+lang)
				parent.Open("/actualites")
				inLanguage(t, parent, lang, "the parent's news")
				s.maybe(parent, "parent", "actualites-"+lang)

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open("/actualites")
				inLanguage(t, pupil, lang, "the pupil's news")
				list := text(pupil.Doc(), "#actualites")
				if strings.Contains(list, "Réunion parents-professeurs") || !strings.Contains(list, "Le potager du CE1") {
					t.Errorf("the pupil's news: %q", list)
				}
				// Pictures load lazily: bring each into view, then wait for it.
				loaded := `[...document.querySelectorAll("#actualites img.news-image")].every(i => (i.scrollIntoView(), i.complete && i.naturalWidth > 0))`
				for end := time.Now().Add(5 * time.Second); !browser.Eval[bool](pupil, loaded); time.Sleep(100 * time.Millisecond) {
					if time.Now().After(end) {
						t.Errorf("a picture does not show")
						break
					}
				}
				browser.Eval[bool](pupil, `(window.scrollTo(0, 0), true)`)
				s.maybe(pupil, "eleve", "actualites-"+lang)
				pupil.Open("/accueil")
				s.maybe(pupil, "eleve", "accueil-"+lang)
			})
		}
	}
}
