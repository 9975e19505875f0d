package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// The documents' routes. {document} is a file the demo CE1's teacher
// (enseignant) shared with CE1, {document_picture} a picture of theirs;
// {class} is CE1.
func init() {
	staff := []auth.Profile{auth.Teacher, auth.Director}
	readers := []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director}
	// The teacher deletes the document; the director, asking next, finds
	// it gone (the director's own right is tested in package documents).
	deleted := form(staff...)
	deleted[auth.Director] = http.StatusNotFound
	apiDeleted := api(http.StatusOK, staff...)
	apiDeleted[auth.Director] = http.StatusNotFound
	// A form or a request that sends no file: the staff are let in and
	// told to choose one.
	noFile := form(staff...)
	noFile[auth.Teacher], noFile[auth.Director] = http.StatusBadRequest, http.StatusBadRequest
	apiNoFile := api(http.StatusBadRequest, staff...)
	matrix = append(matrix,
		authzCase{Route: "GET /documents", Path: "/documents", Expect: page(readers...)},
		authzCase{Route: "POST /documents", Path: "/documents", Body: "classe={class}", Expect: noFile},
		authzCase{Route: "GET /documents/occupation", Path: "/documents/occupation", Expect: page(auth.Director)},
		authzCase{Route: "GET /documents/{id}/fichier", Path: "/documents/{document}/fichier", Expect: page(readers...)},
		authzCase{Route: "GET /documents/{id}/vignette", Path: "/documents/{document_picture}/vignette", Expect: page(readers...)},
		authzCase{Route: "POST /documents/{id}/dossier", Path: "/documents/{document}/dossier", Body: "dossier=Autre", Expect: form(staff...)},
		authzCase{Route: "POST /documents/{id}/copier", Path: "/documents/{document}/copier", Body: "classe={class}", Expect: form(staff...)},
		authzCase{Route: "POST /documents/{id}/supprimer", Path: "/documents/{document}/supprimer", Expect: deleted},
		authzCase{Route: "GET /api/v1/documents", Path: "/api/v1/documents", Expect: api(http.StatusOK, readers...)},
		authzCase{Route: "POST /api/v1/documents", Path: "/api/v1/documents", Body: `{"class_id":"{class}"}`, Expect: apiNoFile},
		authzCase{Route: "GET /api/v1/documents/usage", Path: "/api/v1/documents/usage", Expect: api(http.StatusOK, auth.Director)},
		authzCase{Route: "GET /api/v1/documents/{id}/content", Path: "/api/v1/documents/{document}/content", Expect: api(http.StatusOK, readers...)},
		authzCase{Route: "DELETE /api/v1/documents/{id}", Path: "/api/v1/documents/{document}", Expect: apiDeleted},
	)
}
