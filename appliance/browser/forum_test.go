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

// Forums, for real: a pupil opens a thread in the class's moderated forum
// with a picture and some Markdown, and a script that must not run; it
// waits for the teacher, who approves it from the moderation queue; the
// parent reads it but cannot write there. In the parents' forum, a
// parent's open thread receives the teacher's reply live, without a
// reload. In French and in Arabic, on a desktop and a phone.
func TestForumStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	picture := forumPicture(t)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				app := apptest.New(t, apptest.Options{})
				s := shots(t, vp)

				pupil := b.Tab(t, app.URL, vp)
				pupil.AcceptLanguage(lang)
				loginForm(t, pupil, "eleve")
				pupil.Open("/forum")
				inLanguage(t, pupil, lang, "the pupil's forums")
				s.maybe(pupil, "eleve", "forums-"+lang)
				pupil.Click(`.forum-card[data-forum]`)
				inLanguage(t, pupil, lang, "the class's forum")
				s.maybe(pupil, "eleve", "forum-classe-"+lang)
				pupil.Type(`#nouveau-sujet input[name="titre"]`, "Mon dessin")
				pupil.Type(`#nouveau-sujet textarea[name="texte"]`, "Voici **mon dessin** <img src=x onerror=\"window.forumXSS=1\"> <script>window.forumXSS=1</script>")
				pupil.SetFiles(`#nouveau-sujet input[name="fichiers"]`, picture)
				pupil.Click(`#nouveau-sujet button[type="submit"]`)
				if !strings.Contains(text(pupil.Doc(), "#messages"), "mon dessin") || pupil.Doc().Find("#messages .post.held").Length() != 1 {
					t.Fatalf("the pupil's held post does not show to them")
				}
				threadPath := pupil.Path()
				s.maybe(pupil, "eleve", "sujet-en-attente-"+lang)

				teacher := b.Tab(t, app.URL, vp)
				teacher.AcceptLanguage(lang)
				loginForm(t, teacher, "enseignant")
				teacher.Open("/forum/moderation")
				inLanguage(t, teacher, lang, "the moderation queue")
				if !strings.Contains(text(teacher.Doc(), "#a-valider"), "mon dessin") {
					t.Fatalf("the teacher's queue lacks the pupil's post")
				}
				s.maybe(teacher, "enseignant", "moderation-"+lang)
				teacher.Click(`#a-valider li:last-child form[action$="/accepter"] button`) // the newest: the demo holds an older one
				if strings.Contains(text(teacher.Doc(), "#a-valider"), "mon dessin") {
					t.Errorf("the approved post is still in the queue")
				}

				parent := b.Tab(t, app.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Open(threadPath)
				inLanguage(t, parent, lang, "the approved thread")
				doc := parent.Doc()
				if doc.Find("#messages .post-body strong").Length() == 0 || doc.Find("#repondre").Length() != 0 {
					t.Errorf("the parent reads the Markdown, and has no reply form in the class's forum")
				}
				loaded := `[...document.querySelectorAll("#messages img.post-image")].every(i => (i.scrollIntoView(), i.complete && i.naturalWidth > 0))`
				for end := time.Now().Add(5 * time.Second); !browser.Eval[bool](parent, loaded); time.Sleep(100 * time.Millisecond) {
					if time.Now().After(end) {
						t.Errorf("the post's picture does not show")
						break
					}
				}
				if browser.Eval[bool](parent, `window.forumXSS === 1`) {
					t.Fatalf("a script in a post ran")
				}
				browser.Eval[bool](parent, `(window.scrollTo(0, 0), true)`)
				s.maybe(parent, "parent", "sujet-classe-"+lang)

				// Live: the parent's open thread in the parents' forum gets the
				// teacher's reply without a reload.
				parent.Open("/forum")
				s.maybe(parent, "parent", "forums-"+lang)
				parent.Click(`.forum-group[data-audience="parents"] .forum-card`)
				parent.Click(`#sujets .thread-card`) // the carpool, its only thread
				for end := time.Now().Add(5 * time.Second); browser.Eval[string](parent, `document.body.dataset.live || ""`) != "open"; time.Sleep(50 * time.Millisecond) {
					if time.Now().After(end) {
						t.Fatal("the parent's page did not open its live channel")
					}
				}
				before := browser.Eval[int](parent, `document.querySelectorAll("#messages [data-post]").length`)
				teacher.Open(parent.Path())
				teacher.Type(`#repondre textarea[name="texte"]`, "Je réserve une place, merci !")
				teacher.Click(`#repondre button[type="submit"]`)
				for end := time.Now().Add(8 * time.Second); browser.Eval[int](parent, `document.querySelectorAll("#messages [data-post]").length`) != before+1; time.Sleep(100 * time.Millisecond) {
					if time.Now().After(end) {
						t.Fatal("the teacher's reply did not appear live on the parent's page")
					}
				}
				if !strings.Contains(browser.Eval[string](parent, `document.querySelector("#messages").textContent`), "Je réserve une place") {
					t.Errorf("the live post is not the teacher's reply")
				}
				s.maybe(parent, "parent", "sujet-parents-live-"+lang)
				s.maybe(teacher, "enseignant", "sujet-parents-"+lang)

				director := b.Tab(t, app.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				director.Open("/forum")
				inLanguage(t, director, lang, "the director's forums")
				s.maybe(director, "directeur", "forums-"+lang)
				director.Open("/forum/nouveau")
				inLanguage(t, director, lang, "the new forum's form")
				s.maybe(director, "directeur", "forum-nouveau-"+lang)
				pupil.Open("/accueil")
				if pupil.Doc().Find(`main a[href="/forum"]`).Length() == 0 {
					t.Errorf("the pupil's home page has no forum tile")
				}
				s.maybe(pupil, "eleve", "accueil-"+lang)
			})
		}
	}
}

// forumPicture writes a small PNG for a post.
func forumPicture(t *testing.T) string {
	img := image.NewRGBA(image.Rect(0, 0, 120, 80))
	for y := 0; y < 80; y++ {
		for x := 0; x < 120; x++ {
			img.Set(x, y, color.RGBA{uint8(2 * x), 120, uint8(3 * y), 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	path := filepath.Join(t.TempDir(), "dessin.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
