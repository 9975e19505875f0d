// Package update is the signed updates the city's DSI pushes to its
// schools. The DSI makes keys once on a machine kept off the servers
// (preau update keygen), signs each release there (preau update sign: a
// bundle of TUF metadata and the new binary, see bundle.go) and publishes
// it to central (preau update publish), first to a wave of schools, then
// to the rest. Schools receive the release's row and bundle through sync,
// verify the bundle against the root key they pin (update.root_key),
// swap the binary atomically, restart through the service manager, and
// roll back when the new binary does not answer /healthz within
// update.health_timeout (apply.go). Each school reports the version it
// runs and what became of the last release, with the reason of a refusal
// or a rollback, for the DSI's page (/mises-a-jour, central).
//
// It imports auth, store, config, apperr, web, feature and service; no
// other feature.
package update

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the signed updates.
var Feature = feature.Feature{Name: "update", Schema: Schema, Routes: routes, Tiles: tiles, Commands: commands}

// Path is the DSI's page of updates, on central.
const Path = "/mises-a-jour"

type handlers struct {
	*feature.Env
	s *Service
}

var dsi = web.Only(auth.DSI)

func newService(env *feature.Env) *Service {
	s := NewService(env.DB, env.Config, env.Log, env.Register, func() feature.Library { return env.Library }, env.Version)
	s.audit = env.Audit
	return s
}

// routes: the DSI's page and API on central; at a school, the update
// check that runs beside the server.
func routes(env *feature.Env) {
	s := newService(env)
	if env.Config.Role != config.RoleCentral {
		env.Services = append(env.Services, s.run)
		env.Signatures = s
		return
	}
	h := &handlers{Env: env, s: s}
	env.Handle("GET "+Path, dsi, h.page)
	env.Handle("POST "+Path+"/{id}/etendre", dsi, h.extend)
	env.Handle("GET /api/v1/updates", dsi, h.apiList)
	env.Handle("POST /api/v1/updates", dsi, h.apiPublish)
	env.AllowBody("POST /api/v1/updates", MaxBundle)
	env.Handle("POST /api/v1/updates/{id}/extend", dsi, h.apiExtend)
	env.Handle("POST /api/v1/updates/library", dsi, h.apiPublishLibrary)
	env.AllowBody("POST /api/v1/updates/library", maxLibrary)
}

func tiles(env *feature.Env) []web.Tile {
	if env.Config.Role != config.RoleCentral {
		return nil
	}
	return []web.Tile{{Profile: auth.DSI, Label: "update.tile.title", Href: Path, Icon: "outils", Order: 40, Hint: "update.tile.hint"}}
}

// schoolRow is a school's line on the DSI's page.
type schoolRow struct {
	SchoolState
	Name   string
	Reason string // in the reader's language
}

// releaseRow is a release's line on the DSI's page.
type releaseRow struct {
	Published
	Wave      []string // the first wave's school names
	Everyone  bool     // meant for every school now
	Reporting map[string]int
}

type page struct {
	Releases []releaseRow
	Schools  []schoolRow
	// Library is the newest signature of the city's library, nil when
	// the DSI signed none; LibrarySchools are the schools' reports on it.
	Library        *LibrarySignature
	LibrarySchools []libraryRow
}

