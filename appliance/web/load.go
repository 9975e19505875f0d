package web

import (
	"context"
	"errors"
	"net/http"

	"preau/appliance/apperr"
	"preau/appliance/auth"
)

// Loader loads the object a request's URL names (a class, an account) and
// checks the user may use it: one way for every feature to answer 404 when
// there is none and 403 when it is not theirs, pages and JSON alike.
type Loader[T any] struct {
	Param string                                          // the path value naming the object: "id"
	Get   func(ctx context.Context, id string) (T, error) // apperr.ErrNotFound when there is none
	// May reports whether the user may use the object; nil lets everyone
	// the route lets in.
	May       func(ctx context.Context, u auth.User, v T) (bool, error)
	NotFound  string // the catalogue's key of the 404's message: "classroom.not_found"
	Forbidden string // and of the 403's
}

// Load returns the object the request names. On false it has answered the
// client: 404, 403, or the error's status.
func (l Loader[T]) Load(s *Server, w http.ResponseWriter, r *http.Request) (T, bool) {
	v, err := l.Get(r.Context(), r.PathValue(l.Param))
	if errors.Is(err, apperr.ErrNotFound) {
		s.Error(w, r, http.StatusNotFound, l.NotFound)
		return v, false
	}
	if err != nil {
		s.Fail(w, r, err)
		return v, false
	}
	if l.May != nil {
		ok, err := l.May(r.Context(), CurrentUser(r), v)
		if err != nil {
			s.Fail(w, r, err)
			return v, false
		}
		if !ok {
			s.Error(w, r, http.StatusForbidden, l.Forbidden)
			return v, false
		}
	}
	return v, true
}
