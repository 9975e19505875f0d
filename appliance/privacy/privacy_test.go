package privacy_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"preau/appliance/apptest"
)

// The director erases the demo's pupil: the pupil's forum posts stay,
// their author named nowhere, in the thread's JSON and on its page, to
// the teacher and to the other families; the pupil's own rows (class,
// family, ticks) are tombstoned; the audit log names the account by id.
func TestErasedPupilNamedNowhere(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	pupil := a.User("eleve")
	var forum, thread string
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT t.forum_id, t.id FROM forum_threads t JOIN forums f ON f.id = t.forum_id
		WHERE t.deleted = 0 AND f.audience = 'class' AND f.class_id IN (SELECT class_id FROM memberships WHERE deleted = 0 AND user_id = ?) LIMIT 1`,
		pupil.ID).Scan(&forum, &thread); err != nil {
		t.Fatalf("a thread of the pupil's class forum: %v", err)
	}
	resp, body := a.Do(a.ClientAs("eleve"), http.MethodPost, "/api/v1/threads/"+thread+"/posts", "application/json", `{"body": "J'ai fini mon dessin !"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("the pupil's post: %d %s", resp.StatusCode, body)
	}
	seen := func() string {
		var all strings.Builder
		for _, who := range []string{"enseignant", "parent"} {
			c := a.ClientAs(who)
			for _, path := range []string{"/api/v1/threads/" + thread, "/forum/" + forum + "/" + thread} {
				_, body := a.Get(c, path)
				all.WriteString(body)
			}
		}
		return all.String()
	}
	if got := seen(); !strings.Contains(got, pupil.DisplayName) || !strings.Contains(got, "fini mon dessin") {
		t.Fatalf("before the erasure the thread does not show the pupil's post with their name: the test checks nothing")
	}
	resp, body = a.Do(a.ClientAs("directeur"), http.MethodPost, "/api/v1/users/"+pupil.ID+"/erase", "application/json", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"erased":true`) {
		t.Fatalf("erase: %d %s", resp.StatusCode, body)
	}
	got := seen()
	if strings.Contains(got, pupil.DisplayName) || strings.Contains(got, pupil.FirstName) {
		t.Errorf("the thread still names the erased pupil")
	}
	if !strings.Contains(got, "fini mon dessin") {
		t.Errorf("the erased pupil's post left the thread: the forum keeps it, anonymised")
	}
	for _, q := range []string{
		"SELECT count(*) FROM memberships WHERE deleted = 0 AND user_id = ?",
		"SELECT count(*) FROM guardians WHERE deleted = 0 AND child_id = ?",
		"SELECT count(*) FROM homework_ticks WHERE deleted = 0 AND pupil_id = ?",
		"SELECT count(*) FROM users WHERE deleted = 0 AND id = ?",
		"SELECT count(*) FROM users WHERE id = ? AND (first_name || last_name || display_name || email || password_hash || picture_hash || qr_hash) != ''",
	} {
		var n int
		if err := a.DB.Reader().QueryRowContext(ctx, q, pupil.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d left (%v)", q, n, err)
		}
	}
	var target string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT target FROM audit_entries WHERE action = 'account.erase'").Scan(&target); err != nil || target != pupil.ID {
		t.Errorf("the audit log's erasure names %q, want the account's id: %v", target, err)
	}
	resp, _ = a.Do(a.ClientAs("directeur"), http.MethodPost, "/api/v1/users/"+pupil.ID+"/erase", "application/json", "")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("erasing twice: %d, want 404", resp.StatusCode)
	}
}
