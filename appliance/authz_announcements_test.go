package appliance_test

import (
	"net/http"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// The announcements' routes. Everyone reads those for them; the DSI
// writes and ends them on central only: at a school its attempts are
// refused as everyone else's. {announcement} is the demo's maintenance
// window, on every node.
func init() {
	readers := []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI}
	const draft = "genre=outage&titre=Coupure&debut=2029-12-01T10%3A00&fin=2029-12-01T12%3A00"
	const draftJSON = `{"kind":"outage","title":"Coupure","starts":"2029-12-01T10:00:00Z","ends":"2029-12-01T12:00:00Z"}`
	matrix = append(matrix,
		authzCase{Route: "GET /annonces", Path: "/annonces", Expect: page(readers...)},
		authzCase{Route: "POST /annonces", Path: "/annonces", Body: draft, Expect: form()},
		authzCase{Route: "POST /annonces/{id}/terminer", Path: "/annonces/{announcement}/terminer", Expect: form()},
		authzCase{Route: "GET /api/v1/announcements", Path: "/api/v1/announcements", Expect: api(http.StatusOK, readers...)},
		authzCase{Route: "POST /api/v1/announcements", Path: "/api/v1/announcements", Body: draftJSON, Expect: api(http.StatusCreated)},
		authzCase{Route: "POST /api/v1/announcements/{id}/end", Path: "/api/v1/announcements/{announcement}/end", Expect: api(http.StatusOK)},

		authzCase{Role: "central", Route: "GET /annonces", Path: "/annonces", Expect: page(readers...)},
		authzCase{Role: "central", Route: "POST /annonces", Path: "/annonces", Body: draft, Expect: form(auth.DSI)},
		authzCase{Role: "central", Route: "POST /annonces/{id}/terminer", Path: "/annonces/{announcement}/terminer", Expect: form(auth.DSI)},
		authzCase{Role: "central", Route: "POST /api/v1/announcements", Path: "/api/v1/announcements", Body: draftJSON, Expect: api(http.StatusCreated, auth.DSI)},
		authzCase{Role: "central", Route: "POST /api/v1/announcements/{id}/end", Path: "/api/v1/announcements/{announcement}/end",
			Expect: api(http.StatusOK, auth.DSI)},
	)
}

// announcementFixture is the demo's announcement on a's node.
func announcementFixture(t *testing.T, a *apptest.App) string {
	t.Helper()
	var id string
	if err := a.DB.Reader().QueryRowContext(t.Context(), "SELECT id FROM announcements WHERE deleted = 0 LIMIT 1").Scan(&id); err != nil {
		t.Fatalf("demo announcement: %v", err)
	}
	return id
}
