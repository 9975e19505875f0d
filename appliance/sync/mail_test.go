package sync_test

import (
	"testing"

	"preau/appliance/auth"
	"preau/appliance/mail"
	"preau/appliance/roster"
)

// Mail between schools, through central: school B's teacher writes to a
// parent whose account belongs to school A (a child at each school). The
// message is written at once at B, « en attente »; the next sync takes it
// to central, which delivers it into the parent's mailbox of school A
// and marks it delivered; the parent reads it at school A and from home,
// and B's teacher sees « remis ». The parent's answer comes back the same
// way. And a director writes to the city's DSI, who answers.
func TestMailBetweenSchools(t *testing.T) {
	w := newTwoSchools(t)
	p, b, parent := w.pair, w.b, w.parent
	ctx := t.Context()
	director := p.user(t, "dir.a", auth.Director, nil, nil)
	teacherB, _ := b.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "prof.b", Display: "Prof B", Profile: auth.Teacher, SchoolID: "ecole-b"}, ClassIDs: []string{w.cm1.ID}})
	w.link(t)

	atA, atB, atCentral := mail.Of(p.school.Env).S, mail.Of(b.Env).S, mail.Of(p.central.Env).S
	out, err := atB.Send(ctx, teacherB, "fr", mail.Draft{To: []string{"maman.roy@preau.local"}, Subject: "Léo à la piscine", Text: "Léo a oublié son bonnet."})
	if err != nil || out.State != "pending" {
		t.Fatalf("sent at B: %+v %v", out, err)
	}
	if got := state(t, atB, teacherB); got != "pending" {
		t.Fatalf("at B before sync the teacher sees %q, want pending", got)
	}
	if n, _ := atA.Unread(ctx, parent); n != 0 {
		t.Fatal("the message reached A before any sync")
	}
	syncOnce(t, b)
	if n, err := atCentral.DeliverPending(ctx); err != nil || n != 1 {
		t.Fatalf("central delivered %d: %v", n, err)
	}
	if n, _ := atCentral.Unread(ctx, parent); n != 1 {
		t.Fatal("the parent cannot read it from home")
	}
	syncOnce(t, p.school)
	syncOnce(t, b)
	inbox, _ := atA.List(ctx, parent, mail.Inbox, 0, 10)
	if inbox.Total != 1 || inbox.Items[0].Subject != "Léo à la piscine" {
		t.Fatalf("at A the parent's inbox: %+v", inbox)
	}
	opened, err := atA.Open(ctx, parent, inbox.Items[0].CopyID)
	if err != nil || opened.Text != "Léo a oublié son bonnet." {
		t.Fatalf("at A the parent reads %q: %v", opened.Text, err)
	}
	if got := state(t, atB, teacherB); got != "delivered" {
		t.Fatalf("at B after sync the teacher sees %q, want delivered", got)
	}
	// the answer goes back the same way
	if out, err := atA.Send(ctx, parent, "fr", mail.Draft{To: []string{teacherB.ID}, Subject: "Re: Léo à la piscine", Text: "Merci !",
		ReplyTo: inbox.Items[0].CopyID}); err != nil || out.State != "pending" {
		t.Fatalf("the answer: %+v %v", out, err)
	}
	syncOnce(t, p.school)
	if n, _ := atCentral.DeliverPending(ctx); n != 1 {
		t.Fatalf("central delivered %d answers", n)
	}
	syncOnce(t, b)
	back, _ := atB.List(ctx, teacherB, mail.Inbox, 0, 10)
	if back.Total != 1 || back.Items[0].ThreadID != inbox.Items[0].ThreadID {
		t.Fatalf("at B the teacher's inbox: %+v", back.Items)
	}
	// the director writes to the DSI, who answers from central
	dsi, err := p.central.Auth.UserByLogin(ctx, "dsi")
	if err != nil {
		t.Skip("no DSI account on central")
	}
	if _, err := atA.Send(ctx, director, "fr", mail.Draft{To: []string{"dsi@preau.local"}, Subject: "Panne du vidéoprojecteur", Text: "Bonjour, il ne s'allume plus."}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	atCentral.DeliverPending(ctx)
	dsiBox, _ := atCentral.List(ctx, dsi, mail.Inbox, 0, 10)
	if dsiBox.Total != 1 {
		t.Fatalf("the DSI's inbox holds %d", dsiBox.Total)
	}
	if _, err := atCentral.Send(ctx, dsi, "fr", mail.Draft{To: []string{director.ID}, Subject: "Re: Panne", Text: "Un technicien passe demain.", ReplyTo: dsiBox.Items[0].CopyID}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	if got, _ := atA.List(ctx, director, mail.Inbox, 0, 10); got.Total != 1 {
		t.Fatalf("the director's inbox at A holds %d", got.Total)
	}
	// the DSI's mailbox stays on central
	var n int
	p.school.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM mail_copies WHERE owner_id = ?", dsi.ID).Scan(&n)
	if n != 0 {
		t.Fatalf("%d of the DSI's copies reached school A", n)
	}
}

// state is the state of the newest message of one's Envoyés, as the
// webmail shows it.
func state(t *testing.T, s *mail.Service, u auth.User) string {
	t.Helper()
	sent, err := s.List(t.Context(), u, mail.Sent, 0, 1)
	if err != nil || len(sent.Items) == 0 {
		t.Fatalf("no sent message: %v", err)
	}
	if it := sent.Items[0]; it.State == "sent" && !it.DeliveredAt.IsZero() {
		return "delivered"
	}
	return sent.Items[0].State
}
