// Package web is the HTTP layer every feature uses: routing with a declared
// access policy per route (the authorization matrix tests read it back),
// sessions, cross-origin protection, body limits, rendering of the ui/
// templates, the home pages' tiles, JSON helpers, the status of each kind of
// error, loading an object named in the URL, /healthz and /metrics.
//
// It imports apperr, config, store and auth; never a feature package.
package web

import (
	"context"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/store"
)

// Access says who may use a route.
type Access struct {
	public   bool
	program  bool           // read by programs, not browsers: see ForPrograms
	profiles []auth.Profile // empty and not public: any logged-in user
}

// Public routes need no session.
func Public() Access { return Access{public: true} }

// LoggedIn routes need any session.
func LoggedIn() Access { return Access{} }

// Only routes need a session of one of these profiles.
func Only(ps ...auth.Profile) Access { return Access{profiles: ps} }

// ForPrograms marks a route read by programs rather than browsers, as
// /metrics is by Prometheus: a request without a session gets 401, as on the
// API, never a redirect to a login page a scraper would parse as metrics.
func (a Access) ForPrograms() Access {
	a.program = true
	return a
}

// Allows reports whether a profile (or auth.Anonymous) may use the route.
func (a Access) Allows(p auth.Profile) bool {
	if a.public {
		return true
	}
	if p == auth.Anonymous {
		return false
	}
	if len(a.profiles) == 0 {
		return true
	}
	for _, q := range a.profiles {
		if q == p {
			return true
		}
	}
	return false
}

// Route is a registered route and its policy.
type Route struct {
	Pattern string // "METHOD /path", as given to http.ServeMux
	Access  Access
	Feature string // the feature that registered it, "" for the server's own
}

// Tile is one entry of a profile's home page, which is that profile's menu:
// menus are one level deep, and the top bar keeps only what every page needs.
// Features declare their tiles in their contract; the home page draws a
// profile's tiles in their Order.
type Tile struct {
	Profile auth.Profile
	Label   string // the catalogue's key of its label, short: a pupil reads it
	Href    string
	Icon    string // file name under assets/icons, without .svg
	// Picture is what a pupil's tile shows first, large: a file name under
	// assets/pictures or assets/icons, with its folder ("pictures/soleil");
	// the icon when empty.
	Picture string
	Hint    string // the catalogue's key of a line under an adult's label, saying what is there
	Order   int
	// Badge, when set, counts what waits behind the tile for the request's
	// user ("2 mots à signer", in their language: web.N); "" shows none.
	Badge func(r *http.Request) (string, error)
}

// Panel is one part of a profile's home page under its tiles, which shows
// that person's day (what is due tomorrow, the notes to sign, the latest
// news). Features declare their panels in their contract; the home page
// draws a profile's panels in their Order.
type Panel struct {
	Profile auth.Profile
	Order   int
	// Page is the template whose "content" draws the panel, with Data's
	// value as .Data (and .User, .Lang as on every page).
	Page string
	// Data is what the panel shows to the request's user; nil draws no
	// panel (nothing to show today).
	Data func(r *http.Request) (any, error)
	// Top draws it above the tiles: what everyone must see first (the
	// city's announcement of an outage).
	Top bool
}

// Server routes requests to features and renders their pages.
type Server struct {
	Auth   *auth.Service
	DB     *store.DB
	Config config.Config
	Log    *slog.Logger

	mux     *http.ServeMux
	routes  []Route
	tiles   map[auth.Profile][]Tile
	panels  map[auth.Profile][]Panel
	unread  func(r *http.Request) (int, error)
	bodies  map[string]int64 // route pattern → its body limit, where not http.max_body (AllowBody)
	views   *views
	assets  fs.FS
	metrics *metrics
	handler http.Handler

	registering string                                             // the feature whose routes are being registered (Registering)
	onVisit     func(r *http.Request, u auth.User, feature string) // see OnVisit
}

// New builds a server. uiFS holds the templates, assetsFS the static files;
// in dev mode both are read from disk instead, so edits need no rebuild.
func New(cfg config.Config, db *store.DB, a *auth.Service, log *slog.Logger, uiFS, assetsFS fs.FS) (*Server, error) {
	if cfg.Dev {
		uiFS, assetsFS = os.DirFS("ui"), os.DirFS("assets")
	}
	s := &Server{Auth: a, DB: db, Config: cfg, Log: log, mux: http.NewServeMux(),
		tiles: make(map[auth.Profile][]Tile), panels: make(map[auth.Profile][]Panel), assets: assetsFS, metrics: newMetrics()}
	v, err := newViews(uiFS, cfg.Dev, s.funcs)
	if err != nil {
		return nil, err
	}
	s.views = v
	s.Handle("GET /assets/", Public(), http.StripPrefix("/assets/", s.assetHandler()).ServeHTTP)
	s.Handle("GET /healthz", Public(), s.healthz)
	// Metrics show who uses what and how much: the city's DSI only, with a
	// session token (Prometheus' authorization: credentials). Without one,
	// the separate listener on metrics.addr serves them (MetricsHandler).
	s.Handle("GET /metrics", Only(auth.DSI).ForPrograms(), s.serveMetrics)
	return s, nil
}

// Handle registers a handler with its access policy. Requests that the
// policy refuses never reach the handler.
func (s *Server) Handle(pattern string, access Access, h http.HandlerFunc) {
	s.routes = append(s.routes, Route{Pattern: pattern, Access: access, Feature: s.registering})
	s.mux.Handle(pattern, s.authorize(access, s.visited(s.registering, h)))
}

