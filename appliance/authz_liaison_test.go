package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// The carnet de liaison's routes. {note} is the demo CE1's outing, which
// asks for a signature and allows a reply; {pupil} is one of the pupils it
// is about, the demo parent's child.
func init() {
	staff := []auth.Profile{auth.Teacher, auth.Director}
	deleted := form(staff...)
	deleted[auth.Director] = http.StatusNotFound
	matrix = append(matrix,
		authzCase{Route: "GET /carnet", Path: "/carnet", Expect: page(auth.Pupil, auth.Parent, auth.Teacher, auth.Director)},
		authzCase{Route: "POST /carnet", Path: "/carnet", Body: "classe={class}&titre=Sortie&signature=1", Expect: form(staff...)},
		authzCase{Route: "GET /carnet/{id}", Path: "/carnet/{note}", Expect: page(staff...)},
		authzCase{Route: "GET /carnet/{id}/imprimer", Path: "/carnet/{note}/imprimer", Expect: page(staff...)},
		authzCase{Route: "POST /carnet/{id}/rappel", Path: "/carnet/{note}/rappel", Expect: form(staff...)},
		authzCase{Route: "POST /carnet/{id}/papier", Path: "/carnet/{note}/papier", Body: "eleve={pupil}", Expect: form(staff...)},
		// The teacher deletes the note; the director, asking next, finds it
		// gone (the director's own right is tested in package liaison).
		authzCase{Route: "POST /carnet/{id}/supprimer", Path: "/carnet/{note}/supprimer", Expect: deleted},
		authzCase{Route: "POST /carnet/{id}/signer", Path: "/carnet/{note}/signer", Body: "enfant={pupil}", Expect: form(auth.Parent)},
		authzCase{Route: "POST /carnet/{id}/repondre", Path: "/carnet/{note}/repondre", Body: "enfant={pupil}&texte=Disponible+jeudi",
			Expect: form(auth.Parent)},
		authzCase{Route: "GET /api/v1/liaison", Path: "/api/v1/liaison", Expect: api(http.StatusOK, auth.Pupil, auth.Parent, auth.Teacher, auth.Director)},
		authzCase{Route: "POST /api/v1/liaison", Path: "/api/v1/liaison", Body: `{"class_id":"{class}","title":"Sortie","signature":true}`,
			Expect: api(http.StatusCreated, staff...)},
		authzCase{Route: "GET /api/v1/liaison/{id}", Path: "/api/v1/liaison/{note}", Expect: api(http.StatusOK, staff...)},
		authzCase{Route: "POST /api/v1/liaison/{id}/ack", Path: "/api/v1/liaison/{note}/ack", Expect: api(http.StatusOK, auth.Parent)},
		authzCase{Route: "POST /api/v1/liaison/{id}/reply", Path: "/api/v1/liaison/{note}/reply", Body: `{"pupil_id":"{pupil}","body":"Disponible"}`,
			Expect: api(http.StatusCreated, auth.Parent)},
	)
}
