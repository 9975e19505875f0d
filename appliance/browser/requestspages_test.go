package browser_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// The DSI's queue of requests in pages: filtered to interventions, the
// first page shows 50, the pager leads to the second and back, and the
// filter stays chosen. In French and in Arabic, on a desktop and a phone.
func TestRequestsQueuePagesStory(t *testing.T) {
	b := browser.Start(t, 3*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				central := apptest.New(t, apptest.Options{Role: "central"})
				director := central.ClientAs("directeur")
				for i := range 55 {
					body := fmt.Sprintf(`{"kind":"intervention","title":"Panne %02d","fields":{"room":"Salle %d","equipment":"Vidéoprojecteur","description":"Ne s'allume plus.","urgency":"normal"}}`, i, i)
					if resp, out := central.Do(director, "POST", "/api/v1/requests", "application/json", body); resp.StatusCode != http.StatusCreated {
						t.Fatalf("file %d: %d %s", i, resp.StatusCode, out)
					}
				}
				s := shots(t, vp)
				dsi := b.Tab(t, central.URL, vp)
				dsi.AcceptLanguage(lang)
				loginForm(t, dsi, "dsi")
				dsi.Open("/demandes?type=intervention")
				inLanguage(t, dsi, lang, "the queue, page 1")
				if n := dsi.Doc().Find("tr[data-request]").Length(); n != 50 {
					t.Errorf("page 1 lists %d requests, want 50", n)
				}
				s.maybe(dsi, "dsi", "demandes-page-1-"+lang)
				dsi.Click(`nav.pager a[rel="next"]`)
				inLanguage(t, dsi, lang, "the queue, page 2")
				doc := dsi.Doc()
				if n := doc.Find("tr[data-request]").Length(); n < 5 || n > 50 {
					t.Errorf("page 2 lists %d requests", n)
				}
				if v := doc.Find(`select[name="type"] option[selected]`).AttrOr("value", ""); v != "intervention" {
					t.Errorf("the filter on page 2: %q, want intervention", v)
				}
				if doc.Find(`nav.pager a[aria-current="page"]`).Text() != "2" {
					t.Errorf("the pager does not say page 2")
				}
				s.maybe(dsi, "dsi", "demandes-page-2-"+lang)
				dsi.Click(`nav.pager a[rel="prev"]`)
				if n := dsi.Doc().Find("tr[data-request]").Length(); n != 50 {
					t.Errorf("back on page 1: %d requests", n)
				}
			})
		}
	}
}
