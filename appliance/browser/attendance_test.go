package browser_test

import (
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// The register and the absences, for real: the teacher takes the
// afternoon's register with a tap on Léa; the parent finds the absence on
// the home page and justifies it; the director sees the day. In French
// and in Arabic, on a desktop and a phone.
func TestAttendanceStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				app := apptest.New(t, apptest.Options{})
				s := shots(t, vp)
				lea := app.User("eleve").ID
				teacher := b.Tab(t, app.URL, vp)
				teacher.AcceptLanguage(lang)
				loginForm(t, teacher, "enseignant")
				teacher.Open("/appel?demi=pm")
				inLanguage(t, teacher, lang, "the register")
				s.maybe(teacher, "enseignant", "appel-"+lang)
				browser.Eval[bool](teacher, `(document.querySelector('#appel li[data-pupil="`+lea+`"] label.absent').click(), true)`)
				teacher.Click(`form[method="post"][action="/appel"] button[type="submit"]`)
				if teacher.Doc().Find(`#appel li[data-pupil="`+lea+`"] input[value="absent"][checked]`).Length() != 1 {
					t.Fatalf("Léa's absence is not recorded: %q %q", teacher.Path(), text(teacher.Doc(), "main"))
				}
				s.maybe(teacher, "enseignant", "appel-fait-"+lang)
				teacher.Open("/accueil")
				s.maybe(teacher, "enseignant", "accueil-"+lang)

				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Open("/accueil")
				if parent.Doc().Find(`a[href="/absences?enfant=`+lea+`"]`).Length() == 0 {
					t.Errorf("the parent's home page does not show the absences to justify")
				}
				s.maybe(parent, "parent", "accueil-absences-"+lang)
				parent.Open("/absences?enfant=" + lea)
				inLanguage(t, parent, lang, "the parent's absences")
				n := parent.Doc().Find("#absences li.to-justify").Length()
				if n != 2 {
					t.Fatalf("%d absences to justify, want the demo's and the afternoon's", n)
				}
				s.maybe(parent, "parent", "absences-"+lang)
				browser.Eval[bool](parent, `(document.querySelector('#absences li.to-justify select[name="motif"]').value = "illness", true)`)
				parent.Click(`#absences li.to-justify form button[type="submit"]`)
				if got := parent.Doc().Find("#absences li.to-justify").Length(); got != n-1 {
					t.Errorf("after justifying, %d left to justify", got)
				}
				s.maybe(parent, "parent", "absences-justifiee-"+lang)

				director := b.Tab(t, app.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				director.Open("/absences")
				inLanguage(t, director, lang, "the director's absences")
				if !strings.Contains(text(director.Doc(), "#absences"), "Léa") {
					t.Errorf("the director's day does not list Léa")
				}
				s.maybe(director, "directeur", "absences-"+lang)
				director.Open("/accueil")
				s.maybe(director, "directeur", "accueil-"+lang)
			})
		}
	}
}
