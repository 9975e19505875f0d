package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// The usage statistics' routes. A school's director reads their school's
// figures (the page, the CSV, the API); on central the DSI reads the
// city's and each school's, the director still only their school's. No
// pupil, teacher or parent reads any; anonymous is sent to sign in, or
// gets 401 from the API.
func init() {
	both := []auth.Profile{auth.Director, auth.DSI}
	for _, role := range []string{"", "central"} {
		matrix = append(matrix,
			authzCase{Role: role, Route: "GET /statistiques", Path: "/statistiques?du=2026-09-01&au=2026-09-30", Expect: page(both...)},
			authzCase{Role: role, Route: "GET /stats.csv", Path: "/stats.csv?from=2026-09-01&to=2026-09-30", Expect: page(both...)},
			authzCase{Role: role, Route: "GET /api/v1/stats", Path: "/api/v1/stats?from=2026-09-01&to=2026-09-30", Expect: api(http.StatusOK, both...)},
		)
	}
	// A director naming another school is refused, on a school and on
	// central; the DSI on central may name any school of the city.
	matrix = append(matrix,
		authzCase{Route: "GET /api/v1/stats", Path: "/api/v1/stats?school=ecole-voisine",
			Expect: map[auth.Profile]int{auth.Anonymous: http.StatusUnauthorized, auth.Pupil: http.StatusForbidden, auth.Teacher: http.StatusForbidden,
				auth.Parent: http.StatusForbidden, auth.Director: http.StatusForbidden, auth.DSI: http.StatusNotFound}},
		authzCase{Role: "central", Route: "GET /statistiques", Path: "/statistiques?ecole={school}",
			Expect: page(both...)},
	)
}
