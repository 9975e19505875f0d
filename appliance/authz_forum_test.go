package appliance_test

import (
	"net/http"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// The forums' routes. {forum} is the demo class's forum (moderated), its
// pupils and staff write there and its families read it; {forum_thread}
// its pinned rules, whose first post {forum_post} is its teacher's, with
// the picture {forum_file}. The city's DSI sees none of a school's
// forums: on a school it finds none of them. Moderation's actions on a
// post or a report that does not exist find nothing, for a moderator.
func init() {
	// Who sees the class's forum, and the DSI who finds nothing.
	seen := func(ok, anon int, allowed ...auth.Profile) map[auth.Profile]int {
		m := expect(ok, anon, allowed...)
		m[auth.DSI] = http.StatusNotFound
		return m
	}
	readers := []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director}
	writers := []auth.Profile{auth.Pupil, auth.Teacher, auth.Director} // the families read
	// The teacher's own post: the others who see it may not change it.
	author := func(ok, anon int) map[auth.Profile]int { return seen(ok, anon, auth.Teacher) }
	moderated := func(ok, anon int) map[auth.Profile]int { return seen(ok, anon, auth.Teacher, auth.Director) }
	// Deleting: its author first, after which the director, who may
	// delete any post of the class's forum (see the forum's tests), finds
	// nothing left.
	deleted := func(ok, anon int) map[auth.Profile]int {
		m := author(ok, anon)
		m[auth.Director] = http.StatusNotFound
		return m
	}
	unknown := func(anon int) map[auth.Profile]int {
		return expect(http.StatusNotFound, anon, auth.Teacher, auth.Director, auth.DSI)
	}
	matrix = append(matrix,
		authzCase{Route: "GET /forum", Path: "/forum", Expect: page(loggedIn...)},
		authzCase{Route: "GET /forum/nouveau", Path: "/forum/nouveau", Expect: page(auth.Teacher, auth.Director)},
		authzCase{Route: "POST /forum", Path: "/forum", Body: "titre=Nos+projets&pour=class&classe={class}", Expect: form(auth.Teacher, auth.Director)},
		authzCase{Route: "GET /forum/moderation", Path: "/forum/moderation", Expect: page(auth.Teacher, auth.Director, auth.DSI)},
		authzCase{Route: "GET /forum/reglages/{id}", Path: "/forum/reglages/{forum}", Expect: moderated(http.StatusOK, http.StatusSeeOther)},
		authzCase{Route: "POST /forum/reglages/{id}", Path: "/forum/reglages/{forum}", Body: "titre=Notre+forum&validation=1", Expect: moderated(http.StatusSeeOther, http.StatusUnauthorized)},
		authzCase{Route: "PATCH /api/v1/forums/{id}", Path: "/api/v1/forums/{forum}", Body: `{"title":"Notre forum","moderated":true}`,
			Expect: moderated(http.StatusOK, http.StatusUnauthorized)},
		authzCase{Route: "GET /forum/{id}", Path: "/forum/{forum}", Expect: seen(http.StatusOK, http.StatusSeeOther, readers...)},
		authzCase{Route: "POST /forum/{id}", Path: "/forum/{forum}", Body: "titre=Question&texte=Bonjour", Expect: seen(http.StatusSeeOther, http.StatusUnauthorized, writers...)},
		authzCase{Route: "GET /forum/{id}/{thread}", Path: "/forum/{forum}/{forum_thread}", Expect: seen(http.StatusOK, http.StatusSeeOther, readers...)},
		authzCase{Route: "POST /forum/{id}/{thread}", Path: "/forum/{forum}/{forum_thread}", Body: "texte=Merci", Expect: seen(http.StatusSeeOther, http.StatusUnauthorized, writers...)},
		authzCase{Route: "POST /forum/{id}/{thread}/epingler", Path: "/forum/{forum}/{forum_thread}/epingler", Body: "etat=0", Expect: moderated(http.StatusSeeOther, http.StatusUnauthorized)},
		authzCase{Route: "POST /forum/{id}/{thread}/verrouiller", Path: "/forum/{forum}/{forum_thread}/verrouiller", Body: "etat=1", Expect: moderated(http.StatusSeeOther, http.StatusUnauthorized)},
		authzCase{Route: "GET /forum/messages/{id}/modifier", Path: "/forum/messages/{forum_post}/modifier", Expect: author(http.StatusOK, http.StatusSeeOther)},
		authzCase{Route: "POST /forum/messages/{id}", Path: "/forum/messages/{forum_post}", Body: "texte=Soyons+polis", Expect: author(http.StatusSeeOther, http.StatusUnauthorized)},
		authzCase{Route: "POST /forum/messages/{id}/supprimer", Path: "/forum/messages/{forum_post}/supprimer", Expect: deleted(http.StatusSeeOther, http.StatusUnauthorized)},
		authzCase{Route: "POST /forum/messages/{id}/signaler", Path: "/forum/messages/{forum_post}/signaler", Body: "raison=Test", Expect: seen(http.StatusSeeOther, http.StatusUnauthorized, readers...)},
		authzCase{Route: "POST /forum/messages/{id}/accepter", Path: "/forum/messages/inconnu/accepter", Expect: unknown(http.StatusUnauthorized)},
		authzCase{Route: "POST /forum/messages/{id}/refuser", Path: "/forum/messages/inconnu/refuser", Expect: unknown(http.StatusUnauthorized)},
		authzCase{Route: "POST /forum/signalements/{id}/classer", Path: "/forum/signalements/inconnu/classer", Expect: unknown(http.StatusUnauthorized)},
		authzCase{Route: "POST /forum/signalements/{id}/retirer", Path: "/forum/signalements/inconnu/retirer", Expect: unknown(http.StatusUnauthorized)},
		authzCase{Route: "GET /media/forum/{id}", Path: "/media/forum/{forum_file}", Expect: seen(http.StatusOK, http.StatusSeeOther, readers...)},

		authzCase{Route: "GET /api/v1/forums", Path: "/api/v1/forums", Expect: api(http.StatusOK, loggedIn...)},
		authzCase{Route: "GET /api/v1/forums/{id}/threads", Path: "/api/v1/forums/{forum}/threads", Expect: seen(http.StatusOK, http.StatusUnauthorized, readers...)},
		authzCase{Route: "POST /api/v1/forums/{id}/threads", Path: "/api/v1/forums/{forum}/threads", Body: `{"title":"Question","body":"Bonjour"}`,
			Expect: seen(http.StatusCreated, http.StatusUnauthorized, writers...)},
		authzCase{Route: "GET /api/v1/threads/{id}", Path: "/api/v1/threads/{forum_thread}", Expect: seen(http.StatusOK, http.StatusUnauthorized, readers...)},
		authzCase{Route: "POST /api/v1/threads/{id}/posts", Path: "/api/v1/threads/{forum_thread}/posts", Body: `{"body":"Merci"}`,
			Expect: seen(http.StatusCreated, http.StatusUnauthorized, writers...)},
		authzCase{Route: "PATCH /api/v1/posts/{id}", Path: "/api/v1/posts/{forum_post}", Body: `{"body":"Soyons polis"}`, Expect: author(http.StatusOK, http.StatusUnauthorized)},
		authzCase{Route: "DELETE /api/v1/posts/{id}", Path: "/api/v1/posts/{forum_post}", Expect: deleted(http.StatusNoContent, http.StatusUnauthorized)},
		authzCase{Route: "POST /api/v1/posts/{id}/reports", Path: "/api/v1/posts/{forum_post}/reports", Body: `{"reason":"Test"}`,
			Expect: seen(http.StatusCreated, http.StatusUnauthorized, readers...)},
	)
}

// forumFixture is the demo class's forum, its pinned thread, that
// thread's first post and its picture.
func forumFixture(t *testing.T, a *apptest.App, classID string) (forum, thread, post, file string) {
	t.Helper()
	if err := a.DB.Reader().QueryRowContext(t.Context(), `SELECT f.id, t.id, p.id, fi.id FROM forums f
		JOIN forum_threads t ON t.forum_id = f.id AND t.pinned = 1 JOIN forum_posts p ON p.thread_id = t.id JOIN forum_files fi ON fi.post_id = p.id
		WHERE f.deleted = 0 AND f.audience = 'class' AND f.class_id = ? LIMIT 1`, classID).Scan(&forum, &thread, &post, &file); err != nil {
		t.Fatalf("demo forum: %v", err)
	}
	return forum, thread, post, file
}
