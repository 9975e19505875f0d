package browser_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// Sites, for real: the teacher adds a site for the class with its
// picture; the pupil finds its large card among the class's, opening it
// in a new tab; the parent sees the same for the child. In French and in
// Arabic, on a desktop and a phone. The picture is sent, so that nothing
// is fetched from outside.
func TestSitesStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	picture := filepath.Join(t.TempDir(), "vikidia.png")
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for y := range 300 {
		for x := range 400 {
			img.Set(x, y, color.RGBA{uint8(x / 2), 0x90, 0xd0, 0xff})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	if err := os.WriteFile(picture, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
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
				teacher.Open("/sites")
				inLanguage(t, teacher, lang, "the teacher's sites")
				browser.Eval[bool](teacher, `document.querySelector("#ajouter").open = true`) // no navigation: Click would wait for one
				teacher.Type(`input[name="adresse"]`, "https://fr.vikidia.org")
				teacher.Type(`input[name="titre"]`, "Vikidia")
				teacher.Type(`textarea[name="commentaire"]`, "L'encyclopédie des 8-13 ans")
				teacher.SetFiles(`input[name="image"]`, picture)
				s.maybe(teacher, "enseignant", "sites-ajout-"+lang)
				teacher.Click(`#ajouter button[type="submit"]`)
				if !strings.Contains(text(teacher.Doc(), "#classe"), "Vikidia") {
					t.Fatalf("the new site is not listed for the class: %q", text(teacher.Doc(), "#classe"))
				}
				if !strings.Contains(text(teacher.Doc(), "#collegues"), "Logiciel") {
					t.Errorf("the colleagues' choices are not shown")
				}
				s.maybe(teacher, "enseignant", "sites-"+lang)

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open("/sites")
				inLanguage(t, pupil, lang, "the pupil's sites")
				card := pupil.Doc().Find(`#sites a[href="https://fr.vikidia.org"]`)
				if card.Length() != 1 || card.AttrOr("target", "") != "_blank" || card.AttrOr("rel", "") != "noopener noreferrer" {
					t.Fatalf("the pupil's card: %d", card.Length())
				}
				loaded := `[...document.querySelectorAll("#sites img.site-picture")].every(i => (i.scrollIntoView(), i.complete && i.naturalWidth > 0))`
				for end := time.Now().Add(5 * time.Second); !browser.Eval[bool](pupil, loaded); time.Sleep(100 * time.Millisecond) {
					if time.Now().After(end) {
						t.Errorf("a site's picture does not show")
						break
					}
				}
				// A card is a large target for small fingers.
				if h := browser.Eval[float64](pupil, `document.querySelector('#sites a[href="https://fr.vikidia.org"]').getBoundingClientRect().height`); h < 150 {
					t.Errorf("the pupil's card is %.0f px high", h)
				}
				browser.Eval[bool](pupil, `(window.scrollTo(0, 0), true)`)
				s.maybe(pupil, "eleve", "sites-"+lang)

				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Open("/sites")
				inLanguage(t, parent, lang, "the parent's sites")
				if !strings.Contains(text(parent.Doc(), "#sites"), "Vikidia") {
					t.Errorf("the parent does not see the class's new site")
				}
				s.maybe(parent, "parent", "sites-"+lang)
			})
		}
	}
}
