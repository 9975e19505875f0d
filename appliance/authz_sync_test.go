package appliance_test

import (
	"net/http"

	"preau/appliance/auth"
)

// Sync routes: the director's status page and API on a school; the school
// registry and the node endpoints on central. Node endpoints authenticate
// nodes, not people: a session of any profile gets 401 there.
const zeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

func init() {
	matrix = append(matrix,
		authzCase{Route: "GET /api/v1/sync/status", Path: "/api/v1/sync/status", Expect: api(http.StatusOK, auth.Director, auth.DSI)},
		authzCase{Route: "POST /api/v1/sync/now", Path: "/api/v1/sync/now", Expect: api(http.StatusConflict, auth.Director, auth.DSI)},
		authzCase{Route: "GET /synchronisation", Path: "/synchronisation", Expect: page(auth.Director, auth.DSI)},
		authzCase{Route: "POST /synchronisation", Path: "/synchronisation", Expect: form(auth.Director, auth.DSI)},
		authzCase{Route: "POST /synchronisation/conflits/{id}", Path: "/synchronisation/conflits/1",
			Expect: expect(http.StatusNotFound, http.StatusUnauthorized, auth.Director, auth.DSI)},

		authzCase{Role: "central", Route: "POST /api/v1/schools", Path: "/api/v1/schools", Body: `{"id":"ecole-b","name":"École B"}`,
			Expect: api(http.StatusCreated, auth.DSI)},
		authzCase{Role: "central", Route: "POST /api/v1/sync/enroll", Path: "/api/v1/sync/enroll", Body: `{"token":"faux","node":"n"}`,
			Expect: everyone(http.StatusForbidden)},
		authzCase{Role: "central", Route: "POST /api/v1/sync/push", Path: "/api/v1/sync/push", Body: `{}`, Expect: everyone(http.StatusUnauthorized)},
		authzCase{Role: "central", Route: "POST /api/v1/sync/pull", Path: "/api/v1/sync/pull", Body: `{}`, Expect: everyone(http.StatusUnauthorized)},
		authzCase{Role: "central", Route: "POST /api/v1/sync/wait", Path: "/api/v1/sync/wait", Body: `{}`, Expect: everyone(http.StatusUnauthorized)},
		authzCase{Role: "central", Route: "GET /api/v1/sync/blobs/{hash}", Path: "/api/v1/sync/blobs/" + zeroHash, Expect: everyone(http.StatusUnauthorized)},
		authzCase{Role: "central", Route: "GET /api/v1/sync/blobs/{hash}/etat", Path: "/api/v1/sync/blobs/" + zeroHash + "/etat",
			Expect: everyone(http.StatusUnauthorized)},
		authzCase{Role: "central", Route: "PUT /api/v1/sync/blobs/{hash}", Path: "/api/v1/sync/blobs/" + zeroHash + "?offset=0",
			Body: "x", Expect: everyone(http.StatusUnauthorized)},
		authzCase{Role: "central", Route: "GET /ecoles", Path: "/ecoles", Expect: page(auth.DSI)},
		authzCase{Role: "central", Route: "POST /ecoles", Path: "/ecoles", Body: "id=ecole-b&name=%C3%89cole+B", Expect: expect(http.StatusOK, http.StatusUnauthorized, auth.DSI)},
		authzCase{Role: "central", Route: "POST /ecoles/{id}/jeton", Path: "/ecoles/{school}/jeton", Expect: expect(http.StatusOK, http.StatusUnauthorized, auth.DSI)},
		authzCase{Role: "central", Route: "POST /ecoles/{id}/revoquer", Path: "/ecoles/{school}/revoquer", Expect: expect(http.StatusNotFound, http.StatusUnauthorized, auth.DSI)},
	)
}
