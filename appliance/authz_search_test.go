package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// The search's routes: every signed-in profile searches, and finds only
// what it may see (appliance/search's tests look at what each finds);
// whatever the query holds, a page or [] — never an error.
func init() {
	everyone := []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI}
	matrix = append(matrix,
		authzCase{Route: "GET /recherche", Path: "/recherche?q=f%C3%AAte", Expect: page(everyone...)},
		authzCase{Route: "GET /api/v1/search", Path: "/api/v1/search?q=NEAR(%22*", Expect: api(http.StatusOK, everyone...)},
	)
}
