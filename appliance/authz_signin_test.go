package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// Sign-in and dashboard routes.
func init() {
	// The DSI logs in on central only: on a school its account holds no
	// password, so changing it there fails as a wrong current password does.
	ownPassword := form(loggedIn...)
	ownPassword[auth.DSI] = http.StatusBadRequest
	ownPasswordAPI := api(http.StatusOK, loggedIn...)
	ownPasswordAPI[auth.DSI] = http.StatusBadRequest
	matrix = append(matrix,
		authzCase{Route: "GET /{$}", Path: "/", Expect: everyone(http.StatusSeeOther)},
		authzCase{Route: "GET /connexion", Path: "/connexion", Expect: expect(http.StatusSeeOther, http.StatusOK, loggedIn...)},
		authzCase{Route: "POST /connexion", Path: "/connexion", Body: "login=directeur&password=demo", Expect: everyone(http.StatusSeeOther)},
		authzCase{Route: "POST /deconnexion", Path: "/deconnexion", Expect: everyone(http.StatusSeeOther)},
		authzCase{Route: "GET /mot-de-passe", Path: "/mot-de-passe", Expect: page(loggedIn...)},
		authzCase{Route: "POST /mot-de-passe", Path: "/mot-de-passe", Body: "current=demo&new=nouveau-mdp&confirm=nouveau-mdp",
			Expect: ownPassword},
		authzCase{Route: "POST /identifiant/vu", Path: "/identifiant/vu", Expect: form(loggedIn...)},
		authzCase{Route: "GET /connexion/images", Path: "/connexion/images", Expect: everyone(http.StatusOK)},
		authzCase{Route: "GET /connexion/images/{class}", Path: "/connexion/images/{class}", Expect: everyone(http.StatusOK)},
		authzCase{Route: "GET /connexion/images/eleve/{user}", Path: "/connexion/images/eleve/{pupil}", Expect: everyone(http.StatusOK)},
		authzCase{Route: "POST /connexion/images/eleve/{user}", Path: "/connexion/images/eleve/{pupil}", Body: "seq=0,1&pick=4",
			Expect: everyone(http.StatusSeeOther)},
		authzCase{Route: "GET /connexion/carte", Path: "/connexion/carte", Expect: everyone(http.StatusOK)},
		authzCase{Route: "POST /connexion/carte", Path: "/connexion/carte", Body: "code=inconnu", Expect: everyone(http.StatusUnauthorized)},
		authzCase{Route: "GET /carte/{secret}", Path: "/carte/abc", Expect: everyone(http.StatusOK)},
		authzCase{Route: "POST /carte/{secret}", Path: "/carte/abc", Expect: everyone(http.StatusUnauthorized)},
		authzCase{Route: "POST /api/v1/session", Path: "/api/v1/session", Body: `{"login":"parent","password":"demo"}`, Expect: everyone(http.StatusOK)},
		authzCase{Route: "DELETE /api/v1/session", Path: "/api/v1/session", Expect: api(http.StatusNoContent, loggedIn...)},
		authzCase{Route: "GET /api/v1/me", Path: "/api/v1/me", Expect: api(http.StatusOK, loggedIn...)},
		// Each profile changes its own account's password, in a fresh
		// appliance: no other row sees the change.
		authzCase{Route: "POST /api/v1/me/password", Path: "/api/v1/me/password", Body: `{"current":"demo","new":"nouveau-mdp"}`,
			Expect: ownPasswordAPI},
		authzCase{Route: "GET /accueil", Path: "/accueil", Expect: page(loggedIn...)},
		// The login page's language switch: anyone, a cookie and back.
		authzCase{Route: "GET /langue/{lang}", Path: "/langue/ar?suite=/connexion", Expect: everyone(http.StatusSeeOther)},
		authzCase{Route: "GET /mon-compte", Path: "/mon-compte", Expect: page(loggedIn...)},
		authzCase{Route: "POST /mon-compte/langue", Path: "/mon-compte/langue", Body: "language=ar", Expect: form(loggedIn...)},
		authzCase{Route: "PATCH /api/v1/me", Path: "/api/v1/me", Body: `{"language":"en"}`, Expect: api(http.StatusOK, loggedIn...)},
		authzCase{Route: "POST /enfant", Path: "/enfant", Body: "child={pupil}", Expect: form(auth.Parent)},
	)
}
