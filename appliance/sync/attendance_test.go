package sync_test

import (
	"testing"
	"time"

	"preau/appliance/attendance"
)

// Absences across the link: the register taken at school reaches the
// parent at home, who justifies there; the school sees the justification.
func TestAttendanceBothWays(t *testing.T) {
	p := newPair(t, "ecole-r")
	ctx := t.Context()
	class, teacher, pupil, parent := p.family(t, "CM1", "r")
	atSchool, atCentral := attendance.NewService(p.school.DB, p.school.Register), attendance.NewService(p.central.DB, p.central.Register)
	today := time.Now().Format("2006-01-02")
	if err := atSchool.Take(ctx, teacher, attendance.Roll{ClassID: class.ID, Day: today, HalfDay: attendance.AM, Absent: []string{pupil.ID}}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	abs, err := atCentral.ChildAbsences(ctx, parent, pupil.ID)
	if err != nil || len(abs) != 1 || abs[0].Justified() {
		t.Fatalf("the parent at home sees %+v %v", abs, err)
	}
	if _, err := atCentral.Justify(ctx, parent, abs[0].ID, attendance.Justification{Reason: "illness", Comment: "Fièvre"}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	got, err := atSchool.ClassAbsences(ctx, teacher, today)
	if err != nil || len(got) != 1 || got[0].Reason != "illness" || got[0].Comment != "Fièvre" {
		t.Fatalf("the teacher at school sees %+v %v", got, err)
	}
	reg, err := atCentral.Register(ctx, teacher, class.ID, today, attendance.AM)
	if err != nil || !reg.Taken {
		t.Errorf("central's copy of the register: %+v %v", reg, err)
	}
}
