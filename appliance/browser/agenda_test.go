package browser_test

import (
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// The agenda, for real: the teacher adds a class outing through the form;
// the parent finds it in the week, the month and the day, with the
// homework due, and opens the page to subscribe from a phone; the pupil
// sees it too. In French and in Arabic, on a desktop and a phone.
func TestAgendaStory(t *testing.T) {
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
				teacher.Open("/agenda/nouveau?date=" + tomorrow)
				inLanguage(t, teacher, lang, "the event form")
				teacher.Type(`input[name="titre"]`, "Sortie au musée")
				teacher.Type(`input[name="lieu"]`, "Musée des Beaux-Arts")
				browser.Eval[bool](teacher, `(() => { const s = document.querySelector('select[name="agenda"]'); s.value = [...s.options].find(o => o.value.startsWith("class:")).value; return true })()`)
				s.maybe(teacher, "enseignant", "agenda-nouveau-"+lang)
				teacher.Click(`form[action="/agenda"] button[type="submit"]`)
				if !strings.Contains(text(teacher.Doc(), "#agenda"), "Sortie au musée") {
					t.Fatalf("the outing is not in the teacher's week")
				}
				s.maybe(teacher, "enseignant", "agenda-semaine-"+lang)

				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				for _, view := range []string{"semaine", "mois", "jour"} {
					parent.Open("/agenda?vue=" + view + "&date=" + tomorrow)
					inLanguage(t, parent, lang, "the parent's "+view)
					if got := text(parent.Doc(), "#agenda"); !strings.Contains(got, "Sortie au musée") {
						t.Errorf("the parent's %s lacks the outing", view)
					}
					s.maybe(parent, "parent", "agenda-"+view+"-"+lang)
				}
				if parent.Doc().Find("#agenda .occ-homework").Length() == 0 {
					t.Errorf("the parent's day does not show the homework due")
				}
				parent.Open("/agenda/abonnement")
				inLanguage(t, parent, lang, "the feed page")
				if parent.Doc().Find("img.qr").Length() != 1 || !strings.Contains(browser.Eval[string](parent, `document.querySelector("#ics-url").value`), "/agenda/flux/") {
					t.Errorf("the feed page lacks its QR code or address")
				}
				s.maybe(parent, "parent", "agenda-abonnement-"+lang)

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open("/agenda?date=" + tomorrow)
				inLanguage(t, pupil, lang, "the pupil's agenda")
				if !strings.Contains(text(pupil.Doc(), "#agenda"), "Sortie au musée") {
					t.Errorf("the pupil's week lacks the outing")
				}
				s.maybe(pupil, "eleve", "agenda-"+lang)
			})
		}
	}
}
