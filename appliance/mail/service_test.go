package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"preau/appliance/apperr"
	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/mail"
	"preau/appliance/store"
)

// emptyMailboxes puts the demo's messages out of the way, for the tests
// that count what arrives.
func emptyMailboxes(t testing.TB, a *apptest.App) {
	t.Helper()
	if err := a.DB.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), "UPDATE mail_copies SET deleted = 1, hlc = ?, origin = ?", tx.HLC, tx.Origin)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func node(t *testing.T) (*apptest.App, *mail.Service) {
	t.Helper()
	a := apptest.New(t, apptest.Options{})
	emptyMailboxes(t, a)
	return a, mail.Of(a.Env).S
}

// parentOf is a parent of one of the teacher's pupils, and the pupil.
func parentOf(t *testing.T, a *apptest.App, teacher auth.User) (auth.User, auth.User) {
	t.Helper()
	classes, err := a.Register.UserClasses(t.Context(), teacher.ID)
	if err != nil || len(classes) == 0 {
		t.Fatal("the teacher has no class", err)
	}
	pupils, _ := a.Register.ClassPupils(t.Context(), classes[0].ID)
	for _, p := range pupils {
		if parents, _ := a.Register.Parents(t.Context(), p.ID); len(parents) > 0 {
			return parents[0], p
		}
	}
	t.Fatal("no parent in the class")
	return auth.User{}, auth.User{}
}

func TestSendReadReplyMove(t *testing.T) {
	a, s := node(t)
	ctx := t.Context()
	teacher := a.User("enseignant")
	parent, _ := parentOf(t, a, teacher)
	unread, _ := s.Unread(ctx, parent)
	inboxBefore, _ := s.List(ctx, teacher, mail.Inbox, 0, 1)
	sentBefore, _ := s.List(ctx, teacher, mail.Sent, 0, 1)
	sent, err := s.Send(ctx, teacher, "fr", mail.Draft{To: []string{parent.ID}, Subject: "Sortie au musée", Text: "Bonjour,\nla sortie est jeudi.",
		Attachments: []mail.Attachment{{Name: "autorisation.pdf", Type: "application/pdf", Data: []byte("%PDF-1.4 fake")}}})
	if err != nil || sent.State != "sent" {
		t.Fatalf("send: %+v %v", sent, err)
	}
	if n, _ := s.Unread(ctx, parent); n != unread+1 {
		t.Fatalf("parent's unread = %d, was %d", n, unread)
	}
	page, err := s.List(ctx, parent, mail.Inbox, 0, 20)
	if err != nil || page.Items[0].Subject != "Sortie au musée" || page.Items[0].Attachments != 1 {
		t.Fatalf("inbox: %+v %v", page, err)
	}
	opened, err := s.Open(ctx, parent, page.Items[0].CopyID)
	if err != nil || !strings.Contains(opened.Text, "la sortie est jeudi") || len(opened.Attachments) != 1 || opened.From.Email != "enseignant@preau.local" {
		t.Fatalf("open: %+v %v", opened, err)
	}
	if n, _ := s.Unread(ctx, parent); n != unread {
		t.Fatalf("unread after reading = %d", n)
	}
	// the full-text search finds it, accents or not, for its owners only
	if found, err := s.Search(ctx, parent, "musee jeudi", "", 10); err != nil || len(found) != 1 || found[0].CopyID != page.Items[0].CopyID {
		t.Fatalf("the parent's search: %+v %v", found, err)
	}
	if found, _ := s.Search(ctx, teacher, "musée", mail.Sent, 10); len(found) != 1 {
		t.Fatalf("the teacher's search in Envoyés found %d", len(found))
	}
	if found, _ := s.Search(ctx, a.User("directeur"), "musée", "", 10); len(found) != 0 {
		t.Fatalf("the director found another's message: %+v", found)
	}
	// someone else cannot open the parent's copy
	if _, err := s.Open(ctx, a.User("directeur"), page.Items[0].CopyID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the director opened the parent's copy: %v", err)
	}
	// the parent answers; the reply joins the conversation
	if _, err := s.Send(ctx, parent, "fr", mail.Draft{To: []string{teacher.ID}, Subject: "Re: Sortie au musée", Text: "Merci !", ReplyTo: page.Items[0].CopyID}); err != nil {
		t.Fatal(err)
	}
	in, _ := s.List(ctx, teacher, mail.Inbox, 0, 20)
	if in.Total != inboxBefore.Total+1 || in.Items[0].ThreadID != page.Items[0].ThreadID {
		t.Fatalf("the reply is not in the conversation: %+v", in.Items)
	}
	reopened, _ := s.Open(ctx, teacher, in.Items[0].CopyID)
	if len(reopened.Thread) != 2 {
		t.Fatalf("conversation of %d", len(reopened.Thread))
	}
	// move, delete to the Corbeille, empty it
	f, err := s.CreateFolder(ctx, parent, "École/Sorties")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Move(ctx, parent, []string{page.Items[0].CopyID}, f.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, parent, []string{page.Items[0].CopyID}); err != nil {
		t.Fatal(err)
	}
	trash, _ := s.List(ctx, parent, mail.Trash, 0, 20)
	if trash.Total != 1 {
		t.Fatalf("trash holds %d", trash.Total)
	}
	if err := s.EmptyTrash(ctx, parent); err != nil {
		t.Fatal(err)
	}
	if trash, _ = s.List(ctx, parent, mail.Trash, 0, 20); trash.Total != 0 {
		t.Fatal("trash not emptied")
	}
	// the teacher's copy is untouched
	if sentBox, _ := s.List(ctx, teacher, mail.Sent, 0, 20); sentBox.Total != sentBefore.Total+1 {
		t.Fatalf("teacher's Envoyés holds %d", sentBox.Total)
	}
}

