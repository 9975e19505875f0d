package appliance_test

import (
	"net/http"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// The class blog's routes. {blog_post} is the demo CE1's farm outing,
// published by its teacher (enseignant) with photos, {blog_media} the
// token of its first photo, {blog_comment} the demo parent's comment
// under it, held for approval; {class} is CE1, whose pupil (eleve) and
// parent read it. The DSI reads no class's blog; the CE1's pupils may not
// post (their class does not allow it).
func init() {
	readers := []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director}
	staff := []auth.Profile{auth.Teacher, auth.Director}
	talkers := []auth.Profile{auth.Parent, auth.Teacher, auth.Director}
	// Adding a photo without a file, by the API or the post's page: the
	// staff are let in and told to attach one; the pupil reading the post
	// may not add to it.
	noFile := api(http.StatusBadRequest, staff...)
	// The teacher deletes; the director, asking next, finds it gone (the
	// director's own right is tested in package blog).
	deleted := form(staff...)
	deleted[auth.Director] = http.StatusNotFound
	matrix = append(matrix,
		authzCase{Route: "GET /cahier-de-vie", Path: "/cahier-de-vie", Expect: page(readers...)},
		authzCase{Route: "GET /cahier-de-vie/nouveau", Path: "/cahier-de-vie/nouveau", Expect: page(staff...)},
		authzCase{Route: "POST /cahier-de-vie", Path: "/cahier-de-vie", Body: "classe={class}&titre=Sortie&texte=Bonjour", Expect: form(staff...)},
		authzCase{Route: "GET /cahier-de-vie/validation", Path: "/cahier-de-vie/validation", Expect: page(staff...)},
		authzCase{Route: "GET /cahier-de-vie/reglages", Path: "/cahier-de-vie/reglages", Expect: page(staff...)},
		authzCase{Route: "POST /cahier-de-vie/reglages", Path: "/cahier-de-vie/reglages", Body: "classe={class}&commentaires=1", Expect: form(staff...)},
		authzCase{Route: "GET /cahier-de-vie/{id}", Path: "/cahier-de-vie/{blog_post}", Expect: page(readers...)},
		authzCase{Route: "GET /cahier-de-vie/{id}/photos.zip", Path: "/cahier-de-vie/{blog_post}/photos.zip", Expect: page(readers...)},
		authzCase{Route: "POST /cahier-de-vie/{id}/photos", Path: "/cahier-de-vie/{blog_post}/photos", Expect: noFile},
		// Removing one photo: the staff are let in and told the photo named
		// is not the post's (package blog removes a real one); the pupil
		// reading the post may not.
		authzCase{Route: "POST /cahier-de-vie/{id}/photos/{media}/supprimer", Path: "/cahier-de-vie/{blog_post}/photos/inconnue/supprimer",
			Expect: expect(http.StatusNotFound, http.StatusUnauthorized, staff...)},
		authzCase{Route: "DELETE /api/v1/blog/{id}/photos/{media}", Path: "/api/v1/blog/{blog_post}/photos/inconnue",
			Expect: expect(http.StatusNotFound, http.StatusUnauthorized, staff...)},
		// Changing a post's words: its class's staff; the pupil reading
		// it may not (only their own, while it waits for approval).
		authzCase{Route: "GET /cahier-de-vie/{id}/modifier", Path: "/cahier-de-vie/{blog_post}/modifier", Expect: page(staff...)},
		authzCase{Route: "POST /cahier-de-vie/{id}/modifier", Path: "/cahier-de-vie/{blog_post}/modifier",
			Body: "titre=Sortie+%C3%A0+la+ferme&texte=Bonjour", Expect: form(staff...)},
		authzCase{Route: "PATCH /api/v1/blog/{id}", Path: "/api/v1/blog/{blog_post}", Body: `{"body":"Bonjour"}`,
			Expect: api(http.StatusOK, staff...)},
		authzCase{Route: "POST /cahier-de-vie/{id}/publier", Path: "/cahier-de-vie/{blog_post}/publier", Expect: form(staff...)},
		authzCase{Route: "POST /cahier-de-vie/{id}/supprimer", Path: "/cahier-de-vie/{blog_post}/supprimer", Expect: deleted},
		authzCase{Route: "POST /cahier-de-vie/{id}/commentaires", Path: "/cahier-de-vie/{blog_post}/commentaires", Body: "texte=Bravo",
			Expect: form(talkers...)},
		authzCase{Route: "POST /cahier-de-vie/commentaires/{id}/accepter", Path: "/cahier-de-vie/commentaires/{blog_comment}/accepter",
			Expect: form(staff...)},
		authzCase{Route: "POST /cahier-de-vie/commentaires/{id}/supprimer", Path: "/cahier-de-vie/commentaires/{blog_comment}/supprimer",
			Expect: deleted},
		authzCase{Route: "GET /media/blog/{token}", Path: "/media/blog/{blog_media}", Expect: page(readers...)},
		authzCase{Route: "GET /api/v1/blog", Path: "/api/v1/blog", Expect: api(http.StatusOK, readers...)},
		authzCase{Route: "POST /api/v1/blog", Path: "/api/v1/blog", Body: `{"class_id":"{class}","title":"Sortie","body":"Bonjour"}`,
			Expect: api(http.StatusCreated, staff...)},
		authzCase{Route: "GET /api/v1/blog/{id}", Path: "/api/v1/blog/{blog_post}", Expect: api(http.StatusOK, readers...)},
		authzCase{Route: "POST /api/v1/blog/{id}/photos", Path: "/api/v1/blog/{blog_post}/photos", Body: `{}`, Expect: noFile},
		authzCase{Route: "POST /api/v1/blog/{id}/comments", Path: "/api/v1/blog/{blog_post}/comments", Body: `{"body":"Bravo"}`,
			Expect: api(http.StatusCreated, talkers...)},
		authzCase{Route: "POST /api/v1/blog/comments/{id}/approve", Path: "/api/v1/blog/comments/{blog_comment}/approve",
			Expect: api(http.StatusOK, staff...)},
	)
}

