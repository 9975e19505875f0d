package appliance_test

import (
	"net/http"
	"time"

	"preau/appliance/auth"
)

// The cahier de textes' routes. {homework} is a page the demo CE1's
// teacher (enseignant) wrote; {class} is CE1.
func init() {
	staff := []auth.Profile{auth.Teacher, auth.Director}
	due := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	deleted := form(staff...)
	deleted[auth.Director] = http.StatusNotFound
	// A form that sends no file: the staff are let in and told to choose one.
	noFile := form(staff...)
	noFile[auth.Teacher], noFile[auth.Director] = http.StatusBadRequest, http.StatusBadRequest
	matrix = append(matrix,
		authzCase{Route: "GET /api/v1/classes", Path: "/api/v1/classes", Expect: api(http.StatusOK, loggedIn...)},
		authzCase{Route: "GET /devoirs", Path: "/devoirs", Expect: page(auth.Pupil, auth.Parent, auth.Teacher, auth.Director)},
		authzCase{Route: "POST /devoirs", Path: "/devoirs", Body: "classe={class}&pour=" + due + "&titre=Lire", Expect: form(staff...)},
		authzCase{Route: "GET /devoirs/{id}/modifier", Path: "/devoirs/{homework}/modifier", Expect: page(staff...)},
		authzCase{Route: "POST /devoirs/{id}", Path: "/devoirs/{homework}", Body: "pour=" + due + "&titre=Relire", Expect: form(staff...)},
		// The teacher deletes the page; the director, asking next, finds it
		// gone (the director's own right is tested in package homework).
		authzCase{Route: "POST /devoirs/{id}/supprimer", Path: "/devoirs/{homework}/supprimer", Expect: deleted},
		authzCase{Route: "POST /devoirs/{id}/copier", Path: "/devoirs/{homework}/copier", Body: "classe={class}", Expect: form(staff...)},
		authzCase{Route: "POST /devoirs/{id}/fait", Path: "/devoirs/{homework}/fait", Body: "fait=1", Expect: form(auth.Pupil)},
		authzCase{Route: "POST /devoirs/{id}/fichiers", Path: "/devoirs/{homework}/fichiers", Body: "x=1", Expect: noFile},
		authzCase{Route: "GET /devoirs/{id}/fichiers/{file}", Path: "/devoirs/{homework_of_file}/fichiers/{homework_file}", Expect: page(auth.Pupil, auth.Parent, auth.Teacher, auth.Director)},
		authzCase{Route: "GET /api/v1/homework", Path: "/api/v1/homework", Expect: api(http.StatusOK, auth.Pupil, auth.Parent, auth.Teacher, auth.Director)},
		authzCase{Route: "POST /api/v1/homework", Path: "/api/v1/homework", Body: `{"class_id":"{class}","due":"` + due + `","title":"Lire"}`,
			Expect: api(http.StatusCreated, staff...)},
		authzCase{Route: "POST /api/v1/homework/{id}/done", Path: "/api/v1/homework/{homework}/done", Expect: api(http.StatusOK, auth.Pupil)},
	)
}
