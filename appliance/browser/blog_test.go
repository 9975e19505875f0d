package browser_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// blogPhotos writes n landscape JPEGs as a phone would take them, large.
func blogPhotos(t *testing.T, n int) []string {
	t.Helper()
	dir := t.TempDir()
	var out []string
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, 1800, 1200))
		for y := 0; y < 1200; y++ {
			for x := 0; x < 1800; x++ {
				img.Set(x, y, color.RGBA{uint8(40 + 60*i), uint8(x / 8), uint8(y / 6), 255})
			}
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "sortie-"+string(rune('a'+i))+".jpg")
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// blogImagesLoaded waits until every picture matching sel has loaded.
func blogImagesLoaded(t *testing.T, tab *browser.Tab, sel string) {
	t.Helper()
	loaded := `[...document.querySelectorAll(` + "`" + sel + "`" + `)].every(i => (i.scrollIntoView(), i.complete && i.naturalWidth > 0))`
	for end := time.Now().Add(5 * time.Second); !browser.Eval[bool](tab, loaded); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(end) {
			t.Errorf("a photo does not show (%s)", sel)
			break
		}
	}
	browser.Eval[bool](tab, `(window.scrollTo(0, 0), true)`)
}

// The class blog, for real: the teacher posts an outing with photos
// through the form and corrects its text; the class's parent, on a phone, finds it on the
// list, sees the photos, comments; the comment waits until the teacher
// approves it; the parent downloads the photos. A parent of another
// class finds nothing. In French and in Arabic, on a desktop and a phone.
func TestBlogStory(t *testing.T) {
	b := browser.Start(t, 4*time.Minute)
	photos := blogPhotos(t, 3)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				app := apptest.New(t, apptest.Options{})
				s := shots(t, vp)
				teacher := b.Tab(t, app.URL, vp)
				teacher.AcceptLanguage(lang)
				loginForm(t, teacher, "enseignant")
				teacher.Open("/accueil")
				if !strings.Contains(text(teacher.Doc(), "main"), map[string]string{"fr": "Cahier de vie", "ar": "دفتر حياة القسم"}[lang]) {
					t.Errorf("the teacher's home page has no class blog tile")
				}
				teacher.Open("/cahier-de-vie/nouveau")
				inLanguage(t, teacher, lang, "the posting form")
				teacher.Type(`input[name="titre"]`, "Sortie au parc")
				teacher.Type(`textarea[name="texte"]`, "Nous avons observé les **canards** et ramassé des feuilles.")
				teacher.SetFiles(`input[name="photos"]`, photos...)
				s.maybe(teacher, "enseignant", "cahier-de-vie-nouveau-"+lang)
				teacher.Click(`form[action="/cahier-de-vie"] button[type="submit"]`)
				if n := teacher.Doc().Find(".blog-gallery img").Length(); n != 3 {
					t.Fatalf("the new post shows %d photos, want 3", n)
				}
				postPath := teacher.Path()
				s.maybe(teacher, "enseignant", "cahier-de-vie-billet-"+lang)
				// A word forgotten: the teacher changes the text from the
				// post's page, the photos staying.
				teacher.Click(`a[href="` + postPath + `/modifier"]`)
				inLanguage(t, teacher, lang, "the post's edit form")
				if got := browser.Eval[string](teacher, `document.querySelector('textarea[name="texte"]').value`); !strings.Contains(got, "**canards**") {
					t.Fatalf("the edit form does not hold the post's text: %q", got)
				}
				if teacher.Overflow() > 0 {
					t.Errorf("the edit form overflows by %d px", teacher.Overflow())
				}
				browser.Eval[bool](teacher, `(document.querySelector('textarea[name="texte"]').value = "", true)`)
				teacher.Type(`textarea[name="texte"]`, "Nous avons observé les **canards** et ramassé des feuilles d'automne.")
				s.maybe(teacher, "enseignant", "cahier-de-vie-modifier-"+lang)
				teacher.Click(`form[action="` + postPath + `/modifier"] button[type="submit"]`)
				if teacher.Path() != postPath || !strings.Contains(text(teacher.Doc(), ".blog-body"), "feuilles d'automne") ||
					teacher.Doc().Find(".blog-gallery img").Length() != 3 {
					t.Fatalf("after the edit, at %s: %q", teacher.Path(), text(teacher.Doc(), ".blog-body"))
				}

				parent := b.Tab(t, app.URL, browser.Phone)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Open("/accueil")
				if !strings.Contains(text(parent.Doc(), ".blog-panel"), "Sortie au parc") {
					t.Errorf("the parent's home page does not show the class's latest post")
				}
				blogImagesLoaded(t, parent, ".blog-panel img")
				s.maybe(parent, "parent", "accueil-cahier-de-vie-"+lang)
				parent.Open("/cahier-de-vie")
				inLanguage(t, parent, lang, "the parent's class blog")
				if !strings.Contains(text(parent.Doc(), "#cahier-de-vie"), "Sortie au parc") {
					t.Fatalf("the parent does not find the new post")
				}
				blogImagesLoaded(t, parent, "#cahier-de-vie img")
				s.maybe(parent, "parent", "cahier-de-vie-"+lang)
				parent.Open(postPath)
				inLanguage(t, parent, lang, "the parent's post")
				blogImagesLoaded(t, parent, ".blog-gallery img")
				if !strings.Contains(browser.Eval[string](parent, `document.querySelector(".blog-body").innerHTML`), "<strong>canards</strong>") {
					t.Errorf("the Markdown is not rendered")
				}
				parent.Type(`textarea[name="texte"]`, "Merci, quelle belle sortie !")
				parent.Click(`form[action$="/commentaires"] button[type="submit"]`)
				if !strings.Contains(text(parent.Doc(), ".blog-comment.held"), "Merci, quelle belle sortie") {
					t.Errorf("the parent does not see their comment waiting")
				}
				s.maybe(parent, "parent", "cahier-de-vie-commentaire-"+lang)

				// Another family sees neither the post nor the comment.
				other := b.Tab(t, app.URL, browser.Phone)
				loginForm(t, other, "nadia.bernard")
				if status := other.Open(postPath); status != 404 {
					t.Errorf("a parent of another class opens the post: %d", status)
				}

				teacher.Open("/cahier-de-vie")
				inLanguage(t, teacher, lang, "the teacher's class blog")
				s.maybe(teacher, "enseignant", "cahier-de-vie-"+lang)
				teacher.Open("/cahier-de-vie/validation")
				inLanguage(t, teacher, lang, "the approval queue")
				s.maybe(teacher, "enseignant", "cahier-de-vie-validation-"+lang)
				if !strings.Contains(text(teacher.Doc(), ".blog-comment-list"), "Merci, quelle belle sortie") {
					t.Errorf("the parent's comment is not in the teacher's queue")
				}
				// Approved from the post, where it is the only one waiting.
				teacher.Open(postPath)
				teacher.Click(`.blog-comment.held form[action$="/accepter"] button`)
				parent.Open(postPath)
				if n := parent.Doc().Find(".blog-comment:not(.held)").Length(); n != 1 {
					t.Errorf("the approved comment: %d shown", n)
				}
				// The download: the archive of the three photos as taken.
				got := browser.Eval[string](parent, `(() => { const x = new XMLHttpRequest(); x.open("GET", document.querySelector("a.blog-download").href, false);
					x.overrideMimeType("text/plain; charset=x-user-defined"); x.send();
					return x.status + " " + x.getResponseHeader("Content-Type") + " " + x.responseText.length })()`)
				var size int
				for _, p := range photos {
					fi, _ := os.Stat(p)
					size += int(fi.Size())
				}
				fields := strings.Fields(got)
				if len(fields) != 3 || fields[0] != "200" || fields[1] != "application/zip" {
					t.Errorf("the photos' download: %q", got)
				} else if n, _ := strconv.Atoi(fields[2]); n < size {
					t.Errorf("the archive holds %d bytes, less than the %d of the photos as taken", n, size)
				}
				parent.Open(postPath)
				s.maybe(parent, "parent", "cahier-de-vie-billet-"+lang)

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open("/cahier-de-vie")
				inLanguage(t, pupil, lang, "the pupil's class blog")
				blogImagesLoaded(t, pupil, "#cahier-de-vie img")
				s.maybe(pupil, "eleve", "cahier-de-vie-"+lang)

				director := b.Tab(t, app.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				director.Open("/cahier-de-vie")
				inLanguage(t, director, lang, "the director's class blog")
				s.maybe(director, "directeur", "cahier-de-vie-"+lang)
			})
		}
	}
}
