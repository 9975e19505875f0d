// Package stats is the usage statistics (statistiques d'usage), counts
// and never a trail: connections per day and month per profile (the figure
// ENT programmes report), unique visitors and visits per visitor, the
// services most used, the peak hour and weekday, and the accounts
// activated out of those created. Each node counts what happens on it in
// memory and writes per-day counters now and then (Recorder); only those
// counters replicate, with their school's scope, so that a director reads
// their school's and the DSI, on central, the city's and each school's.
// Pages draw their charts as SVG on the server, with a table beside each,
// and the same figures come as CSV and JSON.
//
// It imports apperr, auth, config, i18n, store, web and feature; no other
// feature.
// Connections come from auth (OnSession), visits from web (OnVisit).
package stats

import (
	"net/http"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the usage statistics.
var Feature = feature.Feature{Name: "stats", Schema: Schema, Routes: routes, Tiles: tiles, Demo: feature.Demo{Seed: demo},
	Personal: feature.Personal{Export: personalExport, Erase: erase}}

// Path is the statistics' page; CSVPath the same figures as CSV.
const (
	Path    = "/statistiques"
	CSVPath = "/stats.csv"
)

var readers = web.Only(auth.Director, auth.DSI)

type handlers struct {
	*feature.Env
	s *Service
}

// recorderKey is where the node's recorder is kept in its Env.
type recorderKey struct{}

// RecorderOf is the node's recorder, for tests that count and flush.
func RecorderOf(env *feature.Env) *Recorder {
	rc, _ := env.Provided(recorderKey{}).(*Recorder)
	return rc
}

func routes(env *feature.Env) {
	school := env.Config.SchoolID
	if env.Config.Role == config.RoleCentral {
		school = ""
	}
	rc := NewRecorder(env.DB, env.Log, school)
	env.Provide(recorderKey{}, rc)
	env.Auth.OnSession(rc.Connection)
	env.OnVisit(func(_ *http.Request, u auth.User, service string) { rc.Visit(u, service) })
	env.Services = append(env.Services, rc.Run)

	h := &handlers{Env: env, s: NewService(env.DB, env.Register)}
	env.Handle("GET "+Path, readers, h.page)
	env.Handle("GET "+CSVPath, readers, h.csv)
	env.Handle("GET /api/v1/stats", readers, h.api)
}

// tiles: the director's school's figures; the DSI's city's.
func tiles(env *feature.Env) []web.Tile {
	out := []web.Tile{{Profile: auth.Director, Label: "stats.tile.title", Href: Path, Icon: "statistiques", Order: 60,
		Hint: "stats.tile.director_hint"}}
	if env.Config.Role == config.RoleCentral {
		out = append(out, web.Tile{Profile: auth.DSI, Label: "stats.tile.title", Href: Path, Icon: "statistiques", Order: 30,
			Hint: "stats.tile.dsi_hint"})
	}
	return out
}
