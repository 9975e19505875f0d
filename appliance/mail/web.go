package mail

import (
	"net/http"

	"preau/appliance/feature"
	"preau/appliance/web"
)

type handlers struct {
	*feature.Env
	s *Service
}

func (h *handlers) routes() {}

func tiles(env *feature.Env) []web.Tile { _ = http.MethodGet; return nil }
