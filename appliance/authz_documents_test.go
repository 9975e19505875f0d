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
	// The city's library: every profile reads it; the DSI publishes on
	// central ({city_document} is one of the demo city's); a school's
	// director sees its cache.
	everyone := append(readers, auth.DSI)
	dsiNoFile := form(auth.DSI)
	dsiNoFile[auth.DSI] = http.StatusBadRequest
	matrix = append(matrix,
		authzCase{Route: "GET /documents/ville", Path: "/documents/ville", Expect: page(everyone...)},
		authzCase{Role: "central", Route: "POST /documents/ville", Path: "/documents/ville", Body: "dossier=Culture", Expect: dsiNoFile},
		authzCase{Route: "GET /documents/ville/cache", Path: "/documents/ville/cache", Expect: page(auth.Director)},
		authzCase{Role: "central", Route: "GET /documents/ville/{id}/fichier", Path: "/documents/ville/{city_document}/fichier", Expect: page(everyone...)},
		authzCase{Role: "central", Route: "POST /documents/ville/{id}/supprimer", Path: "/documents/ville/{city_document}/supprimer", Expect: form(auth.DSI)},
		authzCase{Route: "GET /api/v1/library", Path: "/api/v1/library", Expect: api(http.StatusOK, everyone...)},
		authzCase{Role: "central", Route: "POST /api/v1/library", Path: "/api/v1/library", Body: `{"schools":[]}`, Expect: api(http.StatusBadRequest, auth.DSI)},
		authzCase{Route: "GET /api/v1/library/cache", Path: "/api/v1/library/cache", Expect: api(http.StatusOK, auth.Director)},
		// On a school the DSI publishes nothing, and the library's routes
		// to a document are a class's document's: the DSI reads none.
		authzCase{Route: "POST /documents/ville", Path: "/documents/ville", Body: "dossier=Culture", Expect: dsiNoFile},
		authzCase{Route: "POST /api/v1/library", Path: "/api/v1/library", Body: `{"schools":[]}`, Expect: api(http.StatusBadRequest, auth.DSI)},
		authzCase{Route: "GET /documents/ville/{id}/fichier", Path: "/documents/ville/{document}/fichier", Expect: notDSI(page(everyone...))},
		authzCase{Route: "POST /documents/ville/{id}/supprimer", Path: "/documents/ville/{document}/supprimer", Expect: notDSI(form(auth.DSI))},
	)
}

// notDSI: the DSI is let in, and finds no such document (404).
func notDSI(m map[auth.Profile]int) map[auth.Profile]int {
	m[auth.DSI] = http.StatusNotFound
	return m
}
