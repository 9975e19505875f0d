package browser_test

import (
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// The carnet de liaison, for real: the teacher writes a note asking for a
// signature through the form; the parent sees it, signs with « J'ai lu »
// and replies; the teacher sees « lu par 1 / 6 » and the reply, and opens
// the slips to print; the pupil sees that their parents read it. In French
// and in Arabic, on a desktop and a phone.
func TestLiaisonStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				app := apptest.New(t, apptest.Options{})
				s := shots(t, vp)
				teacher := b.Tab(t, app.URL, vp)
				teacher.AcceptLanguage(lang)
				loginForm(t, teacher, "enseignant")
				teacher.Open("/carnet")
				inLanguage(t, teacher, lang, "the teacher's carnet de liaison")
				teacher.Type(`input[name="titre"]`, "Piscine jeudi")
				teacher.Type(`textarea[name="texte"]`, "Bonnet de bain obligatoire.")
				browser.Eval[bool](teacher, `document.querySelector('input[name="reponse"]').checked = true`)
				teacher.Click(`form[action="/carnet"] button[type="submit"]`)
				if !strings.Contains(text(teacher.Doc(), "#mots"), "Piscine jeudi") {
					t.Fatalf("the new note is not listed")
				}
				s.maybe(teacher, "enseignant", "carnet-"+lang)
				id := browser.Eval[string](teacher, `[...document.querySelectorAll("#mots li")].find(li => li.textContent.includes("Piscine jeudi")).dataset.note`)

				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Open("/carnet?enfant=" + app.User("eleve").ID)
				inLanguage(t, parent, lang, "the parent's carnet de liaison")
				s.maybe(parent, "parent", "carnet-"+lang)
				parent.Click(`#mots li[data-note="` + id + `"] form[action$="/signer"] button`)
				if parent.Doc().Find(`#mots li[data-note="`+id+`"] [data-signed]`).Length() != 1 {
					t.Fatalf("the signature does not show on the parent's page")
				}
				parent.Type(`#mots li[data-note="`+id+`"] textarea[name="texte"]`, "Léa a son bonnet.")
				parent.Click(`#mots li[data-note="` + id + `"] form[action$="/repondre"] button`)
				if !strings.Contains(text(parent.Doc(), "#mots"), "Léa a son bonnet.") {
					t.Errorf("the reply does not show on the parent's page")
				}
				s.maybe(parent, "parent", "carnet-signe-"+lang)

				teacher.Open("/carnet/" + id)
				inLanguage(t, teacher, lang, "the note's follow page")
				if got := text(teacher.Doc(), "#lus"); !strings.Contains(got, "1 / 6") {
					t.Errorf("the teacher reads %q, want « lu par 1 / 6 »", got)
				}
				if !strings.Contains(text(teacher.Doc(), "#reponses"), "Léa a son bonnet.") {
					t.Errorf("the teacher does not see the reply")
				}
				s.maybe(teacher, "enseignant", "carnet-suivi-"+lang)
				teacher.Open("/carnet/" + id + "/imprimer")
				inLanguage(t, teacher, lang, "the slips to print")
				if n := teacher.Doc().Find("article.slip").Length(); n != 6 {
					t.Errorf("%d slips to print, want 6", n)
				}
				s.maybe(teacher, "enseignant", "carnet-coupons-"+lang)

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open("/carnet")
				inLanguage(t, pupil, lang, "the pupil's notes")
				if pupil.Doc().Find(`#mots li[data-note="`+id+`"] .badge.ok`).Length() != 1 {
					t.Errorf("the pupil does not see that their parents read it")
				}
				s.maybe(pupil, "eleve", "carnet-"+lang)

				// The parent's page, left open, learns of the next note
				// without a reload: the bell counts it.
				bell := `Number(document.querySelector(".bell-count").textContent)`
				for end := time.Now().Add(5 * time.Second); browser.Eval[string](parent, `document.body.dataset.live || ""`) != "open"; time.Sleep(50 * time.Millisecond) {
					if time.Now().After(end) {
						t.Fatal("the parent's page did not open its live channel")
					}
				}
				before := browser.Eval[int](parent, bell)
				teacher.Open("/carnet")
				teacher.Type(`input[name="titre"]`, "Kermesse")
				teacher.Click(`form[action="/carnet"] button[type="submit"]`)
				for end := time.Now().Add(5 * time.Second); browser.Eval[int](parent, bell) != before+1; time.Sleep(50 * time.Millisecond) {
					if time.Now().After(end) {
						t.Fatalf("the parent's bell reads %d, want %d, without a reload", browser.Eval[int](parent, bell), before+1)
					}
				}
				if !strings.Contains(browser.Eval[string](parent, `document.querySelector(".live-toast").textContent`), "Kermesse") {
					t.Errorf("the new note's title does not show on the parent's page")
				}
				s.maybe(parent, "parent", "carnet-cloche-"+lang)
				parent.Open("/notifications")
				inLanguage(t, parent, lang, "the parent's notifications")
				if parent.Doc().Find("#notifications li.unread").Length() != before+1 {
					t.Errorf("the timeline does not list the unread notifications")
				}
				s.maybe(parent, "parent", "notifications-"+lang)
			})
		}
	}
}
