package appliance_test

import (
	"net/http"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// The requests to the city's routes. {request} is the demo school's
// intervention, filed by its director, {request_file} its photo,
// {request_item} an entry of the pharmacy catalogue. On a school the
// director files and follows the school's requests; the DSI handles
// nothing there (403: the queue and the catalogues are on central). On
// central the DSI sees every school's, changes their status, comments and
// edits the catalogues; the director still sees only their school's.
func init() {
	filed := `{"kind":"pharmacy","title":"Infirmerie","fields":{"items":[{"item":"{request_item}","quantity":2}]}}`
	matrix = append(matrix,
		authzCase{Route: "GET /demandes", Path: "/demandes", Expect: page(auth.Director)},
		authzCase{Route: "GET /demandes/nouvelle", Path: "/demandes/nouvelle?type=intervention", Expect: page(auth.Director)},
		authzCase{Route: "POST /demandes", Path: "/demandes", Body: "type=pharmacy&titre=Infirmerie&qte-{request_item}=2", Expect: form(auth.Director)},
		authzCase{Route: "GET /demandes/catalogues", Path: "/demandes/catalogues", Expect: page()},
		authzCase{Route: "POST /demandes/catalogues", Path: "/demandes/catalogues", Body: "catalogue=pharmacy&nom=Sparadrap", Expect: form()},
		authzCase{Route: "POST /demandes/catalogues/{id}/supprimer", Path: "/demandes/catalogues/{request_item}/supprimer", Expect: form()},
		authzCase{Route: "GET /demandes/fichiers/{id}", Path: "/demandes/fichiers/{request_file}", Expect: page(auth.Director)},
		authzCase{Route: "GET /demandes/{id}", Path: "/demandes/{request}", Expect: page(auth.Director)},
		authzCase{Route: "POST /demandes/{id}/commentaires", Path: "/demandes/{request}/commentaires", Body: "texte=Merci", Expect: form(auth.Director)},
		authzCase{Route: "POST /demandes/{id}/statut", Path: "/demandes/{request}/statut", Body: "statut=done", Expect: form()},
		authzCase{Route: "GET /api/v1/requests", Path: "/api/v1/requests", Expect: api(http.StatusOK, auth.Director)},
		authzCase{Route: "POST /api/v1/requests", Path: "/api/v1/requests", Body: filed, Expect: api(http.StatusCreated, auth.Director)},
		authzCase{Route: "GET /api/v1/requests/{id}", Path: "/api/v1/requests/{request}", Expect: api(http.StatusOK, auth.Director)},
		authzCase{Route: "POST /api/v1/requests/{id}/comments", Path: "/api/v1/requests/{request}/comments", Body: `{"body":"Merci"}`,
			Expect: api(http.StatusCreated, auth.Director)},
		authzCase{Route: "PATCH /api/v1/requests/{id}", Path: "/api/v1/requests/{request}", Body: `{"status":"in_progress","comment":"Agent prévenu"}`,
			Expect: api(http.StatusOK)},
	)
	both := []auth.Profile{auth.Director, auth.DSI}
	matrix = append(matrix,
		authzCase{Role: "central", Route: "GET /demandes", Path: "/demandes?type=intervention&statut=received&age=7", Expect: page(both...)},
		authzCase{Role: "central", Route: "GET /demandes/nouvelle", Path: "/demandes/nouvelle", Expect: page(auth.Director)},
		authzCase{Role: "central", Route: "POST /demandes", Path: "/demandes", Body: "type=pharmacy&titre=Infirmerie&qte-{request_item}=2", Expect: form(auth.Director)},
		authzCase{Role: "central", Route: "GET /demandes/catalogues", Path: "/demandes/catalogues", Expect: page(auth.DSI)},
		authzCase{Role: "central", Route: "POST /demandes/catalogues", Path: "/demandes/catalogues", Body: "catalogue=pharmacy&nom=Sparadrap", Expect: form(auth.DSI)},
		authzCase{Role: "central", Route: "POST /demandes/catalogues/{id}/supprimer", Path: "/demandes/catalogues/{request_item}/supprimer", Expect: form(auth.DSI)},
		authzCase{Role: "central", Route: "GET /demandes/fichiers/{id}", Path: "/demandes/fichiers/{request_file}", Expect: page(both...)},
		authzCase{Role: "central", Route: "GET /demandes/{id}", Path: "/demandes/{request}", Expect: page(both...)},
		authzCase{Role: "central", Route: "POST /demandes/{id}/commentaires", Path: "/demandes/{request}/commentaires", Body: "texte=Merci", Expect: form(both...)},
		authzCase{Role: "central", Route: "POST /demandes/{id}/statut", Path: "/demandes/{request}/statut", Body: "statut=done", Expect: form(auth.DSI)},
		authzCase{Role: "central", Route: "GET /api/v1/requests", Path: "/api/v1/requests", Expect: api(http.StatusOK, both...)},
		authzCase{Role: "central", Route: "POST /api/v1/requests", Path: "/api/v1/requests", Body: filed, Expect: api(http.StatusCreated, auth.Director)},
		authzCase{Role: "central", Route: "GET /api/v1/requests/{id}", Path: "/api/v1/requests/{request}", Expect: api(http.StatusOK, both...)},
		authzCase{Role: "central", Route: "POST /api/v1/requests/{id}/comments", Path: "/api/v1/requests/{request}/comments", Body: `{"body":"Merci"}`,
			Expect: api(http.StatusCreated, both...)},
		authzCase{Role: "central", Route: "PATCH /api/v1/requests/{id}", Path: "/api/v1/requests/{request}", Body: `{"status":"in_progress","comment":"Agent prévenu"}`,
			Expect: api(http.StatusOK, auth.DSI)},
	)
}

// requestsFixture fills the requests' placeholders with the demo's.
func requestsFixture(t *testing.T, a *apptest.App) []string {
	t.Helper()
	ctx := t.Context()
	var request, file, item string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT request_id, id FROM request_events WHERE deleted = 0 AND file != '' LIMIT 1").
		Scan(&request, &file); err != nil {
		t.Fatalf("demo request with a photo: %v", err)
	}
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM request_items WHERE deleted = 0 AND catalogue = 'pharmacy' LIMIT 1").Scan(&item); err != nil {
		t.Fatalf("demo pharmacy catalogue: %v", err)
	}
	return []string{"{request_file}", file, "{request_item}", item, "{request}", request}
}
