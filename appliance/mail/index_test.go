package mail_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"preau/appliance/auth"
	"preau/appliance/mail"
)

// The folders' index answers what a read of the store answers, whatever
// changed the folders: mail arriving, flags, moves to other folders and
// back, deletions, expunges, messages saved.
func TestIndexFollowsTheStore(t *testing.T) {
	a, s := node(t)
	ctx := context.Background()
	teacher, director := a.User("enseignant"), a.User("directeur")
	folders := []string{mail.Inbox, mail.Archive, mail.Trash, mail.Drafts}
	r := rand.New(rand.NewPCG(12, 13))
	pick := func(folder string) (string, bool) {
		mb, err := s.Mailbox(ctx, teacher, folder)
		if err != nil {
			t.Fatal(err)
		}
		if len(mb.Entries) == 0 {
			return "", false
		}
		return mb.Entries[r.IntN(len(mb.Entries))].CopyID, true
	}
	steps := []func() string{
		func() string {
			sendAs(t, s, director, fmt.Sprintf("Message %d", r.IntN(1000)), "texte", teacher)
			return "a message arrives"
		},
		func() string {
			id, ok := pick(folders[r.IntN(len(folders))])
			if !ok {
				return "nothing to flag"
			}
			on := r.IntN(2) == 0
			f := mail.Flags{Seen: &on}
			switch r.IntN(3) {
			case 0:
				f = mail.Flags{Flagged: &on}
			case 1:
				f = mail.Flags{Removed: &on, Keywords: &[]string{"$Important"}}
			}
			if err := s.SetFlags(ctx, teacher, []string{id}, f); err != nil {
				t.Fatal(err)
			}
			return "flags"
		},
		func() string {
			from, to := folders[r.IntN(2)], folders[1-r.IntN(2)]
			id, ok := pick(from)
			if !ok || from == to {
				return "nothing to move"
			}
			if err := s.Move(ctx, teacher, []string{id}, to); err != nil {
				t.Fatal(err)
			}
			return "moved from " + from + " to " + to
		},
		func() string {
			id, ok := pick(mail.Inbox)
			if !ok {
				return "nothing to delete"
			}
			if err := s.Delete(ctx, teacher, []string{id}); err != nil {
				t.Fatal(err)
			}
			return "deleted"
		},
		func() string {
			id, ok := pick(mail.Trash)
			if !ok {
				return "nothing to expunge"
			}
			if err := s.Expunge(ctx, teacher, []string{id}); err != nil {
				t.Fatal(err)
			}
			return "expunged"
		},
		func() string {
			raw := fmt.Sprintf("From: enseignant@preau.local\r\nSubject: Brouillon %d\r\n\r\nTexte\r\n", r.IntN(1000))
			seen := true
			if _, err := s.Append(ctx, teacher, mail.Drafts, []byte(raw), mail.Flags{Seen: &seen}, time.Now(), ""); err != nil {
				t.Fatal(err)
			}
			return "draft saved"
		},
	}
	for i := range 300 {
		did := steps[r.IntN(len(steps))]()
		for _, folder := range folders {
			if r.IntN(3) == 0 {
				continue // a folder not looked at for a while catches up later
			}
			compareWithStore(t, s, teacher, folder, fmt.Sprintf("step %d (%s), %s", i, did, folder))
		}
	}
}

func compareWithStore(t *testing.T, s *mail.Service, u auth.User, folder, when string) {
	t.Helper()
	ctx := context.Background()
	got, err := s.Mailbox(ctx, u, folder)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.ReadMailbox(ctx, u.ID, folder)
	if err != nil {
		t.Fatal(err)
	}
	if got.Validity != want.Validity || got.NextUID != want.NextUID || len(got.Entries) != len(want.Entries) {
		t.Fatalf("%s: index %d/%d, %d entries; store %d/%d, %d entries", when, got.Validity, got.NextUID, len(got.Entries),
			want.Validity, want.NextUID, len(want.Entries))
	}
	for i, e := range got.Entries {
		w := want.Entries[i]
		if e.UID != w.UID || e.CopyID != w.CopyID || e.HLC != w.HLC || e.Seen != w.Seen || e.Flagged != w.Flagged ||
			e.Removed != w.Removed || !slices.Equal(e.Keywords, w.Keywords) || e.Size != w.Size {
			t.Fatalf("%s: entry %d: index %+v, store %+v", when, i, *e, *w)
		}
	}
}

// The quota's sum reads the copies' index alone, not a row of each
// message: it runs on every message sent or saved.
func TestUsageReadsAnIndex(t *testing.T) {
	a, _ := node(t)
	rows, err := a.DB.Reader().Query("EXPLAIN QUERY PLAN "+mail.UsageQuery, "x")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) != 1 || !strings.Contains(plan[0], "COVERING INDEX mail_copies_usage") {
		t.Errorf("plan %q, want a covering index", plan)
	}
}
