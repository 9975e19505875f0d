package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// The notifications' routes. {notification} is one of the demo parent's
// (the demo's homework and notes told them): everyone else finds no such
// notification of theirs. The live channel answers 400 to a request that
// is not a websocket handshake, once the caller is let in.
func init() {
	parentsOnly := func(ok int) map[auth.Profile]int {
		m := expect(http.StatusNotFound, http.StatusUnauthorized, loggedIn...)
		m[auth.Parent] = ok
		return m
	}
	matrix = append(matrix,
		authzCase{Route: "GET /notifications", Path: "/notifications", Expect: page(loggedIn...)},
		authzCase{Route: "POST /notifications/lues", Path: "/notifications/lues", Expect: form(loggedIn...)},
		authzCase{Route: "POST /notifications/{id}", Path: "/notifications/{notification}", Expect: parentsOnly(http.StatusSeeOther)},
		authzCase{Route: "GET /api/v1/notifications", Path: "/api/v1/notifications", Expect: api(http.StatusOK, loggedIn...)},
		authzCase{Route: "POST /api/v1/notifications/{id}/read", Path: "/api/v1/notifications/{notification}/read", Expect: parentsOnly(http.StatusOK)},
		authzCase{Route: "GET /api/v1/notifications/ws", Path: "/api/v1/notifications/ws", Expect: api(http.StatusBadRequest, loggedIn...)},
	)
}
