package appliance_test

import (
	"context"
	"net/http"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// The mini-sites' routes. {minisite} is the demo class's site: its group
// holds the demo pupil (eleve), its teacher published it to the public and
// reopened it, so it is a draft with a public publication online;
// {minisite_page} its first page, {minisite_slug} its public address,
// {minisite_image} its picture's token. The group and the class's staff
// write; parents and the DSI only read what is published to them; anyone
// reads a public site and its pictures (a site published to fewer, or not
// published, is 404 for them: see minisites' TestAudiences and
// TestWriteSubmitPublishRead, with a pupil outside the group and another
// class's teacher).
func init() {
	listers := []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director}
	writers := []auth.Profile{auth.Pupil, auth.Teacher, auth.Director}
	staff := []auth.Profile{auth.Teacher, auth.Director}
	// then is m where the profiles get status instead: a row whose first
	// success changes what the next profile finds (a submitted site is
	// no longer written; an unpublished one cannot be unpublished again).
	then := func(m map[auth.Profile]int, status int, ps ...auth.Profile) map[auth.Profile]int {
		for _, p := range ps {
			m[p] = status
		}
		return m
	}
	site := "/mini-sites/{minisite}"
	matrix = append(matrix,
		authzCase{Route: "GET /mini-sites", Path: "/mini-sites", Expect: page(listers...)},
		authzCase{Route: "POST /mini-sites", Path: "/mini-sites", Body: "titre=Essai&classe={class}&theme=sea&eleves={pupil}", Expect: form(staff...)},
		authzCase{Route: "GET /mini-sites/{id}", Path: site, Expect: page(writers...)},
		authzCase{Route: "GET /mini-sites/{id}/apercu", Path: site + "/apercu?page={minisite_page}", Expect: page(writers...)},
		// Published to the public: every account reads it here too.
		// The fixture is public: anonymous is sent to its public address.
		authzCase{Route: "GET /mini-sites/{id}/lire", Path: site + "/lire", Expect: page(loggedIn...), Redirect: "/public/mini-sites/"},
		authzCase{Route: "POST /mini-sites/{id}/reglages", Path: site + "/reglages", Body: "titre=Nos+oiseaux&theme=night", Expect: form(writers...)},
		authzCase{Route: "POST /mini-sites/{id}/groupe", Path: site + "/groupe", Body: "eleves={pupil}", Expect: form(staff...)},
		authzCase{Route: "POST /mini-sites/{id}/pages", Path: site + "/pages", Body: "titre=Le+merle", Expect: form(writers...)},
		authzCase{Route: "POST /mini-sites/{id}/pages/{page}/renommer", Path: site + "/pages/{minisite_page}/renommer", Body: "titre=Accueil",
			Expect: form(writers...)},
		authzCase{Route: "POST /mini-sites/{id}/pages/{page}/deplacer", Path: site + "/pages/{minisite_page}/deplacer", Body: "sens=down",
			Expect: form(writers...)},
		// Naming no page or picture of the site: past the checks of who
		// they are, 404.
		authzCase{Route: "POST /mini-sites/{id}/pages/{page}/supprimer", Path: site + "/pages/aucune/supprimer",
			Expect: expect(http.StatusNotFound, http.StatusUnauthorized, writers...)},
		authzCase{Route: "POST /mini-sites/{id}/images/{image}/supprimer", Path: site + "/images/aucune/supprimer",
			Expect: expect(http.StatusNotFound, http.StatusUnauthorized, writers...)},
		// Without a file: past the checks of who they are, refused.
		authzCase{Route: "POST /mini-sites/{id}/pages/{page}/images", Path: site + "/pages/{minisite_page}/images", Body: "image=",
			Expect: expect(http.StatusBadRequest, http.StatusUnauthorized, writers...)},
		authzCase{Route: "POST /mini-sites/{id}/soumettre", Path: site + "/soumettre",
			Expect: then(form(writers...), http.StatusConflict, auth.Teacher, auth.Director)},
		// A draft: past the checks of who they are, nothing to send back.
		authzCase{Route: "POST /mini-sites/{id}/renvoyer", Path: site + "/renvoyer", Body: "commentaire=Encore",
			Expect: expect(http.StatusConflict, http.StatusUnauthorized, staff...)},
		authzCase{Route: "POST /mini-sites/{id}/publier", Path: site + "/publier", Body: "public=class", Expect: form(staff...)},
		authzCase{Route: "POST /mini-sites/{id}/depublier", Path: site + "/depublier",
			Expect: then(form(staff...), http.StatusConflict, auth.Director)},
		authzCase{Route: "POST /mini-sites/{id}/supprimer", Path: site + "/supprimer",
			Expect: then(form(staff...), http.StatusNotFound, auth.Director)},
		authzCase{Route: "GET /public/mini-sites/{slug}", Path: "/public/mini-sites/{minisite_slug}", Expect: everyone(http.StatusOK)},
		authzCase{Route: "GET /media/mini-sites/{token}", Path: "/media/mini-sites/{minisite_image}", Expect: everyone(http.StatusOK)},
		authzCase{Route: "GET /api/v1/minisites", Path: "/api/v1/minisites", Expect: api(http.StatusOK, listers...)},
		authzCase{Route: "POST /api/v1/minisites", Path: "/api/v1/minisites", Body: `{"title":"Essai","class_id":"{class}","pupils":["{pupil}"]}`,
			Expect: api(http.StatusCreated, staff...)},
		authzCase{Route: "GET /api/v1/minisites/{id}", Path: "/api/v1/minisites/{minisite}", Expect: api(http.StatusOK, writers...)},
		authzCase{Route: "POST /api/v1/minisites/{id}/submit", Path: "/api/v1/minisites/{minisite}/submit",
			Expect: then(api(http.StatusOK, writers...), http.StatusConflict, auth.Teacher, auth.Director)},
		authzCase{Route: "POST /api/v1/minisites/{id}/publish", Path: "/api/v1/minisites/{minisite}/publish", Body: `{"audience":"school"}`,
			Expect: api(http.StatusOK, staff...)},
		authzCase{Route: "POST /api/v1/minisites/{id}/unpublish", Path: "/api/v1/minisites/{minisite}/unpublish",
			Expect: then(api(http.StatusOK, staff...), http.StatusConflict, auth.Director)},
	)
}

// minisitesFixture is the demo class's mini-site: its id, first page,
// public address and picture's token.
func minisitesFixture(t *testing.T, a *apptest.App, classID string) []string {
	t.Helper()
	var id, page, slug, image string
	ctx := context.Background()
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT s.id, s.slug, p.id FROM minisites s JOIN minisite_pages p ON p.site_id = s.id
		WHERE s.deleted = 0 AND p.deleted = 0 AND s.class_id = ? ORDER BY p.position LIMIT 1`, classID).Scan(&id, &slug, &page); err != nil {
		t.Fatalf("demo mini-site: %v", err)
	}
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT token FROM minisite_images WHERE deleted = 0 AND site_id = ? LIMIT 1", id).Scan(&image); err != nil {
		t.Fatalf("demo mini-site picture: %v", err)
	}
	return []string{"{minisite_page}", page, "{minisite_slug}", slug, "{minisite_image}", image, "{minisite}", id}
}