// blogFixture is the demo CE1's farm outing, its first photo's token and
// the demo parent's comment under it ("" on central, whose demo seeds the
// same class: found the same way).
func blogFixture(t *testing.T, a *apptest.App) (post, media, comment string) {
	t.Helper()
	ctx := t.Context()
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT p.id, m.token FROM blog_posts p JOIN blog_media m ON m.post_id = p.id
		WHERE p.deleted = 0 AND m.kind = 'photo' ORDER BY p.created_at, m.position LIMIT 1`).Scan(&post, &media); err != nil {
		t.Fatalf("demo blog post: %v", err)
	}
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM blog_comments WHERE deleted = 0 AND post_id = ? LIMIT 1", post).Scan(&comment); err != nil {
		t.Fatalf("demo blog comment: %v", err)
	}
	return post, media, comment
}

// Beyond the profiles: a pupil of another class, a parent of another
// class, a teacher of another class and the staff of another school get
// nothing of the CE1's blog: not the post, not a photo by its token, not
// the archive, not in a list; they cannot comment nor moderate.
func TestBlogAcrossClassesAndSchools(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	post, media, comment := blogFixture(t, a)
	ctx := t.Context()
	if err := a.Register.CreateSchool(ctx, "autre", "Autre école"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "prof.autre", Display: "Prof autre", Profile: auth.Teacher, SchoolID: "autre",
		Password: "demo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "dir.autre", Display: "Dir autre", Profile: auth.Director, SchoolID: "autre",
		Password: "demo"}); err != nil {
		t.Fatal(err)
	}
	outsiders := []string{"tom.martin", "nadia.bernard", "helene.roux", "prof.autre", "dir.autre"}
	for _, login := range outsiders {
		c := a.ClientAs(login)
		for _, path := range []string{"/cahier-de-vie/" + post, "/media/blog/" + media, "/media/blog/" + media + "?taille=originale",
			"/media/blog/" + media + "?taille=vignette", "/cahier-de-vie/" + post + "/photos.zip", "/api/v1/blog/" + post} {
			if resp, _ := a.Get(c, path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s gets %s: %d", login, path, resp.StatusCode)
			}
		}
		for _, path := range []string{"/api/v1/blog", "/cahier-de-vie"} {
			if _, body := a.Get(c, path); strings.Contains(body, post) || strings.Contains(body, media) {
				t.Errorf("%s sees the CE1's post in %s", login, path)
			}
		}
		if resp, _ := a.Do(c, "POST", "/api/v1/blog/"+post+"/comments", "application/json", `{"body":"Coucou"}`); resp.StatusCode != http.StatusNotFound &&
			resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s comments the CE1's post: %d", login, resp.StatusCode)
		}
		if resp, _ := a.Do(c, "POST", "/api/v1/blog/comments/"+comment+"/approve", "", ""); resp.StatusCode != http.StatusNotFound &&
			resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s approves a CE1 comment: %d", login, resp.StatusCode)
		}
	}
	// The other school's staff post nothing in the CE1's name.
	var before, after int
	a.DB.Reader().QueryRow("SELECT count(*) FROM blog_posts").Scan(&before)
	if resp, _ := a.Do(a.ClientAs("dir.autre"), "POST", "/api/v1/blog", "application/json",
		`{"class_id":"`+a.ClassID("CE1")+`","title":"Intrus","body":"x"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another school's director posts in the CE1: %d", resp.StatusCode)
	}
	a.DB.Reader().QueryRow("SELECT count(*) FROM blog_posts").Scan(&after)
	if after != before {
		t.Errorf("a refused post was written")
	}
	// Nothing held goes to the families before approval.
	if _, body := a.Get(a.ClientAs("eleve"), "/cahier-de-vie/"+post); strings.Contains(body, "Léa nous a tout raconté") {
		t.Error("a held comment shows to the class's pupil")
	}
}
