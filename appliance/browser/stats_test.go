package browser_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// Usage statistics, for real: the demo school's director opens them from
// their home page and sees this month's figures, each chart beside its
// table, then the school year; on central the DSI sees the city's, a
// table of schools, and one school's. In French and in Arabic (charts
// running from the right), on a desktop and a phone.
func TestStatsStory(t *testing.T) {
	b := browser.Start(t, 4*time.Minute)
	school := apptest.New(t, apptest.Options{})
	central := apptest.New(t, apptest.Options{Role: "central"})
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				s := shots(t, vp)
				director := b.Tab(t, school.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directeur")
				director.Open("/accueil")
				if director.Doc().Find(`a[href="/statistiques"]`).Length() == 0 {
					t.Errorf("no statistics tile on the director's home page")
				}
				director.Click(`a[href="/statistiques"]`)
				inLanguage(t, director, lang, "the director's statistics")
				statsPage(t, director, lang, "the director's statistics")
				if director.Doc().Find("table.stats-schools").Length() > 0 {
					t.Errorf("the director sees a table of the city's schools")
				}
				s.maybe(director, "directeur", "statistiques-mois-"+lang)

				director.Click(`.stats-presets a:nth-child(3)`) // the school year
				if q := director.Doc().Find(`input[name="du"]`).AttrOr("value", ""); !strings.HasSuffix(q, "-09-01") {
					t.Errorf("the school year starts on %q", q)
				}
				if h := text(director.Doc(), "#connexions h2"); h == "" {
					t.Errorf("no heading over the connections")
				}
				inLanguage(t, director, lang, "the school year's statistics")
				s.maybe(director, "directeur", "statistiques-annee-"+lang)

				dsi := b.Tab(t, central.URL, vp)
				dsi.AcceptLanguage(lang)
				loginForm(t, dsi, "dsi")
				dsi.Open("/accueil")
				if dsi.Doc().Find(`a[href="/statistiques"]`).Length() == 0 {
					t.Errorf("no statistics tile on the DSI's home page")
				}
				dsi.Click(`a[href="/statistiques"]`)
				inLanguage(t, dsi, lang, "the city's statistics")
				statsPage(t, dsi, lang, "the city's statistics")
				rows := dsi.Doc().Find("table.stats-schools tr[data-school]")
				if rows.Length() == 0 {
					t.Fatalf("the city's statistics have no table of schools")
				}
				s.maybe(dsi, "dsi", "statistiques-ville-"+lang)
				school := rows.First().AttrOr("data-school", "")
				browser.Eval[bool](dsi, `(document.querySelector('select[name="ecole"]').value = "`+school+`", true)`)
				dsi.Click(`form.stats-period button[type="submit"]`)
				if got := dsi.Doc().Find(`select[name="ecole"] option[selected]`).AttrOr("value", ""); got != school {
					t.Errorf("the DSI chose %s and sees %q", school, got)
				}
				if dsi.Doc().Find("table.stats-schools").Length() > 0 {
					t.Errorf("one school's statistics show the table of schools")
				}
				inLanguage(t, dsi, lang, "a school's statistics on central")
				s.maybe(dsi, "dsi", "statistiques-ecole-"+lang)
			})
		}
	}
}

// statsPage checks what every statistics page shows: its key figures,
// four charts each with a table or a word beside it, the CSV link, and
// charts that run in the reader's direction and fit the screen.
func statsPage(t *testing.T, tab *browser.Tab, lang, what string) {
	t.Helper()
	doc := tab.Doc()
	if n := doc.Find(".stats-key li").Length(); n < 4 {
		t.Errorf("%s: %d key figures", what, n)
	}
	if n := doc.Find(".stats-pair svg.bars").Length(); n != 4 {
		t.Errorf("%s: %d charts, want 4", what, n)
	}
	if n := doc.Find(".stats-pair .stats-table table").Length(); n != 4 {
		t.Errorf("%s: %d tables beside the charts, want 4", what, n)
	}
	if href := doc.Find(`a[href^="/stats.csv?"]`).AttrOr("href", ""); !strings.Contains(href, "from=") {
		t.Errorf("%s: CSV link %q", what, href)
	}
	// The first day's column is on the reader's starting side.
	x, _ := strconv.ParseFloat(doc.Find("#connexions svg.bars rect").First().AttrOr("x", ""), 64)
	if rtl := lang == "ar"; rtl != (x > 180) {
		t.Errorf("%s: the first day's bar is at x=%v in %s", what, x, lang)
	}
	// A chart is as wide as its box, and never wider than the screen.
	w := browser.Eval[float64](tab, `document.querySelector("#connexions svg.bars").getBoundingClientRect().width`)
	if w < 200 || w > float64(tab.Viewport.Width) {
		t.Errorf("%s: the connections chart is %v px wide on a %d px screen", what, w, tab.Viewport.Width)
	}
}
