package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// The audit log's routes: its page and its API. The director reads their school's journal and
// the DSI every school's (on a school, that school's only: it holds no
// other); pupils, parents and teachers are refused.
func init() {
	both := []auth.Profile{auth.Director, auth.DSI}
	matrix = append(matrix,
		authzCase{Route: "GET /api/v1/audit", Path: "/api/v1/audit?from=2026-01-01&to=2026-12-31", Expect: api(http.StatusOK, both...)},
		authzCase{Role: "central", Route: "GET /api/v1/audit", Path: "/api/v1/audit?from=2026-01-01&to=2026-12-31", Expect: api(http.StatusOK, both...)},
		authzCase{Route: "GET /journal", Path: "/journal?du=2026-01-01&au=2026-12-31&action=account.create", Expect: page(both...)},
		authzCase{Role: "central", Route: "GET /journal", Path: "/journal?ecole={school}", Expect: page(both...)},
	)
}
