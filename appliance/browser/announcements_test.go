package browser_test

import (
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
	"preau/appliance/feature"
)

// The city's announcements, for real: on central the DSI announces an
// outage through the form (after a refused try whose end came before its
// start, which writes nothing); the teacher and the pupil find it at the
// top of their home page, above the tiles. In French and in Arabic, on a
// desktop and a phone.
func TestAnnouncementsStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		central := apptest.New(t, apptest.Options{Role: "central"})
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				s := shots(t, vp)
				title := "Coupure du réseau " + vp.Name
				dsi := b.Tab(t, central.URL, vp)
				dsi.AcceptLanguage(lang)
				loginForm(t, dsi, "dsi")
				dsi.Open("/annonces")
				inLanguage(t, dsi, lang, "the announcements page")
				count := func() int { return dsi.Doc().Find("#annonces li.announcement").Length() }
				before := count()
				setTime := func(field string, at time.Time) {
					browser.Eval[bool](dsi, `(document.querySelector('input[name="`+field+`"]').value = "`+at.In(feature.Zone).Format("2006-01-02T15:04")+`", true)`)
				}
				dsi.Type(`input[name="titre"]`, title)
				dsi.Type(`textarea[name="texte"]`, "Internet sera coupé jeudi matin : Préau reste joignable dans l'école.")
				browser.Eval[bool](dsi, `(document.querySelector('input[name="genre"][value="outage"]').checked = true, true)`)
				setTime("debut", time.Now().Add(2*time.Hour))
				setTime("fin", time.Now().Add(time.Hour))
				if st := dsi.Click(`form[action="/annonces"] button[type="submit"]`); st != 400 {
					t.Errorf("an end before the start: %d, want 400", st)
				}
				if msg := text(dsi.Doc(), ".error"); msg == "" || count() != before {
					t.Errorf("the refusal: %q, %d announcements (were %d)", msg, count(), before)
				}
				if got := browser.Eval[string](dsi, `document.querySelector('input[name="titre"]').value`); got != title {
					t.Errorf("the title typed was lost: %q", got)
				}
				setTime("debut", time.Now())
				setTime("fin", time.Now().Add(3*time.Hour))
				s.maybe(dsi, "dsi", "annonce-nouvelle-"+lang)
				dsi.Click(`form[action="/annonces"] button[type="submit"]`)
				if !strings.Contains(text(dsi.Doc(), "#annonces"), title) || count() != before+1 {
					t.Fatalf("the new announcement is not listed: %q", text(dsi.Doc(), "#annonces"))
				}
				s.maybe(dsi, "dsi", "annonces-"+lang)

				for _, who := range []string{"enseignant", "eleve"} {
					tab := b.Tab(t, central.URL, vp)
					tab.AcceptLanguage(lang)
					loginForm(t, tab, who)
					tab.Open("/")
					banner := tab.Doc().Find("section.announcement.outage")
					if !strings.Contains(banner.Text(), title) {
						t.Errorf("%s's home page: no outage banner %q", who, title)
					}
					// above the tiles: the first thing read after the greeting
					if browser.Eval[bool](tab, `(() => { const a = document.querySelector("section.announcement.outage"), n = document.querySelector("nav.tiles, .kid-tiles"); return !!a && !!n && !!(a.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING) })()`) == false {
						t.Errorf("%s's home page: the banner is not above the tiles", who)
					}
					if tab.Overflow() > 0 {
						t.Errorf("%s's home page overflows by %d px", who, tab.Overflow())
					}
					s.maybe(tab, who, "accueil-annonce-"+lang)
				}
			})
		}
	}
}
