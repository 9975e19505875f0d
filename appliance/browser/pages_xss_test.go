package browser_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
)

// pagesXSS is HTML an editing client could post instead of its editor's:
// each piece sets window.pwned if it runs.
var pagesXSS = []string{
	`<script>window.pwned=1</script>`,
	`<img src=x onerror="window.pwned=1">`,
	`<a href="javascript:window.pwned=1" id="lien">lien</a>`,
	`<a href="data:text/html,<script>parent.pwned=1</script>">data</a>`,
	`<svg><script>window.pwned=1</script></svg><svg onload="window.pwned=1"></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror="window.pwned=1">`,
	`<noscript><p title="</noscript><img src=x onerror=window.pwned=1>">`,
	`<iframe src="javascript:parent.pwned=1"></iframe><object data="javascript:window.pwned=1"></object>`,
	`<div style="background:url(javascript:window.pwned=1)">css</div><style>*{background:url("javascript:window.pwned=1")}</style>`,
	`<form action="javascript:window.pwned=1"><button id="envoyer">envoyer</button></form>`,
	`<details open ontoggle="window.pwned=1">x</details><body onload="window.pwned=1">`,
}

// A hostile editor posts script in every form it knows instead of its
// editor's HTML; a parent reads the page, the teacher opens it in the
// editor (which loads the kept HTML), and both click what can be clicked:
// nothing runs.
func TestPagesXSS(t *testing.T) {
	b := browser.Start(t, 2*time.Minute)
	app := apptest.New(t, apptest.Options{})
	var id string
	if err := app.DB.Reader().QueryRow("SELECT id FROM pages WHERE deleted = 0 LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	resp, _ := app.PostForm(app.ClientAs("eleve"), "/pages/"+id+"/html", url.Values{"html": {strings.Join(pagesXSS, "\n")}})
	if resp.StatusCode != 200 {
		t.Fatalf("posting the HTML: %d", resp.StatusCode)
	}
	for _, who := range []struct{ login, path string }{{"parent", "/pages/" + id}, {"enseignant", "/pages/" + id + "/modifier"}} {
		tab := b.Tab(t, app.URL, browser.Desktop)
		loginForm(t, tab, who.login)
		tab.Open(who.path)
		browser.Eval[bool](tab, `(document.querySelectorAll('.page-body a, .page-body button').forEach(e => { try { e.click() } catch (_) {} }), true)`)
		time.Sleep(time.Second)
		if browser.Eval[bool](tab, `window.pwned === 1`) {
			t.Errorf("%s: script ran on %s", who.login, who.path)
		}
	}
}
