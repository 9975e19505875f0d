package browser_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/audit"
	"preau/appliance/auth"
	"preau/appliance/browser"
)

// The journal of administrative actions, for real: at an enrolled school
// the director disables a teacher's account through its page, finds the
// action in the journal from the home page's tile and narrows it with a
// filter; after a sync, the DSI finds it on central under the school's
// name. In French and in Arabic, on a desktop and a phone.
func TestJournalStory(t *testing.T) {
	b := browser.Start(t, 4*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				central := apptest.New(t, apptest.Options{Role: "central"})
				school := requestsSchool(t, central)
				teacher, err := school.Auth.CreateUser(t.Context(), auth.NewUser{FirstName: "Paul", LastName: "Morin",
					Profile: auth.Teacher, SchoolID: "ecole-moulin"})
				if err != nil {
					t.Fatal(err)
				}
				// A term's worth of password resets by the console: the
				// journal runs to a second page.
				for i := range audit.PageSize + 5 {
					if err := school.Env.Audit.RecordConsole(t.Context(), teacher, audit.AccountPasswordReset, fmt.Sprintf("eleve.%02d", i)); err != nil {
						t.Fatal(err)
					}
				}
				s := shots(t, vp)

				director := b.Tab(t, school.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directrice.moulin")
				director.Open("/comptes/" + teacher.ID)
				browser.Eval[bool](director, `(document.querySelector("details.confirm").open = true, true)`)
				director.Click(`form[action="/comptes/` + teacher.ID + `/desactiver"] button[type="submit"]`)

				director.Open("/accueil")
				director.Click(`a[href="/journal"]`)
				inLanguage(t, director, lang, "the director's journal")
				row := director.Doc().Find(`table.journal tr[data-action="account.disable"]`)
				if row.Length() != 1 || !strings.Contains(row.Text(), teacher.Login) || !strings.Contains(row.Text(), "Claire Moulin") {
					t.Fatalf("the journal does not show the disabling of %s: %q", teacher.Login, text(director.Doc(), "main"))
				}
				if lang == "fr" && !strings.Contains(row.Text(), "Désactivation de compte") {
					t.Errorf("the action is not in words: %q", row.Text())
				}
				if director.Overflow() > 0 {
					t.Errorf("the journal overflows by %d px", director.Overflow())
				}
				s.maybe(director, "directeur", "journal-"+lang)
				if n := director.Doc().Find(`table.journal tr[data-action]`).Length(); n != audit.PageSize {
					t.Errorf("the journal's first page shows %d rows", n)
				}
				director.Click(`nav.pager a[rel="next"]`)
				if got := director.Doc().Find(`table.journal tr[data-action]`); got.Length() == 0 || !strings.Contains(got.Last().Text(), "eleve.00") ||
					director.Doc().Find(`nav.pager a[aria-current="page"]`).Text() != "2" {
					t.Errorf("the second page: %d rows, at %s: %q", got.Length(), director.Path(), text(director.Doc(), "main"))
				}
				if director.Overflow() > 0 {
					t.Errorf("the journal's second page overflows by %d px", director.Overflow())
				}
				s.maybe(director, "directeur", "journal-page2-"+lang)
				browser.Eval[bool](director, `(document.querySelector('select[name="action"]').value = "account.create", true)`)
				director.Click(`form.journal-filters button[type="submit"]`)
				if n := director.Doc().Find(`table.journal tr[data-action]`).Length(); n != 0 || !strings.Contains(director.Path(), "action=account.create") {
					t.Errorf("filtered on creations, the journal shows %d rows at %s", n, director.Path())
				}

				if _, err := school.Sync.Client.SyncOnce(t.Context()); err != nil {
					t.Fatalf("sync: %v", err)
				}
				dsi := b.Tab(t, central.URL, vp)
				dsi.AcceptLanguage(lang)
				loginForm(t, dsi, "dsi")
				dsi.Open("/accueil")
				dsi.Click(`a[href="/journal"]`)
				inLanguage(t, dsi, lang, "the city's journal")
				browser.Eval[bool](dsi, `(document.querySelector('select[name="ecole"]').value = "ecole-moulin", true)`)
				dsi.Click(`form.journal-filters button[type="submit"]`)
				row = dsi.Doc().Find(`table.journal tr[data-action="account.disable"]`)
				if row.Length() != 1 || !strings.Contains(row.Text(), "École du Moulin") || !strings.Contains(row.Text(), teacher.Login) {
					t.Fatalf("central's journal does not show the school's action: %q", text(dsi.Doc(), "main"))
				}
				if dsi.Overflow() > 0 {
					t.Errorf("the city's journal overflows by %d px", dsi.Overflow())
				}
				s.maybe(dsi, "dsi", "journal-"+lang)
			})
		}
	}
}
