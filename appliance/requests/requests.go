// Package requests is the requests to the city (demandes à la ville): a
// school's director files a pharmacy restocking, a technical intervention
// or an IT supplies order; it waits at the school, « en attente d'envoi »,
// until central acknowledges it, then the city's DSI handles it on
// central (an agent, a status, comments) and the school sees each change
// at the next sync, with a notification. The DSI keeps the pharmacy and
// supplies catalogues on central, global rows every school holds.
//
// It imports auth, store, text, notify, web and feature; no other feature.
// What a school has not sent yet it asks of the sync client through
// feature.Outbox.
package requests

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the requests to the city.
var Feature = feature.Feature{Name: "requests", Schema: Schema, Routes: routes, Tiles: tiles, Demo: feature.Demo{Seed: demo},
	Personal: feature.Personal{Export: personalExport, Erase: erase}}

// Path is the requests' page, the director's and the DSI's.
const Path = "/demandes"

type handlers struct {
	*feature.Env
	s *Service
}

var (
	readers   = web.Only(auth.Director, auth.DSI)
	directors = web.Only(auth.Director)
	dsi       = web.Only(auth.DSI)
)

func newService(env *feature.Env) *Service {
	var s *Service
	if env.Config.Role == config.RoleCentral {
		s = NewCentralService(env.DB, env.Register)
	} else {
		s = NewService(env.DB, env.Register, func() feature.Outbox { return env.Outbox })
	}
	s.SetHub(env.Notify)
	return s
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: newService(env)}
	env.Handle("GET "+Path, readers, h.list)
	env.Handle("GET "+Path+"/nouvelle", directors, h.newPage)
	env.Handle("POST "+Path, directors, h.file)
	env.Handle("GET "+Path+"/catalogues", dsi, h.catalogues)
	env.Handle("POST "+Path+"/catalogues", dsi, h.addItem)
	env.Handle("POST "+Path+"/catalogues/{id}/supprimer", dsi, h.removeItem)
	env.Handle("GET "+Path+"/fichiers/{id}", readers, h.fileOf)
	env.Handle("GET "+Path+"/{id}", readers, h.show)
	env.Handle("POST "+Path+"/{id}/commentaires", readers, h.comment)
	env.Handle("POST "+Path+"/{id}/statut", dsi, h.change)
	env.Handle("GET /api/v1/requests", readers, h.apiList)
	env.Handle("POST /api/v1/requests", directors, h.apiFile)
	env.Handle("GET /api/v1/requests/{id}", readers, h.apiGet)
	env.Handle("POST /api/v1/requests/{id}/comments", readers, h.apiComment)
	env.Handle("PATCH /api/v1/requests/{id}", dsi, h.apiChange)
}

// tiles: the director's requests, on a school and on central; the DSI's
// queue and catalogues on central, with what waits.
func tiles(env *feature.Env) []web.Tile {
	s := newService(env)
	waiting := func(key string) func(r *http.Request) (string, error) {
		return func(r *http.Request) (string, error) {
			n, err := s.Waiting(r.Context(), web.CurrentUser(r))
			if err != nil || n == 0 {
				return "", err
			}
			return web.N(r, key, n), nil
		}
	}
	out := []web.Tile{{Profile: auth.Director, Label: "requests.tile.title", Href: Path, Icon: "envoyer", Order: 55,
		Hint: "requests.tile.director_hint", Badge: waiting("requests.tile.queued")}}
	if env.Config.Role == config.RoleCentral {
		out = append(out,
			web.Tile{Profile: auth.DSI, Label: "requests.tile.queue", Href: Path, Icon: "envoyer", Order: 20, Hint: "requests.tile.dsi_hint",
				Badge: waiting("requests.tile.received")},
			web.Tile{Profile: auth.DSI, Label: "requests.tile.catalogues", Href: Path + "/catalogues", Icon: "dossier", Order: 25,
				Hint: "requests.tile.catalogues_hint"})
	}
	return out
}

// perPage is how many requests a page of the list shows: a city's queue
// of a year is a few thousand.
const perPage = 50

