package sync_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"preau/appliance/homework"
)

// The cahier de textes across the link: a page written at school with its
// file reaches central, where the parent reads it and downloads the file;
// the pupil's tick given from home (central) reaches the school, where the
// teacher counts it.
func TestHomeworkBothWays(t *testing.T) {
	p := newPair(t, "ecole-h")
	ctx := t.Context()
	class, teacher, pupil, parent := p.family(t, "CE1", "h")
	atSchool := homework.NewService(p.school.DB, p.school.Register)
	due := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	content := "Lire la page 14."
	id, err := atSchool.Create(ctx, teacher, homework.Draft{ClassID: class.ID, Due: due, Title: "Lecture"}, homework.Upload{Name: "lecture.txt",
		Type: "text/plain", Size: int64(len(content)), Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil }})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	syncOnce(t, p.school)
	if err := p.school.Sync.Client.TransferBlobs(ctx); err != nil { // the file follows its row
		t.Fatal(err)
	}

	atCentral := homework.NewService(p.central.DB, p.central.Register)
	es, err := atCentral.ChildEntries(ctx, parent, pupil.ID)
	if err != nil || len(es) != 1 || es[0].ID != id || len(es[0].Files) != 1 {
		t.Fatalf("the parent on central sees %+v %v", es, err)
	}
	_, f, err := atCentral.OpenFile(ctx, parent, es[0].Files[0].ID)
	if err != nil {
		t.Fatalf("the file on central: %v", err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != content {
		t.Errorf("the file on central reads %q", got)
	}
	if err := atCentral.Tick(ctx, pupil, id, true); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	es, err = atSchool.ClassEntries(ctx, teacher, class.ID)
	if err != nil || len(es) != 1 || es[0].Ticks != 1 {
		t.Errorf("the teacher at school counts %+v %v", es, err)
	}
}
