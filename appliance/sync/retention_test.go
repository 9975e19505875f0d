package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/apptest"
	"preau/appliance/privacy"
	"preau/appliance/store"
)

// The retention job, with its clock moved: today it purges only what is
// past its rule (an audit entry of 2020), a year and more later the pupil
// who left, the mail and the connection logs; each purge reaches central
// by sync as tombstones that name nobody, which central accepts.
func TestRetentionReachesCentral(t *testing.T) {
	p := newPair(t, "ecole-a")
	ctx := t.Context()
	_, teacher, pupil, _ := p.family(t, "CE1", "r")
	parent := p.school.ClientAs("parent.r")
	resp, body := p.school.Do(parent, http.MethodPost, "/api/v1/mail/messages", "application/json",
		`{"to": ["`+teacher.ID+`"], "subject": "Rendez-vous", "text": "Mardi ?"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("mail: %d %s", resp.StatusCode, body)
	}
	if err := p.school.Auth.SetDisabled(ctx, pupil.ID, true); err != nil { // the pupil left
		t.Fatal(err)
	}
	// Two entries of the audit log: one of 2020, past any retention, and
	// one of 200 days ago, kept a year but past the six months under which
	// central refuses a school's purge.
	oldEntry, olderThanSixMonths := store.NewID(), store.NewID()
	for id, at := range map[string]string{oldEntry: "2020-01-06T08:00:00Z", olderThanSixMonths: time.Now().AddDate(0, 0, -200).UTC().Format(time.RFC3339)} {
		if err := p.school.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO audit_entries(id, scope, hlc, origin, school_id, at, actor_id, actor_name, action, target, address)
				VALUES (?, 'ecole-a', ?, ?, 'ecole-a', ?, ?, 'prof.r', 'account.create', 'eleve.r', '192.0.2.7')`,
				id, tx.HLC, tx.Origin, at, teacher.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	syncOnce(t, p.school)

	job := privacy.Of(p.school.Env)
	now := time.Now()
	job.SetClock(func() time.Time { return now })
	if err := job.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if n := liveAudit(t, p.school.DB); n != 1 {
		t.Errorf("today's purge left %d live audit entries, want the one of 200 days ago", n)
	}
	if _, err := p.school.Auth.User(ctx, pupil.ID); err != nil {
		t.Errorf("today's purge erased the pupil who left today: %v", err)
	}
	if n := inbox(t, p.school, "prof.r"); n != 1 {
		t.Errorf("today's purge left %d messages in the teacher's inbox, want 1", n)
	}
	if resp, _ := p.school.Do(parent, http.MethodGet, "/api/v1/me", "", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("today's purge ended a session of today: %d", resp.StatusCode)
	}

	later := now.AddDate(1, 1, 0)
	job.SetClock(func() time.Time { return later })
	if err := job.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.school.Auth.User(ctx, pupil.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("the pupil who left a year ago is still there: %v", err)
	}
	if n := inbox(t, p.school, "prof.r"); n != 0 {
		t.Errorf("mail older than a year still in the inbox: %d", n)
	}
	if resp, _ := p.school.Do(parent, http.MethodGet, "/api/v1/me", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a session opened a year ago still works: %d", resp.StatusCode)
	}
	if n := liveAudit(t, p.school.DB); n != 0 {
		t.Errorf("%d audit entries older than a year left", n)
	}

	syncOnce(t, p.school)
	var deleted int
	var names string
	if err := p.central.DB.Reader().QueryRowContext(ctx, "SELECT deleted, first_name || last_name || display_name || login FROM users WHERE id = ?",
		pupil.ID).Scan(&deleted, &names); err != nil || deleted != 1 || strings.Contains(names, "eleve.r") {
		t.Errorf("central's pupil who left: deleted %d, names %q, %v", deleted, names, err)
	}
	if err := p.central.DB.Reader().QueryRowContext(ctx, "SELECT deleted, actor_name || target || address FROM audit_entries WHERE id = ?",
		oldEntry).Scan(&deleted, &names); err != nil || deleted != 1 || names != "" {
		t.Errorf("central's audit entry of 2020: deleted %d, %q, %v", deleted, names, err)
	}
	if n := liveAudit(t, p.central.DB); n != 0 {
		t.Errorf("central keeps %d of the school's purged audit entries", n)
	}
	var copies int
	if err := p.central.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM mail_copies WHERE deleted = 0 AND owner_id = ?", teacher.ID).
		Scan(&copies); err != nil || copies != 0 {
		t.Errorf("central keeps %d of the purged mail: %v", copies, err)
	}
}

func liveAudit(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRowContext(context.Background(), "SELECT count(*) FROM audit_entries WHERE deleted = 0 AND scope = 'ecole-a'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// inbox is how many messages a person's inbox lists.
func inbox(t *testing.T, a *apptest.App, login string) int {
	t.Helper()
	_, body := a.Do(a.ClientAs(login), http.MethodGet, "/api/v1/mail/messages?folder=inbox", "", "")
	var list struct{ Messages []json.RawMessage }
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("inbox of %s: %v (%.200s)", login, err, body)
	}
	return len(list.Messages)
}
