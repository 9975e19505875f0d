package browser_test

import (
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// The evening the issue tells, in one go: the teacher writes homework and
// a note asking for a signature; the parent logs in, sees both, signs; the
// teacher sees « lu par 1 / 6 »; the parent's open page learns of the next
// note without a reload; the pupil ticks the homework; the parent
// justifies the absence the teacher recorded. In French on a desktop and
// in Arabic on a phone.
func TestSchoolLifeStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	for _, c := range []struct {
		lang string
		vp   browser.Viewport
	}{{"fr", browser.Desktop}, {"ar", browser.Phone}} {
		t.Run(c.lang+"/"+c.vp.Name, func(t *testing.T) {
			app := apptest.New(t, apptest.Options{})
			lea := app.User("eleve").ID
			tab := func(login string) *browser.Tab {
				x := b.Tab(t, app.URL, c.vp)
				x.AcceptLanguage(c.lang)
				loginForm(t, x, login)
				return x
			}
			// The teacher: homework for tomorrow, a note to sign, Léa absent
			// this afternoon.
			teacher := tab("enseignant")
			teacher.Open("/devoirs")
			browser.Eval[bool](teacher, `(document.querySelector('input[name="pour"]').value = "`+time.Now().AddDate(0, 0, 1).Format("2006-01-02")+`", true)`)
			teacher.Type(`input[name="titre"]`, "Réciter la poésie")
			teacher.Click(`form[action="/devoirs"] button[type="submit"]`)
			teacher.Open("/carnet")
			teacher.Type(`input[name="titre"]`, "Sortie au parc")
			teacher.Click(`form[action="/carnet"] button[type="submit"]`)
			note := browser.Eval[string](teacher, `[...document.querySelectorAll("#mots li")].find(li => li.textContent.includes("Sortie au parc")).dataset.note`)
			teacher.Open("/appel?demi=pm")
			browser.Eval[bool](teacher, `(document.querySelector('#appel li[data-pupil="`+lea+`"] label.absent').click(), true)`)
			teacher.Click(`form[method="post"][action="/appel"] button[type="submit"]`)

			// The parent sees both and signs.
			parent := tab("parent")
			parent.Open("/devoirs?enfant=" + lea)
			if !strings.Contains(text(parent.Doc(), "#devoirs"), "Réciter la poésie") {
				t.Fatal("the parent does not see the homework")
			}
			parent.Open("/carnet?enfant=" + lea)
			parent.Click(`#mots li[data-note="` + note + `"] form[action$="/signer"] button`)
			if parent.Doc().Find(`#mots li[data-note="`+note+`"] [data-signed]`).Length() != 1 {
				t.Fatal("the signature does not show")
			}

			// The teacher sees it read; the parent's open page learns of the
			// next note without a reload.
			teacher.Open("/carnet/" + note)
			if got := text(teacher.Doc(), "#lus"); !strings.Contains(got, "1 / 6") {
				t.Errorf("the teacher reads %q", got)
			}
			for end := time.Now().Add(5 * time.Second); browser.Eval[string](parent, `document.body.dataset.live || ""`) != "open"; time.Sleep(50 * time.Millisecond) {
				if time.Now().After(end) {
					t.Fatal("the parent's page did not open its live channel")
				}
			}
			bell := `Number(document.querySelector(".bell-count").textContent)`
			before := browser.Eval[int](parent, bell)
			teacher.Open("/carnet")
			teacher.Type(`input[name="titre"]`, "Piscine")
			teacher.Click(`form[action="/carnet"] button[type="submit"]`)
			for end := time.Now().Add(5 * time.Second); browser.Eval[int](parent, bell) != before+1; time.Sleep(50 * time.Millisecond) {
				if time.Now().After(end) {
					t.Fatal("the parent's bell did not count the new note without a reload")
				}
			}

			// The pupil ticks the homework.
			pupil := tab("eleve")
			pupil.Open("/devoirs")
			id := browser.Eval[string](pupil, `[...document.querySelectorAll("#devoirs li")].find(li => li.textContent.includes("Réciter la poésie")).dataset.entry`)
			pupil.Click(`#devoirs li[data-entry="` + id + `"] form button`)
			if pupil.Doc().Find(`#devoirs li.ticked[data-entry="`+id+`"]`).Length() != 1 {
				t.Error("the tick does not show")
			}

			// The parent justifies this afternoon's absence.
			parent.Open("/absences?enfant=" + lea)
			before = parent.Doc().Find("#absences li.to-justify").Length()
			browser.Eval[bool](parent, `(document.querySelector('#absences li.to-justify select[name="motif"]').value = "medical", true)`)
			parent.Click(`#absences li.to-justify form button[type="submit"]`)
			if got := parent.Doc().Find("#absences li.to-justify").Length(); got != before-1 {
				t.Errorf("%d absences left to justify, want %d", got, before-1)
			}
			inLanguage(t, parent, c.lang, "the parent's absences")
		})
	}
}
