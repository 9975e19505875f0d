// Package pages is the class pages: the class wiki and the class
// newspaper, which a class's pupils and staff write together live in the
// browser (Yjs and TipTap, assets/js/pages.js) while the server speaks the
// y-websocket protocol, keeps every update as an append-only row, and
// keeps the sanitized HTML for readers, the search and the history.
//
// It imports auth, store, text, web and feature; no other feature.
package pages

import (
	"html/template"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the class pages.
var Feature = feature.Feature{Name: "pages", Personal: feature.Personal{Export: personalExport}, Schema: Schema, Routes: routes, Tiles: tiles,
	Search: []feature.SearchSource{searchSource}, Demo: feature.Demo{Seed: demo}}

// Path is the class pages' list.
const Path = "/pages"

var (
	readers = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director)
	editors = web.Only(auth.Pupil, auth.Teacher, auth.Director)
)

type serviceKey struct{}

// Of is the node's class pages, for the root and for tests (sync's).
func Of(env *feature.Env) *Service { s, _ := env.Provided(serviceKey{}).(*Service); return s }

type handlers struct {
	*feature.Env
	s    *Service
	live *collab
}

func routes(env *feature.Env) {
	s := NewService(env.DB, env.Register)
	s.owner = func() feature.PageOwner { return env.PageOwner }
	env.Provide(serviceKey{}, s)
	env.Pages = s
	h := &handlers{Env: env, s: s, live: newCollab(pageStore{s}, env.Log)}
	if max := env.Config.CollabMaxUpdate; max > 0 {
		h.live.maxUpdate = max
		s.maxUpdate = max
	}
	env.Handle("GET "+Path, readers, h.list)
	env.Handle("POST "+Path, editors, h.create)
	env.Handle("GET "+Path+"/{id}", readers, h.page)
	env.Handle("GET "+Path+"/{id}/modifier", editors, h.editor)
	env.Handle("POST "+Path+"/{id}/html", editors, h.saveHTML)
	env.Handle("GET "+Path+"/{id}/mises-a-jour", editors, h.stored)
	env.Handle("POST "+Path+"/{id}/compacter", editors, h.compact)
	env.Handle("GET "+Path+"/{id}/historique", readers, h.history)
	env.Handle("GET "+Path+"/{id}/historique/{version}", readers, h.version)
	env.Handle("POST /api/v1/pages", editors, h.apiCreate)
	env.Handle("GET /api/v1/pages/{id}", readers, h.apiGet)
	env.Handle("GET /api/v1/pages/{id}/ws", readers, h.ws)
}

func tiles(env *feature.Env) []web.Tile {
	return []web.Tile{
		{Profile: auth.Pupil, Label: "pages.tile.pupil", Href: Path, Icon: "crayon", Picture: "icons/crayon", Order: 45},
		{Profile: auth.Teacher, Label: "pages.tile.title", Href: Path, Icon: "crayon", Order: 45, Hint: "pages.tile.staff_hint"},
		{Profile: auth.Director, Label: "pages.tile.title", Href: Path, Icon: "crayon", Order: 60, Hint: "pages.tile.staff_hint"},
		{Profile: auth.Parent, Label: "pages.tile.title", Href: Path, Icon: "crayon", Order: 45, Hint: "pages.tile.parent_hint"},
	}
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) {
	classes, err := h.s.For(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "pages/list", web.T(r, "pages.title"), map[string]any{"Classes": classes, "Kinds": Kinds})
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) {
	id, err := h.s.Create(r.Context(), web.CurrentUser(r), Draft{Title: r.FormValue("titre"), ClassID: r.FormValue("classe"), Kind: r.FormValue("sorte")})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, Path+"/"+id+"/modifier", http.StatusSeeOther)
}

// page is what readers see: the sanitized HTML, no script.
func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	p, write, err := h.s.Readable(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "pages/page", p.Title, map[string]any{"Page": p, "Back": h.s.Back(p), "Body": template.HTML(p.HTML), "Writable": write})
}

