package browser_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// pagesWait polls a JavaScript condition until it holds.
func pagesWait(t *testing.T, tab *browser.Tab, what, cond string) {
	t.Helper()
	for end := time.Now().Add(15 * time.Second); !browser.Eval[bool](tab, cond); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%s: %s never held", what, cond)
		}
	}
}

// pagesSynced: the page's editor is connected and in step with the server.
const pagesSynced = `!!(window.preauPages && window.preauPages.provider.synced)`

// pagesEditorHas: the editor's text holds every string.
func pagesEditorHas(parts ...string) string {
	var conds []string
	for _, p := range parts {
		conds = append(conds, fmt.Sprintf("window.preauPages.editor.getText().includes(%q)", p))
	}
	return strings.Join(conds, " && ")
}

// Class pages, for real: the teacher creates a page and writes in it while
// a pupil writes in it at the same time, each seeing the other's text and
// caret with their name; the director joins later and finds both texts; a
// parent reads the server's sanitized rendering, without the editor. In
// French and in Arabic, on a desktop and a phone.
func TestPagesStory(t *testing.T) {
	b := browser.Start(t, 4*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				app := apptest.New(t, apptest.Options{})
				s := shots(t, vp)
				pupilName, teacherName := app.User("eleve").DisplayName, app.User("enseignant").DisplayName

				teacher := b.Tab(t, app.URL, vp)
				teacher.AcceptLanguage(lang)
				loginForm(t, teacher, "enseignant")
				teacher.Open("/pages")
				inLanguage(t, teacher, lang, "the teacher's class pages")
				s.maybe(teacher, "enseignant", "pages-"+lang)
				teacher.Type(`form[action="/pages"] input[name="titre"]`, "Notre sortie au musée")
				teacher.Click(`form[action="/pages"] button[type="submit"]`)
				path := teacher.Path()
				if !strings.HasSuffix(path, "/modifier") {
					t.Fatalf("creating a page led to %s", path)
				}
				pagesWait(t, teacher, "the teacher's editor", pagesSynced)

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open(path)
				inLanguage(t, pupil, lang, "the pupil's editor")
				pagesWait(t, pupil, "the pupil's editor", pagesSynced)

				// Both write at once.
				teacher.Type(".ProseMirror", "La maîtresse écrit. ")
				pupil.Type(".ProseMirror", "Léo écrit aussi.")
				both := pagesEditorHas("La maîtresse écrit.", "Léo écrit aussi.")
				pagesWait(t, teacher, "the teacher sees both", both)
				pagesWait(t, pupil, "the pupil sees both", both)
				same := `window.preauPages.editor.getText()`
				if a, b := browser.Eval[string](teacher, same), browser.Eval[string](pupil, same); a != b {
					t.Fatalf("the editors differ: %q and %q", a, b)
				}
				// Each sees the other's caret with their name.
				caret := func(name string) string {
					return fmt.Sprintf(`[...document.querySelectorAll('.collaboration-carets__label')].some(l => l.textContent === %q)`, name)
				}
				pagesWait(t, teacher, "the pupil's caret", caret(pupilName))
				pagesWait(t, pupil, "the teacher's caret", caret(teacherName))
				s.maybe(teacher, "enseignant", "page-editeur-"+lang)
				s.maybe(pupil, "eleve", "page-editeur-"+lang)

				// A third joins later and finds both texts.
				director := b.Tab(t, app.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				director.Open(path)
				pagesWait(t, director, "the director's editor", pagesSynced)
				pagesWait(t, director, "the late joiner sees both", both)

				// The editors post their HTML: a parent reads it, sanitized,
				// without the editor.
				id := strings.TrimSuffix(strings.TrimPrefix(path, "/pages/"), "/modifier")
				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				for end := time.Now().Add(15 * time.Second); ; time.Sleep(300 * time.Millisecond) {
					parent.Open("/pages/" + id)
					body := text(parent.Doc(), ".page-body")
					if strings.Contains(body, "La maîtresse écrit.") && strings.Contains(body, "Léo écrit aussi.") {
						break
					}
					if time.Now().After(end) {
						t.Fatalf("the parent reads %q", body)
					}
				}
				inLanguage(t, parent, lang, "the parent's page")
				if parent.Doc().Find("script[src*=pages]").Length() != 0 {
					t.Errorf("the reader's page loads the editor")
				}
				s.maybe(parent, "parent", "page-"+lang)
				parent.Open("/pages/" + id + "/historique")
				s.maybe(parent, "parent", "page-historique-"+lang)
				pupil.Open("/pages")
				s.maybe(pupil, "eleve", "pages-"+lang)
			})
		}
	}
}