func TestRules(t *testing.T) {
	a, s := node(t)
	ctx := t.Context()
	teacher := a.User("enseignant")
	parent, pupil := parentOf(t, a, teacher)
	director := a.User("directeur")
	// a parent may write to their child's teacher and the director, not to a pupil
	if _, err := s.Send(ctx, parent, "fr", mail.Draft{To: []string{teacher.ID, director.ID}, Subject: "Absence", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Send(ctx, parent, "fr", mail.Draft{To: []string{pupil.ID}, Subject: "x", Text: "x"})
	if !errors.Is(err, apperr.ErrForbidden) || !strings.Contains(err.Error(), pupil.DisplayName) {
		t.Fatalf("parent to pupil: %v", err)
	}
	// unknown and outside addresses are named
	if _, err := s.Send(ctx, teacher, "fr", mail.Draft{To: []string{"personne@preau.local"}, Text: "x"}); err == nil || !strings.Contains(err.Error(), "personne@preau.local") {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := s.Send(ctx, teacher, "fr", mail.Draft{To: []string{"quelquun@gmail.com"}, Text: "x"}); err == nil || !strings.Contains(err.Error(), "gmail.com") {
		t.Fatalf("outside: %v", err)
	}
	// a teacher writes to the parents of a class through the group
	classes, _ := a.Register.UserClasses(ctx, teacher.ID)
	unread, _ := s.Unread(ctx, parent)
	if _, err := s.Send(ctx, teacher, "fr", mail.Draft{To: []string{"class:" + classes[0].ID + ":parents"}, Subject: "Réunion", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Unread(ctx, parent); n != unread+1 {
		t.Fatalf("the class's parent got %d", n)
	}
	// pupils: none when the director says so; held when moderated
	if err := s.SetSettings(ctx, teacher, mail.Settings{Pupils: "none"}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("a teacher changed the rules: %v", err)
	}
	if err := s.SetSettings(ctx, director, mail.Settings{Pupils: "none"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send(ctx, pupil, "fr", mail.Draft{To: []string{teacher.ID}, Text: "x"}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("pupil wrote when none allowed: %v", err)
	}
	if err := s.SetSettings(ctx, director, mail.Settings{Pupils: "class", Moderate: true}); err != nil {
		t.Fatal(err)
	}
	out, err := s.Send(ctx, pupil, "fr", mail.Draft{To: []string{teacher.ID}, Subject: "Mon dessin", Text: "Regarde !"})
	if err != nil || out.State != "held" {
		t.Fatalf("held: %+v %v", out, err)
	}
	before, _ := s.Unread(ctx, teacher)
	held, err := s.Held(ctx, teacher)
	if err != nil || len(held) != 1 || held[0].Text != "Regarde !" {
		t.Fatalf("held list: %+v %v", held, err)
	}
	if err := s.Approve(ctx, parent, held[0].MessageID); err == nil {
		t.Fatal("a parent let a pupil's message go")
	}
	if err := s.Approve(ctx, teacher, held[0].MessageID); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.Unread(ctx, teacher); after != before+1 {
		t.Fatalf("approved message not delivered: %d → %d", before, after)
	}
	out, _ = s.Send(ctx, pupil, "fr", mail.Draft{To: []string{teacher.ID}, Subject: "Gros mot", Text: "…"})
	held, _ = s.Held(ctx, teacher)
	if err := s.Return(ctx, teacher, held[0].MessageID, "Reformule poliment."); err != nil {
		t.Fatal(err)
	}
	sentBox, _ := s.List(ctx, pupil, mail.Sent, 0, 20)
	if sentBox.Items[0].State != "returned" || sentBox.Items[0].Reason != "Reformule poliment." {
		t.Fatalf("returned: %+v", sentBox.Items[0])
	}
}

func TestDraftsAndIMAPState(t *testing.T) {
	a, s := node(t)
	ctx := t.Context()
	teacher := a.User("enseignant")
	id, err := s.SaveDraft(ctx, teacher, "fr", mail.Draft{To: []string{a.User("directeur").ID}, Subject: "Brouillon", Text: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.SaveDraft(ctx, teacher, "fr", mail.Draft{To: []string{a.User("directeur").ID}, Subject: "Brouillon", Text: "v2", DraftID: id})
	if err != nil {
		t.Fatal(err)
	}
	drafts, _ := s.List(ctx, teacher, mail.Drafts, 0, 10)
	if drafts.Total != 1 || drafts.Items[0].CopyID != id2 || !drafts.Items[0].Draft {
		t.Fatalf("drafts: %+v", drafts)
	}
	mb, err := s.Mailbox(ctx, teacher, mail.Drafts)
	if err != nil || mb.Validity == 0 || len(mb.Entries) != 1 || mb.Entries[0].UID != 1 || mb.NextUID != 2 {
		t.Fatalf("mailbox: %+v %v", mb, err)
	}
	if _, err := s.Send(ctx, teacher, "fr", mail.Draft{To: []string{a.User("directeur").ID}, Subject: "Brouillon", Text: "v3", DraftID: id2}); err != nil {
		t.Fatal(err)
	}
	mb2, _ := s.Mailbox(ctx, teacher, mail.Drafts)
	if len(mb2.Entries) != 0 || mb2.Validity != mb.Validity || mb2.NextUID != 2 {
		t.Fatalf("after sending the draft: %+v", mb2)
	}
	sentBox, _ := s.Mailbox(ctx, teacher, mail.Sent)
	if last := sentBox.Entries[len(sentBox.Entries)-1]; len(sentBox.Entries) != 1 || last.UID != sentBox.NextUID-1 || sentBox.Validity == mb.Validity {
		t.Fatalf("Sent: %+v (validity must differ from Drafts')", sentBox)
	}
}

// A full mailbox still receives, but its owner cannot send or save until
// they make room; the refusal says how full it is.
func TestQuota(t *testing.T) {
	a := apptest.New(t, apptest.Options{Config: map[string]string{"mail.user_quota": "12KB"}})
	s := mail.Of(a.Env).S
	ctx := t.Context()
	teacher, director := a.User("enseignant"), a.User("directeur")
	used, quota, err := s.Usage(ctx, teacher)
	if err != nil || quota != 12<<10 || used == 0 {
		t.Fatalf("usage %d of %d: %v", used, quota, err)
	}
	big := strings.Repeat("Une longue lettre. ", 600) // about 11 KB
	_, err = s.Send(ctx, teacher, "fr", mail.Draft{To: []string{director.ID}, Subject: "Long", Text: big})
	if !errors.Is(err, apperr.ErrTooLarge) || !strings.Contains(err.Error(), "pleine") {
		t.Fatalf("over quota: %v", err)
	}
	// what the director sends the teacher still arrives
	before, _ := s.Unread(ctx, teacher)
	if _, err := s.Send(ctx, director, "fr", mail.Draft{To: []string{teacher.ID}, Subject: "Court", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.Unread(ctx, teacher); after != before+1 {
		t.Fatal("a full mailbox received nothing")
	}
}
