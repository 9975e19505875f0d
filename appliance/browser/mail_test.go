package browser_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// The webmail, for real: a teacher writes to the parents of their class
// through the group, with a file; a parent reads it and answers; the
// teacher's bell counts the answer without a reload, and the teacher reads
// it in the conversation. A pupil writes to their teacher with the big
// cards. In French and in Arabic, on a desktop and a phone.
func TestMailStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	file := filepath.Join(t.TempDir(), "autorisation-sortie.txt")
	if err := os.WriteFile(file, []byte("Autorisation de sortie au musée, à signer."), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				s := shots(t, vp)
				app := apptest.New(t, apptest.Options{})
				teacher := b.Tab(t, app.URL, vp)
				teacher.AcceptLanguage(lang)
				loginForm(t, teacher, "enseignant")
				teacher.Open("/messagerie/ecrire")
				inLanguage(t, teacher, lang, "the teacher's form")
				browser.Eval[bool](teacher, `(document.querySelector('input[name="groupes"][value$=":parents"]').checked = true)`)
				teacher.Type(`input[name="objet"]`, "Sortie au musée")
				teacher.Type(`textarea[name="texte"]`, "Bonjour, la sortie au musée aura lieu jeudi.")
				teacher.SetFiles(`input[name="fichiers"]`, file)
				s.maybe(teacher, "enseignant", "messagerie-ecrire-"+lang)
				if st := teacher.Click("#envoyer"); st != 200 {
					t.Fatalf("sending: %d", st)
				}
				if got := text(teacher.Doc(), "#messages"); !strings.Contains(got, "Sortie au musée") {
					t.Fatalf("the teacher's Envoyés: %q", got)
				}

				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Open("/messagerie")
				inLanguage(t, parent, lang, "the parent's inbox")
				id := browser.Eval[string](parent, `([...document.querySelectorAll("#messages li.unread")].find(li => li.textContent.includes("Sortie au musée")) || {dataset: {}}).dataset.message || ""`)
				if id == "" {
					t.Fatalf("the parent has no unread « Sortie au musée »: %q", text(parent.Doc(), "#messages"))
				}
				s.maybe(parent, "parent", "messagerie-"+lang)
				parent.Click(`#messages li[data-message="` + id + `"] a`)
				inLanguage(t, parent, lang, "the parent reading")
				if got := text(parent.Doc(), ".mail-body"); !strings.Contains(got, "jeudi") {
					t.Errorf("the message reads %q", got)
				}
				if parent.Doc().Find(`.mail-files a[href*="/pj/0"]`).Length() != 1 {
					t.Error("the file is not offered")
				}
				s.maybe(parent, "parent", "messagerie-lire-"+lang)

				// the teacher keeps the inbox open, listening
				teacher.Open("/messagerie")
				bell := `Number(document.querySelector(".bell-count").textContent)`
				for end := time.Now().Add(5 * time.Second); browser.Eval[string](teacher, `document.body.dataset.live || ""`) != "open"; time.Sleep(50 * time.Millisecond) {
					if time.Now().After(end) {
						t.Fatal("the teacher's page did not open its live channel")
					}
				}
				before := browser.Eval[int](teacher, bell)
				parent.Click("#repondre")
				parent.Type(`textarea[name="texte"]`, "Merci, c’est noté !")
				parent.Click("#envoyer")
				for end := time.Now().Add(5 * time.Second); browser.Eval[int](teacher, bell) != before+1; time.Sleep(50 * time.Millisecond) {
					if time.Now().After(end) {
						t.Fatalf("the teacher's bell reads %d, want %d, without a reload", browser.Eval[int](teacher, bell), before+1)
					}
				}
				teacher.Open("/messagerie")
				reply := browser.Eval[string](teacher, `([...document.querySelectorAll("#messages li.unread")].find(li => li.textContent.includes("Sortie au musée")) || {dataset: {}}).dataset.message || ""`)
				if reply == "" {
					t.Fatalf("no unread answer in the teacher's inbox: %q", text(teacher.Doc(), "#messages"))
				}
				teacher.Click(`#messages li[data-message="` + reply + `"] a`)
				if got := text(teacher.Doc(), ".mail-body"); !strings.Contains(got, "c’est noté") {
					t.Errorf("the teacher reads %q", got)
				}
				if teacher.Doc().Find(".mail-thread li").Length() != 2 {
					t.Errorf("the conversation holds %d messages, want 2", teacher.Doc().Find(".mail-thread li").Length())
				}
				s.maybe(teacher, "enseignant", "messagerie-conversation-"+lang)
				teacher.Open("/messagerie/validation")
				inLanguage(t, teacher, lang, "the teacher's validation page")
				s.maybe(teacher, "enseignant", "messagerie-validation-"+lang)
				director := b.Tab(t, app.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				director.Open("/messagerie/reglages")
				inLanguage(t, director, lang, "the director's mail rules")
				if director.Doc().Find(`input[name="eleves"]`).Length() != 3 {
					t.Error("the rules page offers no choice of the pupils' rule")
				}
				s.maybe(director, "directeur", "messagerie-reglages-"+lang)

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open("/messagerie")
				inLanguage(t, pupil, lang, "the pupil's mail")
				pupil.Click("#ecrire")
				inLanguage(t, pupil, lang, "the pupil's form")
				s.maybe(pupil, "eleve", "messagerie-ecrire-"+lang)
				browser.Eval[bool](pupil, `(document.querySelector('.mail-pick input[name="pour"]').closest("label").click(), true)`)
				pupil.Type(`textarea[name="texte"]`, "J’ai fini mon dessin !")
				if st := pupil.Click("#envoyer"); st != 200 {
					t.Fatalf("the pupil's sending: %d", st)
				}
				s.maybe(pupil, "eleve", "messagerie-"+lang)
			})
		}
	}
}