// listPage is the director's requests or the DSI's queue, with its
// filters, one page of it.
type listPage struct {
	Items []Request
	web.Pager
	Filter   Filter
	Schools  []auth.School
	DSI      bool
	Kinds    []string
	Statuses []string
	Ages     []string
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	q := r.URL.Query()
	f := Filter{Kind: q.Get("type"), School: q.Get("ecole"), Status: q.Get("statut"), Age: q.Get("age")}
	items, err := h.s.List(r.Context(), u, f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := listPage{Filter: f, DSI: u.Profile == auth.DSI, Kinds: Kinds, Statuses: Statuses, Ages: Ages}
	p.Pager = web.Paginate(len(items), perPage, q.Get("page"), func(n int) string { return listURL(f, n) })
	from, to := p.Window()
	p.Items = items[from:to]
	if p.DSI {
		if p.Schools, err = h.Register.Schools(r.Context()); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.Render(w, r, "requests/list", web.T(r, "requests.title"), p)
}

// listURL is the list's address with its filters; page 1 and empty
// filters are left out.
func listURL(f Filter, page int) string {
	v := url.Values{}
	for k, x := range map[string]string{"type": f.Kind, "ecole": f.School, "statut": f.Status, "age": f.Age} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return Path
	}
	return Path + "?" + v.Encode()
}

// form is the filing form of a kind: the catalogue offered, what was typed.
type form struct {
	Kind      string
	Kinds     []string
	Title     string
	Items     []Item
	Quantity  map[string]int
	Fields    Fields
	Urgencies []string
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("type")
	if !slices.Contains(Kinds, kind) {
		kind = Pharmacy
	}
	h.renderForm(w, r, http.StatusOK, Draft{Kind: kind, Fields: Fields{Urgency: "normal"}}, "")
}

func (h *handlers) renderForm(w http.ResponseWriter, r *http.Request, status int, d Draft, errMsg string) {
	f := form{Kind: d.Kind, Kinds: Kinds, Title: d.Title, Fields: d.Fields, Urgencies: Urgencies, Quantity: map[string]int{}}
	for _, l := range d.Fields.Items {
		f.Quantity[l.Item] = l.Quantity
	}
	if d.Kind != Intervention {
		var err error
		if f.Items, err = h.s.Catalogue(r.Context(), d.Kind); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.RenderStatus(w, r, status, "requests/new", web.T(r, "requests.new_title"), f, errMsg)
}

// draftOf reads the filing form: quantities are named qte-<item id>, an
// empty or zero one orders none.
func draftOf(r *http.Request) (Draft, error) {
	files, err := web.Uploads(r, "photos")
	d := Draft{Kind: r.FormValue("type"), Title: r.FormValue("titre")}
	if d.Kind == Intervention {
		d.Fields = Fields{Room: r.FormValue("salle"), Equipment: r.FormValue("equipement"), Description: r.FormValue("description"),
			Urgency: r.FormValue("urgence")}
		d.Files = files
		return d, err
	}
	for key, v := range r.PostForm {
		id, ok := strings.CutPrefix(key, "qte-")
		if !ok || len(v) == 0 || strings.TrimSpace(v[0]) == "" || strings.TrimSpace(v[0]) == "0" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v[0]))
		if err != nil {
			n = -1 // refused by the service, with the item's name
		}
		d.Fields.Items = append(d.Fields.Items, Line{Item: id, Quantity: n})
	}
	slices.SortFunc(d.Fields.Items, func(a, b Line) int { return strings.Compare(a.Item, b.Item) })
	return d, err
}

