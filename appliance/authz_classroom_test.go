package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// Class pages: the class's teacher (enseignant teaches CE1), the school's
// director and the DSI. The POSTs answer 200 with the page that shows the
// new picture password or the printable cards, which cannot be shown later.
func init() {
	staff := []auth.Profile{auth.Teacher, auth.Director, auth.DSI}
	shown := expect(http.StatusOK, http.StatusUnauthorized, staff...)
	matrix = append(matrix,
		authzCase{Route: "GET /classes/{id}", Path: "/classes/{class}", Expect: page(staff...)},
		authzCase{Route: "POST /classes/{id}/eleves/{user}/images", Path: "/classes/{class}/eleves/{pupil}/images", Expect: shown},
		authzCase{Route: "POST /classes/{id}/eleves/{user}/carte", Path: "/classes/{class}/eleves/{pupil}/carte", Expect: shown},
		authzCase{Route: "POST /classes/{id}/cartes", Path: "/classes/{class}/cartes", Body: "images=1", Expect: shown},
	)
}
