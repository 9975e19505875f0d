package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// A person's export (RGPD). Everyone signed in downloads their own; a
// director downloads an account of their school's ({pupil}, a pupil of
// the demo school), the DSI anyone's. A parent asking for their child's
// by id is refused: the child's export is the school's to hand over.
// A director of another school is refused in TestExportRefusals, which
// needs a second school.
func init() {
	matrix = append(matrix,
		authzCase{Route: "GET /api/v1/me/export", Path: "/api/v1/me/export", Expect: api(http.StatusOK, loggedIn...)},
		authzCase{Route: "GET /api/v1/users/{id}/export", Path: "/api/v1/users/{pupil}/export", Expect: api(http.StatusOK, auth.Director, auth.DSI)},
	)
}