// editor is the live editor; ?restaurer=<version> loads that version's
// HTML into the shared document once it is in sync (a restore is an edit
// like any other, so every editor sees it).
func (h *handlers) editor(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	p, err := h.s.Writable(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	restore := ""
	if vid := r.URL.Query().Get("restaurer"); vid != "" {
		_, v, err := h.s.Version(r.Context(), u, p.ID, vid)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		restore = v.HTML
	}
	n, err := h.s.updateCount(r.Context(), p.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "pages/editor", p.Title, map[string]any{"Page": p, "Back": h.s.Back(p), "Body": template.HTML(p.HTML), "Name": u.DisplayName,
		"Restore": template.HTML(restore), "Color": colorOf(u.ID), "Compact": n > compactAfter})
}

// colorOf gives each person a cursor colour of their own.
func colorOf(id string) string {
	colors := []string{"#d9480f", "#2b8a3e", "#1971c2", "#9c36b5", "#c2255c", "#087f5b", "#e67700", "#5f3dc4"}
	n := 0
	for _, c := range id {
		n = (n*31 + int(c)) & 0xffff
	}
	return colors[n%len(colors)]
}

// saveHTML takes the HTML an editor's browser renders (field html).
func (h *handlers) saveHTML(w http.ResponseWriter, r *http.Request) {
	safe, err := h.s.SaveHTML(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.FormValue("html"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"html": safe})
}

// stored: {"through", "updates": [base64…]}, the rows an editor merges.
func (h *handlers) stored(w http.ResponseWriter, r *http.Request) {
	st, err := h.s.ForCompaction(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if st.Updates == nil {
		st.Updates = [][]byte{}
	}
	web.JSON(w, http.StatusOK, map[string]any{"through": st.Through, "updates": st.Updates})
}

// compact: {"through", "update": base64} → {"replaced"}.
func (h *handlers) compact(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Through string `json:"through"`
		Update  []byte `json:"update"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	n, err := h.s.Compact(r.Context(), web.CurrentUser(r), r.PathValue("id"), in.Through, in.Update)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]int{"replaced": n})
}

func (h *handlers) history(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	p, vs, err := h.s.Versions(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	_, write, _ := h.s.Readable(r.Context(), u, p.ID)
	h.Render(w, r, "pages/history", p.Title, map[string]any{"Page": p, "Back": h.s.Back(p), "Versions": vs, "Writable": write})
}

func (h *handlers) version(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	p, v, err := h.s.Version(r.Context(), u, r.PathValue("id"), r.PathValue("version"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	_, write, _ := h.s.Readable(r.Context(), u, p.ID)
	h.Render(w, r, "pages/version", p.Title, map[string]any{"Page": p, "Back": h.s.Back(p), "Version": v, "Body": template.HTML(v.HTML), "Writable": write})
}

// apiCreate: {"title", "class_id", "kind"} → 201 {"id"}.
func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title   string `json:"title"`
		ClassID string `json:"class_id"`
		Kind    string `json:"kind"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	id, err := h.s.Create(r.Context(), web.CurrentUser(r), Draft{Title: in.Title, ClassID: in.ClassID, Kind: in.Kind})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": id})
}

// apiGet: {"id", "title", "html"}, the sanitized rendering.
func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	p, _, err := h.s.Readable(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"id": p.ID, "title": p.Title, "html": p.HTML})
}

// upgrader accepts only this server's own pages (gorilla's default Origin
// check) and programs, which send no Origin. Sockets read through a small
// buffer of their own (not the 4 KB one the HTTP server gave them: an
// update larger than the buffer is read straight into its message) and
// share write buffers from a pool, holding one only while a frame goes
// out: an idle editor costs little more than its socket.
var upgrader = websocket.Upgrader{ReadBufferSize: 256, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{}}

// ws is the page's y-websocket: a reader gets the document and the
// awareness, and their updates are dropped.
func (h *handlers) ws(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	p, write, err := h.s.Readable(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered
	}
	h.live.serve(conn, p.ID, peer{UserID: u.ID, CanWrite: write})
}
