package browser_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// The search, for real: the teacher's homework is found by the pupil
// typing a word without its accent, from the top bar's box (on a phone,
// its loupe opens the search page); the teacher finds it too, the word
// marked in its snippet. In French and in Arabic, on a desktop and a phone.
func TestSearchStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				app := apptest.New(t, apptest.Options{})
				s := shots(t, vp)
				entry, _ := json.Marshal(map[string]string{"class_id": app.ClassID("CE1"), "due": time.Now().AddDate(0, 0, 2).Format("2006-01-02"),
					"title": "Poésie : l'écureuil", "body": "Apprendre la première strophe de la poésie."})
				if resp, body := app.Do(app.ClientAs("enseignant"), "POST", "/api/v1/homework", "application/json", string(entry)); resp.StatusCode != http.StatusCreated {
					t.Fatalf("homework: %d %s", resp.StatusCode, body)
				}

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				if vp.Name == browser.Phone.Name {
					pupil.Click(`.topsearch button`)
					pupil.Type(`#search-q`, "ecureuil")
					pupil.Click(`.search-form button[type="submit"]`)
				} else {
					pupil.Type(`#topsearch-q`, "ecureuil")
					pupil.Click(`.topsearch button`)
				}
				inLanguage(t, pupil, lang, "the pupil's search")
				if got := text(pupil.Doc(), "#search-results"); !strings.Contains(got, "Poésie : l'écureuil") {
					t.Errorf("the pupil searching « ecureuil » found %q", got)
				}
				if pupil.Overflow() > 0 {
					t.Errorf("the pupil's results scroll sideways")
				}
				s.maybe(pupil, "eleve", "recherche-"+lang)

				teacher := b.Tab(t, app.URL, vp)
				teacher.AcceptLanguage(lang)
				loginForm(t, teacher, "enseignant")
				teacher.Open("/recherche?q=POESIE")
				group := teacher.Doc().Find(`.search-group[data-kind="homework"]`)
				if !strings.Contains(group.Text(), "Poésie : l'écureuil") {
					t.Errorf("the teacher's results: %q", text(teacher.Doc(), "main"))
				}
				if marked := group.Find("mark").First().Text(); !strings.EqualFold(marked, "poésie") {
					t.Errorf("the word found is not marked in the snippet: %q", marked)
				}
				if teacher.Overflow() > 0 {
					t.Errorf("the teacher's results scroll sideways")
				}
				s.maybe(teacher, "enseignant", "recherche-"+lang)
			})
		}
	}
}
