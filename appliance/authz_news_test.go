package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// The news' routes. {news} is the demo school's fête, for the whole
// school, published by its director; {news_image} the CE1's garden, with
// its picture, by its teacher. The city's DSI reads only the city's news
// and publishes on central only: on a school it finds neither.
func init() {
	readers := []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director}
	schoolItem := page(readers...)
	schoolItem[auth.DSI] = http.StatusNotFound
	// The director's piece: its author changes it; the teacher may not;
	// the DSI does not see it.
	directorOnly := func(ok int) map[auth.Profile]int {
		m := expect(ok, http.StatusUnauthorized, auth.Director)
		m[auth.DSI] = http.StatusNotFound
		return m
	}
	editPage := directorOnly(http.StatusOK)
	editPage[auth.Anonymous] = http.StatusSeeOther
	matrix = append(matrix,
		authzCase{Route: "GET /actualites", Path: "/actualites", Expect: page(append(readers, auth.DSI)...)},
		authzCase{Route: "GET /actualites/nouvelle", Path: "/actualites/nouvelle", Expect: page(auth.Teacher, auth.Director)},
		authzCase{Route: "POST /actualites", Path: "/actualites", Body: "titre=Kermesse&pour=school", Expect: form(auth.Teacher, auth.Director)},
		authzCase{Route: "GET /actualites/{id}", Path: "/actualites/{news}", Expect: schoolItem},
		authzCase{Route: "GET /actualites/{id}/image", Path: "/actualites/{news_image}/image", Expect: schoolItem},
		authzCase{Route: "GET /actualites/{id}/modifier", Path: "/actualites/{news}/modifier", Expect: editPage},
		authzCase{Route: "POST /actualites/{id}", Path: "/actualites/{news}", Body: "titre=F%C3%AAte&pour=school", Expect: directorOnly(http.StatusSeeOther)},
		authzCase{Route: "POST /actualites/{id}/supprimer", Path: "/actualites/{news}/supprimer", Expect: directorOnly(http.StatusSeeOther)},
		authzCase{Route: "GET /api/v1/news", Path: "/api/v1/news", Expect: api(http.StatusOK, append(readers, auth.DSI)...)},
		authzCase{Route: "POST /api/v1/news", Path: "/api/v1/news", Body: `{"title":"Kermesse","audience":"school"}`,
			Expect: api(http.StatusCreated, auth.Teacher, auth.Director)},
	)
}
