package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// The usage statistics' routes. A school's director reads their school's
// figures (the page, the CSV, the API); on central the DSI reads the
// city's and each school's ({school}: the demo school), the director
// still only their school's. No pupil, teacher or parent reads any;
// anonymous is sent to sign in, or gets 401 from the API. A director
// naming another school is refused: see TestQueriesRefused in
// appliance/stats.
func init() {
	both := []auth.Profile{auth.Director, auth.DSI}
	matrix = append(matrix,
		authzCase{Route: "GET /statistiques", Path: "/statistiques?du=2026-09-01&au=2026-09-30", Expect: page(both...)},
		authzCase{Route: "GET /stats.csv", Path: "/stats.csv?from=2026-09-01&to=2026-09-30", Expect: page(both...)},
		authzCase{Route: "GET /api/v1/stats", Path: "/api/v1/stats?from=2026-09-01&to=2026-09-30", Expect: api(http.StatusOK, both...)},
		authzCase{Role: "central", Route: "GET /statistiques", Path: "/statistiques?ecole={school}", Expect: page(both...)},
		authzCase{Role: "central", Route: "GET /stats.csv", Path: "/stats.csv?school={school}", Expect: page(both...)},
		authzCase{Role: "central", Route: "GET /api/v1/stats", Path: "/api/v1/stats?school={school}&from=2026-09-01&to=2026-09-30",
			Expect: api(http.StatusOK, both...)},
	)
}
