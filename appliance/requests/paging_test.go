package requests_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"preau/appliance/apptest"
)

// The DSI's queue comes in pages, by the API (?limit=&offset=, the total
// in X-Total-Count, the next page in a Link header) and on the page (50
// a page, the filters kept in the pager's links); a limit or an offset
// that is not one is refused with a 400 that says why.
func TestQueueInPages(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	director, dsi := a.ClientAs("directeur"), a.ClientAs("dsi")
	const filed = 60
	for i := range filed {
		body := fmt.Sprintf(`{"kind":"intervention","title":"Panne %02d","fields":{"room":"Salle %d","equipment":"Vidéoprojecteur","description":"Ne s'allume plus.","urgency":"normal"}}`, i, i)
		if resp, out := a.Do(director, "POST", "/api/v1/requests", "application/json", body); resp.StatusCode != http.StatusCreated {
			t.Fatalf("file %d: %d %s", i, resp.StatusCode, out)
		}
	}
	resp, body := a.Get(dsi, "/api/v1/requests?limit=500")
	var all []listed
	json.Unmarshal([]byte(body), &all)
	total, _ := strconv.Atoi(resp.Header.Get("X-Total-Count"))
	if resp.StatusCode != 200 || len(all) < filed || total != len(all) || resp.Header.Get("Link") != "" {
		t.Fatalf("the whole queue: %d, %d listed, X-Total-Count %d, Link %q", resp.StatusCode, len(all), total, resp.Header.Get("Link"))
	}

	// Page by page, following the Link header: every request once, in order.
	var walked []listed
	next := "/api/v1/requests?limit=25"
	for next != "" {
		resp, body := a.Get(dsi, next)
		var page []listed
		if err := json.Unmarshal([]byte(body), &page); err != nil || resp.StatusCode != 200 || len(page) > 25 {
			t.Fatalf("%s: %d %s", next, resp.StatusCode, body)
		}
		walked = append(walked, page...)
		next = ""
		if link := resp.Header.Get("Link"); link != "" {
			next = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
		}
	}
	if len(walked) != len(all) {
		t.Fatalf("walked %d requests, want %d", len(walked), len(all))
	}
	for i := range all {
		if walked[i].ID != all[i].ID {
			t.Fatalf("request %d: %s walking, %s at once", i, walked[i].ID, all[i].ID)
		}
	}
	if resp, body := a.Get(dsi, fmt.Sprintf("/api/v1/requests?offset=%d", total+10)); resp.StatusCode != 200 || strings.TrimSpace(body) != "[]" {
		t.Errorf("past the end: %d %s, want []", resp.StatusCode, body)
	}
	if resp, body := a.Get(director, "/api/v1/requests"); resp.StatusCode != 200 || resp.Header.Get("X-Total-Count") == "" || !strings.Contains(body, "Panne") {
		t.Errorf("the director's list: %d %s", resp.StatusCode, body)
	}

	for query, want := range map[string]string{"limit=0": "limit « 0 »", "limit=501": "de 1 à 500", "limit=dix": "limit « dix »",
		"offset=-1": "offset « -1 »", "offset=x": "offset « x »"} {
		resp, body := a.Get(dsi, "/api/v1/requests?"+query)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("?%s: %d %s, want 400 saying %q", query, resp.StatusCode, body, want)
		}
	}

	// The page: 50 a page, the filter kept from one page to the next.
	interventions := 0
	for _, r := range all {
		if r.Kind == "intervention" {
			interventions++
		}
	}
	_, first := a.Get(dsi, "/demandes?type=intervention")
	if n := strings.Count(first, `data-request="`); n != 50 {
		t.Errorf("page 1 lists %d requests, want 50", n)
	}
	if !strings.Contains(first, `href="/demandes?page=2&amp;type=intervention" rel="next"`) {
		t.Fatalf("page 1 has no link to page 2 keeping the filter")
	}
	_, second := a.Get(dsi, "/demandes?page=2&type=intervention")
	if n := strings.Count(second, `data-request="`); n != interventions-50 {
		t.Errorf("page 2 lists %d requests, want %d", n, interventions-50)
	}
	if !strings.Contains(second, `href="/demandes?type=intervention" rel="prev"`) {
		t.Errorf("page 2 has no link back to page 1 keeping the filter")
	}
}
