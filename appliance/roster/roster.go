// Package roster is the school's register of people: schools, classes,
// who is in each class and who is whose parent (Service, its SQL in
// store.go), the register's rules (who may create whom, admin.go), the CSV
// import of pupils and parents with a preview, printable first-login
// credentials, the parents' answers to link requests, and the users API.
// Every other feature reads the register through feature.Register, which
// Service implements.
//
// It imports auth, web and feature; no other feature.
package roster

import (
	"errors"
	"net/http"
	"sync"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the school's register of people.
var Feature = feature.Feature{Name: "roster", Schema: Schema, Routes: routes, Tiles: tiles, Demo: demo, Commands: commands,
	Personal: feature.Personal{Export: personalExport, Erase: erase}}

type handlers struct {
	*feature.Env
	reg *Service
	// importing lets one import be confirmed at a time: two running
	// together would each check the school without the other's accounts and
	// create the same people twice.
	importing sync.Mutex
}

// routes wires the roster routes and menu entries. A director works on
// their own school; the DSI on any school, named by the "ecole" parameter.
func routes(env *feature.Env) {
	h := &handlers{Env: env, reg: NewService(env.DB, env.Auth)}
	admins := web.Only(auth.Director, auth.DSI)
	env.Handle("GET /classes", web.Only(auth.Teacher, auth.Director, auth.DSI), h.classes)
	env.Handle("POST /classes", admins, h.createClass)
	env.Handle("GET /comptes", admins, h.accounts)
	env.Handle("GET /comptes/nouveau", admins, h.newAccount)
	env.Handle("POST /comptes", admins, h.createAccount)
	env.Handle("GET /comptes/{id}", admins, h.account)
	env.Handle("POST /comptes/{id}/mot-de-passe", admins, h.resetPassword)
	env.Handle("POST /comptes/{id}/desactiver", admins, h.disable)
	env.Handle("POST /comptes/{id}/activer", admins, h.enable)
	env.Handle("GET /import", admins, h.importForm)
	env.Handle("GET /import/modele.csv", admins, h.importTemplate)
	env.Handle("POST /import", admins, h.importPreview)
	env.Handle("POST /import/confirmer", admins, h.importConfirm)
	env.Handle("GET /api/v1/classes", web.LoggedIn(), h.apiClasses)
	env.Handle("POST /api/v1/users", admins, h.apiCreate)
	env.Handle("GET /api/v1/users", admins, h.apiList)
	env.Handle("PATCH /api/v1/users/{id}", admins, h.apiChange)
	env.Handle("POST /api/v1/users/{id}/password", admins, h.apiSetPassword)
	if env.Config.Role == config.RoleCentral {
		h.registerLinkRequests()
	}
}

// tiles are the register's entries on the home pages: the director's first
// (classes, accounts, the import), and on central the parents' answers to
// the schools asking to link them to a child, with how many wait.
func tiles(env *feature.Env) []web.Tile {
	out := []web.Tile{
		{Profile: auth.Director, Label: "roster.tile.classes", Href: "/classes", Icon: "classes", Order: 10, Hint: "roster.tile.classes_hint"},
		{Profile: auth.Director, Label: "roster.tile.accounts", Href: "/comptes", Icon: "comptes", Order: 20, Hint: "roster.tile.accounts_hint"},
		{Profile: auth.Director, Label: "roster.tile.import", Href: "/import", Icon: "import", Order: 30, Hint: "roster.tile.import_hint"},
		{Profile: auth.DSI, Label: "roster.tile.accounts", Href: "/comptes", Icon: "comptes", Order: 20, Hint: "roster.tile.accounts_hint_dsi"},
		{Profile: auth.Teacher, Label: "roster.tile.my_classes", Href: "/classes", Icon: "classes", Order: 10, Hint: "roster.tile.my_classes_hint"},
	}
	if env.Config.Role == config.RoleCentral {
		register := NewService(env.DB, env.Auth)
		out = append(out, web.Tile{Profile: auth.Parent, Label: "roster.links.title", Href: web.LinkRequestsPath, Icon: "comptes",
			Order: 50, Hint: "roster.tile.links_hint",
			Badge: func(r *http.Request) (string, error) {
				reqs, err := register.LinkRequests(r.Context(), web.CurrentUser(r).ID)
				if err != nil || len(reqs) == 0 {
					return "", err
				}
				return web.N(r, "roster.tile.links_badge", len(reqs)), nil
			}})
	}
	return out
}

// scope is the school a page works on, and the "ecole" parameter that keeps
// the DSI on it from link to link (empty for a director).
type scope struct {
	School auth.School
	Ecole  string
}

// school finds the school the request works on: the user's own, or for the
// DSI the one the "ecole" parameter names — or the node's only school. When
// the DSI must choose, a GET shows the list of schools. On false it has
// answered the client.
func (h *handlers) school(w http.ResponseWriter, r *http.Request) (scope, bool) {
	u := web.CurrentUser(r)
	id, dsi := u.SchoolID, u.Profile == auth.DSI
	if dsi {
		id = r.FormValue("ecole")
	}
	if id == "" && h.Config.Role == config.RoleSchool {
		id = h.Config.SchoolID
	}
	if id == "" {
		return h.chooseSchool(w, r)
	}
	sc, err := h.reg.School(r.Context(), id)
	if errors.Is(err, apperr.ErrNotFound) {
		h.Error(w, r, http.StatusNotFound, "roster.err.no_such_school")
		return scope{}, false
	}
	if err != nil {
		h.Fail(w, r, err)
		return scope{}, false
	}
	out := scope{School: sc}
	if dsi {
		out.Ecole = sc.ID
	}
	return out, true
}

// chooseSchool asks the DSI which school to work on, unless there is only one.
func (h *handlers) chooseSchool(w http.ResponseWriter, r *http.Request) (scope, bool) {
	schools, err := h.reg.Schools(r.Context())
	if err != nil {
		h.Fail(w, r, err)
		return scope{}, false
	}
	if len(schools) == 1 {
		return scope{School: schools[0], Ecole: schools[0].ID}, true
	}
	if r.Method != http.MethodGet {
		h.Error(w, r, http.StatusBadRequest, "roster.err.choose_school")
		return scope{}, false
	}
	h.Render(w, r, "roster/schools", web.T(r, "roster.schools.title"), map[string]any{"Schools": schools, "Path": r.URL.Path})
	return scope{}, false
}

// target loads the account named in the URL and checks the user
// administers it. On false it has answered the client (404 or 403).
func (h *handlers) target(w http.ResponseWriter, r *http.Request) (auth.User, bool) {
	return web.Loader[auth.User]{Param: "id", Get: h.Auth.User, May: h.reg.CanAdminister,
		NotFound:  "roster.err.no_such_account",
		Forbidden: "roster.err.not_yours",
	}.Load(h.Server, w, r)
}
