package mail_test

import (
	"testing"

	"preau/appliance/mail"
)

// A message a client saw leave its folder comes back with a new UID:
// clients never see a UID given again (RFC 3501, 2.3.1.1).
func TestUIDNotGivenAgain(t *testing.T) {
	a, s := node(t)
	ctx := t.Context()
	teacher := a.User("enseignant")
	for range 3 {
		if _, err := s.Send(ctx, a.User("directeur"), "fr", mail.Draft{To: []string{teacher.ID}, Subject: "Conseil", Text: "jeudi"}); err != nil {
			t.Fatal(err)
		}
	}
	mb, _ := s.Mailbox(ctx, teacher, mail.Inbox)
	if len(mb.Entries) != 3 || mb.Entries[0].UID != 1 {
		t.Fatalf("inbox: %+v", mb)
	}
	first := mb.Entries[0].CopyID
	if err := s.Move(ctx, teacher, []string{first}, mail.Archive); err != nil {
		t.Fatal(err)
	}
	if mb, _ = s.Mailbox(ctx, teacher, mail.Inbox); len(mb.Entries) != 2 {
		t.Fatalf("after the move: %+v", mb.Entries)
	}
	if err := s.Move(ctx, teacher, []string{first}, mail.Inbox); err != nil {
		t.Fatal(err)
	}
	mb, _ = s.Mailbox(ctx, teacher, mail.Inbox)
	if len(mb.Entries) != 3 || mb.Entries[2].CopyID != first || mb.Entries[2].UID != 4 || mb.NextUID != 5 {
		t.Fatalf("back in the inbox: %+v", mb.Entries)
	}
	// unseen gone and back, it keeps its UID: no client saw it leave
	if err := s.Move(ctx, teacher, []string{first}, mail.Archive); err != nil {
		t.Fatal(err)
	}
	if err := s.Move(ctx, teacher, []string{first}, mail.Inbox); err != nil {
		t.Fatal(err)
	}
	if mb, _ = s.Mailbox(ctx, teacher, mail.Inbox); mb.Entries[2].UID != 4 || mb.NextUID != 5 {
		t.Fatalf("moved out and back unseen: %+v", mb.Entries)
	}
}
