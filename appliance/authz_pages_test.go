package appliance_test

import (
	"context"
	"net/http"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// The class pages' routes. {page} is the demo class's wiki page,
// {page_version} its first version. The class's pupils and staff read and
// write its pages; the parents of its pupils read them (their updates on
// the websocket are dropped: see TestPagesWebsocketReader); the DSI has
// none.
func init() {
	readers := []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director}
	editors := []auth.Profile{auth.Pupil, auth.Teacher, auth.Director}
	matrix = append(matrix,
		authzCase{Route: "GET /pages", Path: "/pages", Expect: page(readers...)},
		authzCase{Route: "POST /pages", Path: "/pages", Body: "titre=Essai&classe={class}&sorte=wiki", Expect: form(editors...)},
		authzCase{Route: "GET /pages/{id}", Path: "/pages/{page}", Expect: page(readers...)},
		authzCase{Route: "GET /pages/{id}/modifier", Path: "/pages/{page}/modifier", Expect: page(editors...)},
		authzCase{Route: "POST /pages/{id}/html", Path: "/pages/{page}/html", Body: "html=%3Cp%3Eoui%3C%2Fp%3E",
			Expect: expect(http.StatusOK, http.StatusUnauthorized, editors...)},
		authzCase{Route: "GET /pages/{id}/historique", Path: "/pages/{page}/historique", Expect: page(readers...)},
		authzCase{Route: "GET /pages/{id}/historique/{version}", Path: "/pages/{page}/historique/{page_version}", Expect: page(readers...)},
		authzCase{Route: "POST /api/v1/pages", Path: "/api/v1/pages", Body: `{"title":"Essai","class_id":"{class}"}`,
			Expect: api(http.StatusCreated, editors...)},
		authzCase{Route: "GET /api/v1/pages/{id}", Path: "/api/v1/pages/{page}", Expect: api(http.StatusOK, readers...)},
		// Without the websocket's handshake headers a reader gets 400 from
		// the upgrader: past the checks of who they are.
		authzCase{Route: "GET /api/v1/pages/{id}/ws", Path: "/api/v1/pages/{page}/ws", Expect: api(http.StatusBadRequest, readers...)},
	)
}

// pagesFixture is the demo class's first page and its first version.
func pagesFixture(t *testing.T, a *apptest.App, classID string) (page, version string) {
	t.Helper()
	ctx := context.Background()
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT p.id, v.id FROM pages p JOIN page_versions v ON v.page_id = p.id
		WHERE p.deleted = 0 AND p.class_id = ? ORDER BY p.created_at LIMIT 1`, classID).Scan(&page, &version); err != nil {
		t.Fatalf("demo page: %v", err)
	}
	return page, version
}
