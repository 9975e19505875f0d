// Package search is the one search box of every profile: it finds
// homework, liaison notes, news, events, documents (by their name and
// their text) and whatever other features register a source for, showing
// only what the caller may see. Its index is SQLite FTS5, kept by reading
// the change log: whatever is written on this node or arrives by sync is
// found once the index caught up, which a search waits for.
//
// It imports auth, store, web and feature; no other feature.
package search

import (
	"net/http"
	"strings"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the search.
var Feature = feature.Feature{Name: "search", Schema: Schema, Routes: routes}

// Path is the search's page (web.SearchPath, where the top bar's box goes).
const Path = web.SearchPath

var everyone = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI)

type handlers struct {
	*feature.Env
	ix *Index
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, ix: NewIndex(env)}
	env.Finder = h.ix
	env.DB.OnCommit(h.ix.Wake)
	env.Services = append(env.Services, h.ix.Run)
	env.Handle("GET "+Path, everyone, h.page)
	env.Handle("GET /api/v1/search", everyone, h.api)
}

// resultsPage is what the search page shows.
type resultsPage struct {
	Query  string
	Groups []Group
	Count  int
	Asked  bool // a query with words was sent
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.FormValue("q"))
	groups, err := h.ix.Search(r.Context(), web.CurrentUser(r), q)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := resultsPage{Query: q, Groups: groups, Asked: len(Terms(q)) > 0}
	for _, g := range groups {
		p.Count += len(g.Results)
	}
	name := "search/results"
	if web.CurrentUser(r).Profile == auth.Pupil {
		name = "search/pupil"
	}
	title := web.T(r, "search.title")
	if q != "" {
		title = web.T(r, "search.title_for", "Query", q)
	}
	h.Render(w, r, name, title, p)
}

// resultJSON is a result as the API gives it.
type resultJSON struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	Snippet string `json:"snippet"`
	URL     string `json:"url"`
}

// api: GET /api/v1/search?q= → [{"kind", "id", "title", "snippet", "url"}],
// grouped by kind; [] for a query without words.
func (h *handlers) api(w http.ResponseWriter, r *http.Request) {
	groups, err := h.ix.Search(r.Context(), web.CurrentUser(r), r.FormValue("q"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := []resultJSON{}
	for _, g := range groups {
		for _, res := range g.Results {
			out = append(out, resultJSON{Kind: res.Kind, ID: res.ID, Title: res.Title, Snippet: res.Snippet(), URL: res.URL})
		}
	}
	web.JSON(w, http.StatusOK, out)
}

// Snippet is the text around the words found, plain.
func (r Result) Snippet() string {
	var b strings.Builder
	for _, p := range r.parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// External reports whether the result leads out of Préau (a curated
// site): the page opens it in a new tab, telling it nothing of where the
// reader came from.
func (r Result) External() bool {
	return strings.HasPrefix(r.URL, "https://") || strings.HasPrefix(r.URL, "http://")
}

// Part is a piece of a snippet: a word found, or the text around it.
type Part struct {
	Text  string
	Found bool
}

// Parts are the snippet's pieces, for the page to mark the words found.
func (r Result) Parts() []Part { return r.parts }
