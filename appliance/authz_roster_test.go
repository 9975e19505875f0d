package appliance_test

import (
	"net/http"
	"net/url"

	"preau/appliance/auth"
)

// The school register: classes (teachers see their own), accounts, the CSV
// import and the users API, for the school's director and the DSI. Every
// profile of a row runs against the same appliance, director before DSI, so
// the bodies are chosen to give both the same answer: a class name already
// taken (400, nothing written), accounts whose login is generated (each gets
// its own), an import file the DSI finds already imported, a change or a
// password that is the same the second time.
func init() {
	admins := []auth.Profile{auth.Director, auth.DSI}
	shown := expect(http.StatusOK, http.StatusUnauthorized, admins...) // a page with a password shown once
	file := url.Values{"contenu": {"profil;prénom;nom;classe\nélève;Zoé;Lefèvre;CE1\n"}}.Encode()
	matrix = append(matrix,
		authzCase{Route: "GET /classes", Path: "/classes", Expect: page(auth.Teacher, auth.Director, auth.DSI)},
		authzCase{Route: "POST /classes", Path: "/classes", Body: "name=CE1&level=CE1",
			Expect: expect(http.StatusBadRequest, http.StatusUnauthorized, admins...)},
		authzCase{Route: "GET /comptes", Path: "/comptes", Expect: page(admins...)},
		authzCase{Route: "GET /comptes/nouveau", Path: "/comptes/nouveau", Expect: page(admins...)},
		authzCase{Route: "POST /comptes", Path: "/comptes", Body: "first_name=Anne&last_name=Roy&profile=teacher", Expect: shown},
		authzCase{Route: "GET /comptes/{id}", Path: "/comptes/{teacher}", Expect: page(admins...)},
		authzCase{Route: "POST /comptes/{id}/mot-de-passe", Path: "/comptes/{teacher}/mot-de-passe", Expect: shown},
		authzCase{Route: "POST /comptes/{id}/desactiver", Path: "/comptes/{teacher}/desactiver", Expect: form(admins...)},
		authzCase{Route: "POST /comptes/{id}/activer", Path: "/comptes/{teacher}/activer", Expect: form(admins...)},
		authzCase{Route: "GET /import", Path: "/import", Expect: page(admins...)},
		authzCase{Route: "GET /import/modele.csv", Path: "/import/modele.csv", Expect: page(admins...)},
		authzCase{Route: "POST /import", Path: "/import", Body: file, Expect: expect(http.StatusOK, http.StatusUnauthorized, admins...)},
		authzCase{Route: "POST /import/confirmer", Path: "/import/confirmer", Body: file, Expect: shown},
		authzCase{Route: "POST /api/v1/users", Path: "/api/v1/users",
			Body:   `{"display_name": "Anne Roy", "profile": "teacher", "password": "un-bon-mot-de-passe", "school_id": "{school}"}`,
			Expect: api(http.StatusCreated, admins...)},
		authzCase{Route: "GET /api/v1/users", Path: "/api/v1/users", Expect: api(http.StatusOK, admins...)},
		authzCase{Route: "PATCH /api/v1/users/{id}", Path: "/api/v1/users/{teacher}",
			Body: `{"display_name": "Hélène Roux-Martin", "disabled": false}`, Expect: api(http.StatusOK, admins...)},
		authzCase{Route: "POST /api/v1/users/{id}/password", Path: "/api/v1/users/{teacher}/password",
			Body: `{"password": "un-bon-mot-de-passe", "must_change": true}`, Expect: api(http.StatusOK, admins...)},
		// A parent answers the schools asking to link them to a child, on
		// central only; an answer to a request that is not theirs is a 404.
		authzCase{Role: "central", Route: "GET /rattachements", Path: "/rattachements", Expect: page(auth.Parent)},
		authzCase{Role: "central", Route: "POST /rattachements/{id}", Path: "/rattachements/inconnue", Body: "reponse=accepter",
			Expect: expect(http.StatusNotFound, http.StatusUnauthorized, auth.Parent)},
		authzCase{Role: "central", Route: "GET /api/v1/me/link-requests", Path: "/api/v1/me/link-requests", Expect: api(http.StatusOK, auth.Parent)},
		authzCase{Role: "central", Route: "POST /api/v1/me/link-requests/{id}", Path: "/api/v1/me/link-requests/inconnue",
			Body: `{"answer": "accept"}`, Expect: api(http.StatusNotFound, auth.Parent)},
	)
}
