package sync

import (
	"fmt"
	"net/http"
	"preau/appliance/i18n"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is sync's part of a node: its bookkeeping tables, the director's
// status pages or central's endpoints and schools pages, the sync loop of a
// school, and the control routes `preau sync` reaches a running server by.
var Feature = feature.Feature{Name: "sync", Schema: Schema, Routes: routes, Tiles: tiles, Commands: commands}

type serviceKey struct{}

func routes(env *feature.Env) {
	s := New(env.Config, env.DB, env.Register, env.Log, env.Version)
	env.Provide(serviceKey{}, s)
	s.Register(env.Server)
	env.Services = append(env.Services, s.Run)
	if s.Client != nil {
		env.Library = s.Client
		env.Outbox = s.Client
		s.Client.UseSignatures(func() feature.Signatures { return env.Signatures })
	}
	control := func(f func(r *http.Request) (any, error)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if s.Client == nil {
				http.Error(w, i18n.For(i18n.Lang(env.Config.DefaultLanguage)).T("sync.err.school_only"), http.StatusConflict)
				return
			}
			feature.Reply(w, func() (any, error) { return f(r) })
		}
	}
	env.Control.HandleFunc("GET /sync/status", control(func(r *http.Request) (any, error) { return s.Client.Status(r.Context()) }))
	env.Control.HandleFunc("POST /sync/now", control(func(r *http.Request) (any, error) { return s.Client.Now(r.Context()) }))
	env.Control.HandleFunc("POST /sync/enroll", control(func(r *http.Request) (any, error) {
		var in struct{ Central, Token string }
		if err := web.ReadJSON(r.Body, &in); err != nil {
			return nil, fmt.Errorf("commande illisible : %w", err)
		}
		return s.Client.Enroll(r.Context(), in.Central, in.Token)
	}))
}

// tiles: the director's link with central on a school, the DSI's schools on
// central.
func tiles(env *feature.Env) []web.Tile {
	if env.Config.Role == config.RoleCentral {
		return []web.Tile{{Profile: auth.DSI, Label: "sync.tile.schools", Href: "/ecoles", Icon: "ecole", Order: 10,
			Hint: "sync.tile.schools_hint"}}
	}
	return []web.Tile{{Profile: auth.Director, Label: "sync.tile.sync", Href: "/synchronisation", Icon: "sync", Order: 60,
		Hint: "sync.tile.sync_hint"}}
}

// Of is the sync service of the node env belongs to.
func Of(env *feature.Env) *Service {
	s, _ := env.Provided(serviceKey{}).(*Service)
	return s
}