func (h *handlers) file(w http.ResponseWriter, r *http.Request) {
	d, err := draftOf(r)
	var req Request
	if err == nil {
		req, err = h.s.File(r.Context(), web.CurrentUser(r), d)
	}
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			d.Files = nil
			if !slices.Contains(Kinds, d.Kind) {
				d.Kind = Pharmacy
			}
			h.renderForm(w, r, status, d, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/"+req.ID, "requests.flash.filed", "Title", req.Title)
}

// showPage is a request with its events, and what the reader may do.
type showPage struct {
	Request  Request
	Events   []Event
	DSI      bool
	Statuses []string
	Agents   []string
}

func (h *handlers) show(w http.ResponseWriter, r *http.Request) {
	h.renderShow(w, r, http.StatusOK, "")
}

func (h *handlers) renderShow(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	u := web.CurrentUser(r)
	req, events, err := h.s.Get(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := showPage{Request: req, Events: events, DSI: u.Profile == auth.DSI, Statuses: Statuses[1:]}
	if p.DSI {
		users, err := h.Auth.AllUsers(r.Context())
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		for _, a := range users {
			if a.Profile == auth.DSI {
				p.Agents = append(p.Agents, a.DisplayName)
			}
		}
	}
	h.RenderStatus(w, r, status, "requests/show", req.Title, p, errMsg)
}

func (h *handlers) comment(w http.ResponseWriter, r *http.Request) {
	files, err := web.Uploads(r, "fichier")
	var file *web.Upload
	if len(files) > 0 {
		file = &files[0]
	}
	if err == nil {
		_, err = h.s.Comment(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.FormValue("texte"), file)
	}
	h.after(w, r, err, "requests.flash.commented")
}

func (h *handlers) change(w http.ResponseWriter, r *http.Request) {
	_, err := h.changeAudited(r, Change{Status: r.FormValue("statut"), Assignee: r.FormValue("agent"), Comment: r.FormValue("texte")})
	h.after(w, r, err, "requests.flash.changed")
}

// changeAudited is the DSI's change of the request r names, recorded in
// the audit log when it sets a status or an agent (a comment alone is
// not an administrative action).
func (h *handlers) changeAudited(r *http.Request, c Change) (Request, error) {
	req, err := h.s.Change(r.Context(), web.CurrentUser(r), r.PathValue("id"), c)
	if err == nil && (c.Status != "" || c.Assignee != "") {
		h.Audited(r, "request.status", req.ID)
	}
	return req, err
}

// after sends back to the request, or shows it again with what was wrong.
func (h *handlers) after(w http.ResponseWriter, r *http.Request, err error, flash string) {
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError && status != http.StatusNotFound && status != http.StatusForbidden {
			h.renderShow(w, r, status, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/"+r.PathValue("id"), flash)
}

// fileOf sends a file of a request: a photo shows in the page, anything
// else is downloaded.
func (h *handlers) fileOf(w http.ResponseWriter, r *http.Request) {
	e, f, err := h.s.OpenFile(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	defer f.Close()
	web.FileHeaders(w, e.FileName, e.FileType, !e.Picture())
	http.ServeContent(w, r, "", time.Time{}, f)
}

// catalogue is one of the DSI's catalogues, as its page shows it.
type catalogue struct {
	Name  string
	Items []Item
}

func (h *handlers) catalogues(w http.ResponseWriter, r *http.Request) {
	h.renderCatalogues(w, r, http.StatusOK, "")
}

func (h *handlers) renderCatalogues(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	if !h.s.handles(web.CurrentUser(r)) {
		h.Error(w, r, http.StatusForbidden, "requests.err.dsi_on_central")
		return
	}
	var p []catalogue
	for _, name := range []string{Pharmacy, Supplies} {
		items, err := h.s.Catalogue(r.Context(), name)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		p = append(p, catalogue{Name: name, Items: items})
	}
	h.RenderStatus(w, r, status, "requests/catalogues", web.T(r, "requests.catalogues_title"), p, errMsg)
}

func (h *handlers) addItem(w http.ResponseWriter, r *http.Request) {
	it, err := h.s.AddItem(r.Context(), web.CurrentUser(r), Item{Catalogue: r.FormValue("catalogue"), Name: r.FormValue("nom"), Unit: r.FormValue("unite")})
	if err != nil {
		if status := web.ErrStatus(err); status == http.StatusBadRequest {
			h.renderCatalogues(w, r, status, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/catalogues", "requests.flash.item_added", "Name", it.Name)
}

func (h *handlers) removeItem(w http.ResponseWriter, r *http.Request) {
	it, err := h.s.RemoveItem(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/catalogues", "requests.flash.item_removed", "Name", it.Name)
}
