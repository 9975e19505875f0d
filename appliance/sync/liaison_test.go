package sync_test

import (
	"testing"

	"preau/appliance/auth"
	"preau/appliance/liaison"
)

// The carnet de liaison across the link: a note written at school reaches
// central, where the parent signs it and replies from home; the teacher at
// school sees the signature and the reply; a paper slip recorded at school
// reaches central.
func TestLiaisonBothWays(t *testing.T) {
	p := newPair(t, "ecole-l")
	ctx := t.Context()
	class, err := p.school.Register.CreateClass(ctx, "ecole-l", "CM1", "CM1")
	if err != nil {
		t.Fatal(err)
	}
	teacher := p.user(t, "prof.l", auth.Teacher, []string{class.ID}, nil)
	pupil := p.user(t, "eleve.l", auth.Pupil, []string{class.ID}, nil)
	other := p.user(t, "autre.l", auth.Pupil, []string{class.ID}, nil)
	parent := p.user(t, "parent.l", auth.Parent, nil, []string{pupil.ID})
	atSchool := liaison.NewService(p.school.DB, p.school.Register, p.school.Auth)
	id, err := atSchool.Create(ctx, teacher, liaison.Draft{ClassID: class.ID, Title: "Sortie", Signature: true, AllowReply: true})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)

	atCentral := liaison.NewService(p.central.DB, p.central.Register, p.central.Auth)
	notes, err := atCentral.ChildNotes(ctx, parent, pupil.ID)
	if err != nil || len(notes) != 1 || notes[0].ID != id || notes[0].Ack != nil {
		t.Fatalf("the parent on central sees %+v %v", notes, err)
	}
	if err := atCentral.Acknowledge(ctx, parent, id, pupil.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := atCentral.Reply(ctx, parent, id, pupil.ID, "Je peux accompagner."); err != nil {
		t.Fatal(err)
	}
	if err := atSchool.PaperAck(ctx, teacher, id, other.ID); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	syncOnce(t, p.school)

	f, err := atSchool.Followed(ctx, teacher, id)
	if err != nil || f.Acks != 2 || f.Total != 2 || len(f.Replies) != 1 || f.Replies[0].Body != "Je peux accompagner." {
		t.Fatalf("the teacher at school sees %d / %d, replies %+v: %v", f.Acks, f.Total, f.Replies, err)
	}
	f, err = atCentral.Followed(ctx, teacher, id)
	if err != nil || f.Acks != 2 {
		t.Fatalf("central sees %d acknowledgements: %v", f.Acks, err)
	}
	for _, r := range f.Pupils {
		if r.Pupil.ID == other.ID && (r.Ack == nil || !r.Ack.Paper) {
			t.Errorf("the paper slip on central: %+v", r.Ack)
		}
	}
}