// libraryRow is a school's line of the signed library on the DSI's page.
type libraryRow struct {
	LibraryReport
	Name   string
	Reason string // in the reader's language
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	rels, states, err := h.s.Overview(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	names := map[string]string{}
	p := page{}
	for _, st := range states {
		names[st.SchoolID] = st.School.Name
		row := schoolRow{SchoolState: st, Name: st.School.Name}
		if st.Reason != "" {
			row.Reason = web.T(r, st.Reason, reasonArgs(st.ReasonArgs)...)
		}
		p.Schools = append(p.Schools, row)
	}
	for _, rel := range rels {
		row := releaseRow{Published: rel, Everyone: rel.Schools == "", Reporting: map[string]int{}}
		for _, id := range rel.FirstWave() {
			row.Wave = append(row.Wave, cmpOr(names[id], id))
		}
		for _, st := range states {
			if st.ReleaseID == rel.ID {
				row.Reporting[st.State]++
			}
		}
		p.Releases = append(p.Releases, row)
	}
	sigs, reps, err := h.s.LibraryOverview(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if len(sigs) > 0 {
		p.Library = &sigs[0]
	}
	for _, rep := range reps {
		row := libraryRow{LibraryReport: rep, Name: cmpOr(names[rep.SchoolID], rep.SchoolID)}
		if rep.Reason != "" {
			row.Reason = web.T(r, rep.Reason, reasonArgs(rep.ReasonArgs)...)
		}
		p.LibrarySchools = append(p.LibrarySchools, row)
	}
	h.Render(w, r, "update/list", web.T(r, "update.title"), p)
}

func (h *handlers) extend(w http.ResponseWriter, r *http.Request) {
	p, err := h.s.Extend(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "update.extend", p.Version)
	h.Redirect(w, r, Path, "update.flash.extended", "Version", p.Version)
}

// reasonArgs are a report's reason's arguments as the catalogue takes
// them: name, value pairs in a stable order.
func reasonArgs(m map[string]string) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		out = append(out, k, m[k])
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// releaseJSON is a release as the API lists it.
type releaseJSON struct {
	Published
	Schools []string `json:"schools"` // the schools it is meant for, [] for every one
	Wave    []string `json:"wave"`
}

func jsonOf(p Published) releaseJSON {
	return releaseJSON{Published: p, Schools: nonNil(p.Targets()), Wave: nonNil(p.FirstWave())}
}

func nonNil(t feature.Targets) []string {
	if t == nil {
		return []string{}
	}
	return t
}

// apiList: {"releases": [...], "schools": [{"school_id", "version", "state", ...}],
// "library": [...], "library_schools": [...]}.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	rels, states, err := h.s.Overview(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	sigs, reps, err := h.s.LibraryOverview(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := struct {
		Releases       []releaseJSON      `json:"releases"`
		Schools        []SchoolState      `json:"schools"`
		Library        []LibrarySignature `json:"library"`
		LibrarySchools []LibraryReport    `json:"library_schools"`
	}{Releases: []releaseJSON{}, Schools: states, Library: sigs, LibrarySchools: reps}
	if out.Library == nil {
		out.Library = []LibrarySignature{}
	}
	if out.LibrarySchools == nil {
		out.LibrarySchools = []LibraryReport{}
	}
	for _, p := range rels {
		out.Releases = append(out.Releases, jsonOf(p))
	}
	web.JSON(w, http.StatusOK, out)
}

// apiPublish: the bundle as the body, ?schools=a,b for a first wave →
// 201 the release.
func (h *handlers) apiPublish(w http.ResponseWriter, r *http.Request) {
	data, err := readBody(r, MaxBundle)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var wave []string
	for _, id := range strings.Split(r.URL.Query().Get("schools"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			wave = append(wave, id)
		}
	}
	p, err := h.s.Publish(r.Context(), web.CurrentUser(r), data, wave)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "update.publish", p.Version)
	web.JSON(w, http.StatusCreated, jsonOf(p))
}

// apiExtend: the release goes to every school → 200 the release.
func (h *handlers) apiExtend(w http.ResponseWriter, r *http.Request) {
	p, err := h.s.Extend(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "update.extend", p.Version)
	web.JSON(w, http.StatusOK, jsonOf(p))
}

// apiPublishLibrary: a library bundle as the body → 201 the signature.
func (h *handlers) apiPublishLibrary(w http.ResponseWriter, r *http.Request) {
	data, err := readBody(r, maxLibrary)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	l, err := h.s.PublishLibrary(r.Context(), web.CurrentUser(r), data)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, l)
}

// readBody reads a published bundle, at most max bytes (the route's
// AllowBody).
func readBody(r *http.Request, max int64) ([]byte, error) {
	data, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, apperr.New(apperr.ErrTooLarge, "update.err.too_large", "Max", max>>20)
	}
	if err != nil {
		return nil, reason("update.err.truncated")
	}
	return data, nil
}
