package browser_test

import (
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
	"preau/appliance/documents"
)

// The city's library, for real: on central the DSI finds the demo city's
// documents and its publishing form; at a school, where the city's rows
// arrived (written here as sync writes them) and one file is not in the
// cache, the pupil sees the cards and « Disponible quand la connexion
// revient » on the missing one, and the director the cache's page. In
// French and in Arabic, on a desktop and a phone.
func TestLibraryStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				s := shots(t, vp)
				central := apptest.New(t, apptest.Options{Role: "central"})
				dsi := b.Tab(t, central.URL, vp)
				dsi.AcceptLanguage(lang)
				loginForm(t, dsi, "dsi")
				dsi.Open("/documents/ville")
				inLanguage(t, dsi, lang, "the DSI's library")
				if got := text(dsi.Doc(), "#bibliotheque"); !strings.Contains(got, "Programme de la médiathèque municipale.txt") {
					t.Errorf("the DSI's library: %q", got)
				}
				if dsi.Doc().Find(`form[action="/documents/ville"] input[name="ecoles"]`).Length() == 0 {
					t.Errorf("the DSI's form offers no school to choose")
				}
				s.maybe(dsi, "dsi", "bibliotheque-"+lang)

				school := apptest.New(t, apptest.Options{})
				city := documents.NewCentralService(school.DB, school.Register, documents.Limits{MaxFile: 1 << 20})
				var away documents.Document
				for _, name := range []string{"Consignes d'évacuation.txt", "Carte des parcs de la ville.txt"} {
					d, _, err := city.ShareCity(t.Context(), central.User("dsi"), documents.Upload{Name: name, Size: -1, Content: strings.NewReader(name)}, nil)
					if err != nil {
						t.Fatal(err)
					}
					away = d
				}
				if err := school.DB.Blobs().Remove(away.Blob); err != nil {
					t.Fatal(err)
				}
				pupil := b.Tab(t, school.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open("/documents")
				pupil.Click(`a[href="/documents/ville"]`)
				inLanguage(t, pupil, lang, "the pupil's library")
				if n := pupil.Doc().Find("#bibliotheque .away").Length(); n != 1 {
					t.Errorf("%d documents marked as waiting for the connection, want 1", n)
				}
				if pupil.Overflow() > 0 {
					t.Errorf("the pupil's library scrolls sideways")
				}
				s.maybe(pupil, "eleve", "bibliotheque-"+lang)

				director := b.Tab(t, school.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				director.Open("/documents/ville/cache")
				inLanguage(t, director, lang, "the director's cache")
				if n := director.Doc().Find(`#cache tr[data-here]`).Length(); n != 2 {
					t.Errorf("the cache page lists %d files, want 2", n)
				}
				s.maybe(director, "directeur", "bibliotheque-cache-"+lang)
			})
		}
	}
}
