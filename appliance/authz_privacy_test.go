package appliance_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// The privacy routes. The privacy page is everyone's, signed in or not.
// Only a director erases, and only an account of their school: {pupil} is
// the demo school's pupil. The DSI erases nothing through these routes
// (403): an erasure is the school's, whose director answers the family.
func init() {
	matrix = append(matrix,
		authzCase{Route: "GET /confidentialite", Path: "/confidentialite", Expect: everyone(http.StatusOK)},
		authzCase{Route: "GET /comptes/{id}/effacer", Path: "/comptes/{pupil}/effacer", Expect: page(auth.Director)},
		authzCase{Route: "POST /comptes/{id}/effacer", Path: "/comptes/{pupil}/effacer", Expect: form(auth.Director)},
		authzCase{Route: "POST /api/v1/users/{id}/erase", Path: "/api/v1/users/{pupil}/erase", Expect: api(http.StatusOK, auth.Director)},
	)
}

// A director erases only the accounts of their school, never their own
// nor the DSI's, and an unknown id is not found: each refusal says why,
// in the API and on the confirmation page alike, and writes nothing.
func TestErasureRefusals(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	if err := a.Register.CreateSchool(ctx, "ecole-b", "École B"); err != nil {
		t.Fatal(err)
	}
	other, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "directrice.b", Display: "Directrice B", Profile: auth.Director,
		SchoolID: "ecole-b", Password: "demo-demo-demo"})
	if err != nil {
		t.Fatal(err)
	}
	dsi, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "dsi", Display: "DSI", Profile: auth.DSI, Password: "demo-demo-demo"})
	if err != nil {
		t.Fatal(err)
	}
	director, pupil := a.User("directeur"), a.User("eleve")
	var before int
	changes := func() int {
		var n int
		if err := a.DB.Reader().QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before = changes()
	cases := []struct {
		name, as, id string
		status       int
		says         string
	}{
		{"another school's director", "directrice.b", pupil.ID, http.StatusForbidden, "appartient pas à votre école"},
		{"an account of another school", "directeur", other.ID, http.StatusForbidden, "appartient pas à votre école"},
		{"oneself", "directeur", director.ID, http.StatusForbidden, "votre propre compte"},
		{"the DSI's account", "directeur", dsi.ID, http.StatusForbidden, "DSI"},
		{"an unknown id", "directeur", "0190aaaa-0000-7000-8000-000000000000", http.StatusNotFound, "existe pas"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client := a.ClientAs(c.as)
			resp, body := a.Do(client, http.MethodPost, "/api/v1/users/"+c.id+"/erase", "application/json", "")
			if resp.StatusCode != c.status || !strings.Contains(body, c.says) {
				t.Errorf("API: %d %s, want %d saying %q", resp.StatusCode, body, c.status, c.says)
			}
			resp, body = a.Get(client, "/comptes/"+c.id+"/effacer")
			if resp.StatusCode != c.status || !strings.Contains(body, c.says) {
				t.Errorf("page: %d, want %d saying %q", resp.StatusCode, c.status, c.says)
			}
		})
	}
	if after := changes(); after != before {
		t.Errorf("refused erasures wrote to the change log (%d more)", after-before)
	}
	if _, err := a.Auth.User(ctx, pupil.ID); err != nil {
		t.Errorf("the pupil was erased by a refused request: %v", err)
	}
}
