package appliance_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// The sites' routes. {site} is a site the demo CE1's teacher (enseignant)
// chose for CE1, without a picture; {site_picture} one of theirs with its
// picture; {class} is CE1. The DSI reads the city's sites only: on a
// school, a school's site is not theirs to see, and the city's are
// chosen on central only.
func init() {
	staff := []auth.Profile{auth.Teacher, auth.Director}
	readers := []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director}
	everyReader := append(readers, auth.DSI)
	schoolSite := func(ok int, anon int) map[auth.Profile]int {
		m := expect(ok, anon, readers...)
		m[auth.DSI] = http.StatusNotFound
		return m
	}
	// Adding: the staff add for CE1 (the form answers with a redirect,
	// the API with 201); the DSI is let in and told the city's sites are
	// chosen on central.
	added := form(staff...)
	added[auth.DSI] = http.StatusForbidden
	apiAdded := api(http.StatusCreated, staff...)
	apiAdded[auth.DSI] = http.StatusForbidden
	// Taking CE1's own site up for CE1 is the one already there.
	reused := form(staff...)
	apiReused := api(http.StatusCreated, staff...)
	// The teacher deletes their site; the director, asking next, finds it
	// gone (the director's own right is tested in package sites); the DSI
	// does not see it.
	deleted := form(staff...)
	deleted[auth.Director], deleted[auth.DSI] = http.StatusNotFound, http.StatusNotFound
	apiDeleted := api(http.StatusOK, staff...)
	apiDeleted[auth.Director], apiDeleted[auth.DSI] = http.StatusNotFound, http.StatusNotFound
	matrix = append(matrix,
		authzCase{Route: "GET /sites", Path: "/sites", Expect: page(everyReader...)},
		authzCase{Route: "POST /sites", Path: "/sites", Body: "adresse=http%3A%2F%2F127.0.0.1%3A9%2F&titre=Jeux&pour=classe%3A{class}", Expect: added},
		authzCase{Route: "GET /sites/{id}/image", Path: "/sites/{site_picture}/image", Expect: schoolSite(http.StatusOK, http.StatusSeeOther)},
		authzCase{Route: "POST /sites/{id}/reprendre", Path: "/sites/{site}/reprendre", Body: "classe={class}", Expect: reused},
		authzCase{Route: "POST /sites/{id}/supprimer", Path: "/sites/{site}/supprimer", Expect: deleted},
		authzCase{Route: "GET /api/v1/sites", Path: "/api/v1/sites", Expect: api(http.StatusOK, everyReader...)},
		authzCase{Route: "POST /api/v1/sites", Path: "/api/v1/sites", Body: `{"url":"http://127.0.0.1:9/","title":"Jeux","class_id":"{class}"}`,
			Expect: apiAdded},
		authzCase{Route: "GET /api/v1/sites/{id}/picture", Path: "/api/v1/sites/{site_picture}/picture", Expect: schoolSite(http.StatusOK, http.StatusUnauthorized)},
		authzCase{Route: "POST /api/v1/sites/{id}/reuse", Path: "/api/v1/sites/{site}/reuse", Body: `{"class_id":"{class}"}`, Expect: apiReused},
		authzCase{Route: "DELETE /api/v1/sites/{id}", Path: "/api/v1/sites/{site}", Expect: apiDeleted},
	)
}

// Beyond the profiles: a pupil of another class never sees a class's
// site nor fetches its picture; a teacher never deletes a colleague's
// site; a class forged or not one's own is refused, by the API and the
// form alike, and nothing is written.
func TestSitesAcrossClasses(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	fill := fixture(t, a)
	site, picture := fill.Replace("{site}"), fill.Replace("{site_picture}")
	for _, path := range []string{"/sites/" + picture + "/image", "/api/v1/sites/" + picture + "/picture"} {
		if resp, _ := a.Get(a.ClientAs("tom.martin"), path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a CM2 pupil fetches a CE1 site's picture at %s: %d", path, resp.StatusCode)
		}
	}
	for _, login := range []string{"tom.martin", "jules.bernard"} {
		if _, body := a.Get(a.ClientAs(login), "/api/v1/sites"); strings.Contains(body, site) || strings.Contains(body, picture) {
			t.Errorf("%s sees the CE1's sites", login)
		}
	}
	if resp, _ := a.Do(a.ClientAs("helene.roux"), "DELETE", "/api/v1/sites/"+site, "", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a colleague deletes the CE1 teacher's site: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(a.ClientAs("helene.roux"), "/sites/"+site+"/supprimer", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a colleague deletes the CE1 teacher's site by the form: %d", resp.StatusCode)
	}
	var before, after int
	a.DB.Reader().QueryRow("SELECT count(*) FROM sites").Scan(&before)
	cm2 := a.ClassID("CM2")
	for _, tc := range []struct {
		class string
		want  int
	}{{"forged", http.StatusNotFound}, {cm2, http.StatusForbidden}} {
		if resp, body := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/sites", "application/json",
			`{"url":"http://127.0.0.1:9/","title":"Jeux","class_id":"`+tc.class+`"}`); resp.StatusCode != tc.want {
			t.Errorf("a site for class %q: %d %s", tc.class, resp.StatusCode, body)
		}
		if resp, _ := a.PostForm(a.ClientAs("enseignant"), "/sites", url.Values{"adresse": {"http://127.0.0.1:9/"}, "titre": {"Jeux"},
			"pour": {"classe:" + tc.class}}); resp.StatusCode != tc.want {
			t.Errorf("a site for class %q by the form: %d", tc.class, resp.StatusCode)
		}
		if resp, _ := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/sites/"+site+"/reuse", "application/json",
			`{"class_id":"`+tc.class+`"}`); resp.StatusCode != tc.want {
			t.Errorf("a site taken up for class %q: %d", tc.class, resp.StatusCode)
		}
	}
	a.DB.Reader().QueryRow("SELECT count(*) FROM sites").Scan(&after)
	if after != before {
		t.Errorf("refused sites were written: %d → %d", before, after)
	}
}
