package appliance_test

import (
	"bytes"
	"net/http"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The signed updates' routes, on central only: a school serves none (its
// update check runs beside the server). Only the DSI sees the schools'
// versions, publishes a release and extends it to every school.
// {update_release} is a release published to a first wave. A body that
// is no bundle is refused (400) once the DSI is let through.
func init() {
	matrix = append(matrix,
		authzCase{Role: "central", Route: "GET /mises-a-jour", Path: "/mises-a-jour", Expect: page(auth.DSI)},
		authzCase{Role: "central", Route: "POST /mises-a-jour/{id}/etendre", Path: "/mises-a-jour/{update_release}/etendre", Expect: form(auth.DSI)},
		authzCase{Role: "central", Route: "GET /api/v1/updates", Path: "/api/v1/updates", Expect: api(http.StatusOK, auth.DSI)},
		authzCase{Role: "central", Route: "POST /api/v1/updates", Path: "/api/v1/updates?schools=demo", Body: `{"pas":"un paquet"}`,
			Expect: api(http.StatusBadRequest, auth.DSI)},
		authzCase{Role: "central", Route: "POST /api/v1/updates/{id}/extend", Path: "/api/v1/updates/{update_release}/extend",
			Expect: api(http.StatusOK, auth.DSI)},
		// The library's signature: only the DSI publishes one; a body that
		// is no bundle is refused once the DSI is let through.
		authzCase{Role: "central", Route: "POST /api/v1/updates/library", Path: "/api/v1/updates/library", Body: `{"pas":"une signature"}`,
			Expect: api(http.StatusBadRequest, auth.DSI)},
	)
}

// updateFixture publishes a release to a first wave, as central keeps it.
func updateFixture(t *testing.T, a *apptest.App) []string {
	t.Helper()
	ctx := t.Context()
	hash, size, err := a.DB.Blobs().Put(bytes.NewReader([]byte("un paquet signé")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	id := store.NewID()
	if err := a.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO update_releases(id, scope, hlc, origin, version, bundle, size, schools, wave, created_at)
			VALUES (?, 'global', ?, ?, '9.9.9', ?, ?, 'demo', 'demo', '2026-12-04T08:00:00Z')`, id, tx.HLC, tx.Origin, hash, size)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return []string{"{update_release}", id}
}
