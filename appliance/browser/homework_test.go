package browser_test

import (
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// The cahier de textes, for real: the teacher writes a page through the
// form, the pupil sees it and ticks it with the big button, the parent sees
// it for tomorrow with the tick, the teacher counts it; in French and in
// Arabic, on a desktop and a phone, with no sideways scroll.
func TestHomeworkStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				app := apptest.New(t, apptest.Options{})
				s := shots(t, vp)
				tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
				teacher := b.Tab(t, app.URL, vp)
				teacher.AcceptLanguage(lang)
				loginForm(t, teacher, "enseignant")
				teacher.Open("/devoirs")
				inLanguage(t, teacher, lang, "the teacher's cahier de textes")
				browser.Eval[bool](teacher, `(() => { document.querySelector('input[name="pour"]').value = "`+tomorrow+`"; return true })()`)
				teacher.Type(`input[name="titre"]`, "Lire la page 14")
				teacher.Type(`textarea[name="consigne"]`, "Deux fois, à voix haute.")
				teacher.Click(`form[action="/devoirs"] button[type="submit"]`)
				if !strings.Contains(text(teacher.Doc(), "#devoirs"), "Lire la page 14") {
					t.Fatalf("the new page is not listed")
				}
				s.maybe(teacher, "enseignant", "devoirs-"+lang)

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open("/devoirs")
				inLanguage(t, pupil, lang, "the pupil's « À faire »")
				s.maybe(pupil, "eleve", "devoirs-"+lang)
				id := browser.Eval[string](pupil, `[...document.querySelectorAll("#devoirs li")].find(li => li.textContent.includes("Lire la page 14")).dataset.entry`)
				pupil.Click(`#devoirs li[data-entry="` + id + `"] form button`)
				if pupil.Doc().Find("#devoirs li.ticked").Length() != 1 {
					t.Errorf("the pupil's tick does not show")
				}
				s.maybe(pupil, "eleve", "devoirs-coche-"+lang)

				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Open("/devoirs?enfant=" + app.User("eleve").ID)
				inLanguage(t, parent, lang, "the parent's cahier de textes")
				d := parent.Doc()
				if d.Find("#devoirs li.tomorrow").Length() != 3 || d.Find("#devoirs li.tomorrow .badge").Length() != 1 {
					t.Errorf("the parent does not see tomorrow's pages with Léa's tick")
				}
				s.maybe(parent, "parent", "devoirs-"+lang)

				teacher.Open("/devoirs")
				if !strings.Contains(text(teacher.Doc(), "#devoirs"), "1 / 6") {
					t.Errorf("the teacher does not see the tick counted: %q", text(teacher.Doc(), "#devoirs"))
				}
			})
		}
	}
}
