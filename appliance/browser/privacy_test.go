package browser_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/apptest"
	"preau/appliance/browser"
	"preau/appliance/feature"
)

// Privacy, for real: the director opens a pupil's account, chooses
// « Effacer les données », reads what goes and what stays, and confirms;
// the pupil is gone from the accounts and signs in no more. A parent on a
// phone reads the privacy page from the footer, its retention read from
// the configuration; a visitor reaches it from the login page. In French
// and in Arabic, on a desktop and a phone.
func TestPrivacyStory(t *testing.T) {
	b := browser.Start(t, 4*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				school := apptest.New(t, apptest.Options{Config: map[string]string{"privacy.dpo_name": "Camille Dupont",
					"privacy.dpo_email": "dpd@ville.example", "privacy.retention.mail_days": "200"}})
				s := shots(t, vp)
				pupil := school.User("eleve")

				director := b.Tab(t, school.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				director.Open("/comptes/" + pupil.ID)
				director.Click("#erase-link")
				if director.Path() != "/comptes/"+pupil.ID+"/effacer" {
					t.Fatalf("the erase action leads to %s", director.Path())
				}
				inLanguage(t, director, lang, "the confirmation of an erasure")
				doc := director.Doc()
				if !strings.Contains(text(doc, ".erase-confirm .lead"), pupil.DisplayName) {
					t.Errorf("the confirmation does not name whom it erases: %q", text(doc, ".erase-confirm .lead"))
				}
				if doc.Find("#removed li").Length() < 5 || doc.Find("#kept li").Length() < 5 {
					t.Errorf("the confirmation lists %d removed and %d kept", doc.Find("#removed li").Length(), doc.Find("#kept li").Length())
				}
				s.maybe(director, "directeur", "effacer-"+lang)
				director.Click("#erase-confirm")
				if !strings.HasPrefix(director.Path(), "/comptes?") {
					t.Fatalf("after the erasure the director is on %s", director.Path())
				}
				if text(director.Doc(), ".flash") == "" {
					t.Errorf("no message says the data was erased")
				}
				if strings.Contains(text(director.Doc(), "main"), pupil.DisplayName) {
					t.Errorf("the accounts still list %s", pupil.DisplayName)
				}
				inLanguage(t, director, lang, "the accounts after an erasure")
				s.maybe(director, "directeur", "efface-"+lang)
				if _, err := school.Auth.LoginPassword(t.Context(), pupil.Login, feature.DemoPassword, "127.0.0.1"); err == nil {
					t.Errorf("the erased pupil still signs in")
				}
				if _, err := school.Auth.User(t.Context(), pupil.ID); !errors.Is(err, apperr.ErrNotFound) {
					t.Errorf("the erased pupil's account is still there: %v", err)
				}

				parent := b.Tab(t, school.URL, vp)
				parent.AcceptLanguage(lang)
				loginForm(t, parent, "parent")
				parent.Click(`footer a[href="/confidentialite"]`)
				if parent.Path() != "/confidentialite" {
					t.Fatalf("the footer's privacy link leads to %s", parent.Path())
				}
				inLanguage(t, parent, lang, "the privacy page")
				doc = parent.Doc()
				if !strings.Contains(text(doc, "#retention-mail"), "200") {
					t.Errorf("the privacy page's mail retention reads %q, want the configured 200 days", text(doc, "#retention-mail"))
				}
				if !strings.Contains(text(doc, "#dpo"), "Camille Dupont") || doc.Find(`#dpo a[href="mailto:dpd@ville.example"]`).Length() != 1 {
					t.Errorf("the privacy page's DPO reads %q", text(doc, "#dpo"))
				}
				if !strings.Contains(text(doc, "#contacts"), school.User("directeur").DisplayName) {
					t.Errorf("the privacy page does not name the school's director: %q", text(doc, "#contacts"))
				}
				s.maybe(parent, "parent", "confidentialite-"+lang)

				visitor := b.Tab(t, school.URL, vp)
				visitor.AcceptLanguage(lang)
				visitor.Open("/connexion")
				visitor.Click(`.login-adults a[href="/confidentialite"]`)
				if visitor.Path() != "/confidentialite" || visitor.Doc().Find("#removed li").Length() == 0 {
					t.Errorf("a visitor does not reach the privacy page from the login page: %s", visitor.Path())
				}
			})
		}
	}
}