// Registering says which feature the routes handled from now on belong
// to: the root names each feature before it registers its routes, so that
// a page served is a visit to that feature's service without the feature
// saying so (OnVisit).
func (s *Server) Registering(feature string) { s.registering = feature }

// OnVisit calls f after each page of a feature served whole to someone
// logged in: a GET answered 200 with HTML, not the API, not a file. The
// usage statistics count visits to each service there; f runs on the
// request and must be quick.
func (s *Server) OnVisit(f func(r *http.Request, u auth.User, feature string)) { s.onVisit = f }

// visited wraps a feature's handler to report its pages to OnVisit.
func (s *Server) visited(feature string, h http.HandlerFunc) http.HandlerFunc {
	if feature == "" {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if s.onVisit == nil || r.Method != http.MethodGet || IsAPI(r) || CurrentSession(r) == nil {
			h(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w}
		h(rec, r)
		if rec.status == http.StatusOK && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			s.onVisit(r, CurrentUser(r), feature)
		}
	}
}

// Routes lists every registered route, sorted by pattern.
func (s *Server) Routes() []Route {
	out := append([]Route(nil), s.routes...)
	sort.Slice(out, func(i, j int) bool { return out[i].Pattern < out[j].Pattern })
	return out
}

// AddTile adds a tile to its profile's home page.
func (s *Server) AddTile(t Tile) {
	tiles := append(s.tiles[t.Profile], t)
	sort.SliceStable(tiles, func(i, j int) bool { return tiles[i].Order < tiles[j].Order })
	s.tiles[t.Profile] = tiles
}

// SetUnread gives the top bar its bell: f counts the request user's unread
// notifications (the notifications feature's).
func (s *Server) SetUnread(f func(r *http.Request) (int, error)) { s.unread = f }

// AddPanel adds a panel to its profile's home page.
func (s *Server) AddPanel(p Panel) {
	panels := append(s.panels[p.Profile], p)
	sort.SliceStable(panels, func(i, j int) bool { return panels[i].Order < panels[j].Order })
	s.panels[p.Profile] = panels
}

// PanelsFor draws the panels of the request user's profile that have
// something to show, those above the tiles (top) or those under them. A
// panel that fails is left out, not the page.
func (s *Server) PanelsFor(r *http.Request, top bool) []template.HTML {
	var out []template.HTML
	for _, p := range s.panels[CurrentUser(r).Profile] {
		if p.Top != top {
			continue
		}
		data, err := p.Data(r)
		if err == nil && data != nil {
			var html template.HTML
			if html, err = s.panel(r, p.Page, data); err == nil {
				out = append(out, html)
			}
		}
		if err != nil {
			s.Log.Warn("home panel", "panel", p.Page, "err", err)
		}
	}
	return out
}

// TileView is a tile as a home page shows it to one user: in their
// language, with its badge.
type TileView struct {
	Href, Icon, Picture string // the Tile's
	Label, Hint         string
	Badge               string
}

// TilesFor lists the tiles of the request user's profile with their badges.
// A badge that cannot be counted is left out, not the page: the tile still
// leads where it should.
func (s *Server) TilesFor(r *http.Request) []TileView {
	tiles := s.tiles[CurrentUser(r).Profile]
	out := make([]TileView, len(tiles))
	for i, t := range tiles {
		out[i].Href, out[i].Icon, out[i].Picture = t.Href, t.Icon, t.Picture
		out[i].Label = T(r, t.Label)
		if t.Hint != "" {
			out[i].Hint = T(r, t.Hint)
		}
		if t.Badge != nil {
			badge, err := t.Badge(r)
			if err != nil {
				s.Log.Warn("tile badge", "tile", t.Href, "err", err)
			}
			out[i].Badge = badge
		}
	}
	return out
}

// Handler is the complete middleware chain; build it after all routes.
func (s *Server) Handler() http.Handler {
	if s.handler == nil {
		cop := http.NewCrossOriginProtection()
		cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.Error(w, r, http.StatusForbidden, "error.cross_origin")
		}))
		var h http.Handler = http.HandlerFunc(s.route)
		h = s.loadSession(h)
		h = cop.Handler(h)
		h = s.limitBody(h)
		h = s.observe(h)
		h = s.recoverPanics(h)
		h = s.language(h)
		s.handler = SecureHeaders(h)
	}
	return s.handler
}

// route dispatches to the mux, rendering our own 404 and 405 pages.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	_, pattern := s.mux.Handler(r)
	if pattern == "" {
		// The mux answers 404 or 405; let it decide which, with our page.
		rec := &statusOnly{ResponseWriter: w}
		s.mux.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			s.Error(w, r, http.StatusMethodNotAllowed, "error.method_not_allowed")
			return
		}
		s.Error(w, r, http.StatusNotFound, "error.page_not_found")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// statusOnly captures the mux's own 404/405 status without writing its body.
type statusOnly struct {
	http.ResponseWriter
	status int
}

func (w *statusOnly) WriteHeader(code int) { w.status = code }
func (w *statusOnly) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}
func (w *statusOnly) Header() http.Header { return http.Header{} }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.Log.Error("healthz: store does not answer", "err", err)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) assetHandler() http.Handler {
	files := http.FileServerFS(s.assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			s.Error(w, r, http.StatusNotFound, "error.page_not_found")
			return
		}
		if s.Config.Dev {
			w.Header().Set("Cache-Control", "no-cache")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	})
}

// IsAPI reports whether a request is for the JSON API.
func IsAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// ErrStatus is the HTTP status a service error deserves, by its kind (see
// apperr), for every feature's pages and JSON alike: an error of no kind is
// unexpected, 500.
func ErrStatus(err error) int {
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, apperr.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, apperr.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, apperr.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, apperr.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, apperr.ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
