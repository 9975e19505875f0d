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

// Documents, for real: the teacher chooses three files at once, sees a
// progress bar for each, sends them and finds them in the class's
// folder; the pupil opens the class's documents, a picture with its
// thumbnail among them. In French and in Arabic, on a desktop and a phone.
func TestDocumentsStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	dir := t.TempDir()
	var files []string
	for name, content := range map[string]string{"lecture.txt": "Lire la page 12.", "calcul.txt": "3 + 4 = 7", "chant.txt": "Au clair de la lune"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				app := apptest.New(t, apptest.Options{})
				s := shots(t, vp)
				teacher := b.Tab(t, app.URL, vp)
				teacher.AcceptLanguage(lang)
				loginForm(t, teacher, "enseignant")
				teacher.Open("/documents")
				inLanguage(t, teacher, lang, "the teacher's documents")
				teacher.Type(`input[name="dossier"]`, "Semaine 12")
				teacher.SetFiles(`form[data-upload] input[type="file"]`, files...)
				if n := browser.Eval[int](teacher, `document.querySelectorAll(".upload-list li progress").length`); n != 3 {
					t.Fatalf("%d progress bars for three files", n)
				}
				s.maybe(teacher, "enseignant", "documents-envoi-"+lang)
				// The script sends each file, then reloads the page: Click
				// waits for that page.
				teacher.Click(`form[data-upload] button[type="submit"]`)
				for _, name := range []string{"lecture.txt", "calcul.txt", "chant.txt"} {
					if !strings.Contains(text(teacher.Doc(), "#documents"), name) {
						t.Errorf("%s is not listed after sending", name)
					}
				}
				if !strings.Contains(text(teacher.Doc(), ".folders"), "Semaine 12") {
					t.Errorf("the new folder is not offered")
				}
				s.maybe(teacher, "enseignant", "documents-"+lang)

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open("/documents")
				inLanguage(t, pupil, lang, "the pupil's documents")
				list := text(pupil.Doc(), "#documents")
				if !strings.Contains(list, "chant.txt") || !strings.Contains(list, "Les saisons.png") {
					t.Errorf("the pupil's documents: %q", list)
				}
				loaded := `[...document.querySelectorAll("#documents img.doc-thumb")].every(i => (i.scrollIntoView(), i.complete && i.naturalWidth > 0))`
				for end := time.Now().Add(5 * time.Second); !browser.Eval[bool](pupil, loaded); time.Sleep(100 * time.Millisecond) {
					if time.Now().After(end) {
						t.Errorf("a thumbnail does not show")
						break
					}
				}
				browser.Eval[bool](pupil, `(window.scrollTo(0, 0), true)`)
				s.maybe(pupil, "eleve", "documents-"+lang)

				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Open("/documents")
				inLanguage(t, parent, lang, "the parent's documents")
				s.maybe(parent, "parent", "documents-"+lang)
				director := b.Tab(t, app.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				director.Open("/documents/occupation")
				inLanguage(t, director, lang, "the school's usage")
				s.maybe(director, "directeur", "documents-occupation-"+lang)
			})
		}
	}
}
