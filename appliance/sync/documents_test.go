package sync_test

import (
	"io"
	"strings"
	"testing"

	"preau/appliance/documents"
)

// Documents across the link: a file shared at school reaches central with
// its content, where the parent downloads it from home; moved to a folder
// on central by its teacher, it is filed so at school after the next sync.
func TestDocumentsBothWays(t *testing.T) {
	p := newPair(t, "ecole-d")
	ctx := t.Context()
	class, teacher, pupil, parent := p.family(t, "CE2", "d")
	limits := documents.Limits{MaxFile: 1 << 20, UserQuota: 1 << 20, SchoolQuota: 1 << 20}
	atSchool := documents.NewService(p.school.DB, p.school.Register, limits)
	content := "La Loire est le plus long fleuve de France."
	d, _, err := atSchool.Share(ctx, teacher, documents.Upload{ClassID: class.ID, Name: "fleuves.txt", Size: -1, Content: strings.NewReader(content)})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	syncOnce(t, p.school)
	if err := p.school.Sync.Client.TransferBlobs(ctx); err != nil { // the file follows its row
		t.Fatal(err)
	}

	atCentral := documents.NewService(p.central.DB, p.central.Register, limits)
	_, f, err := atCentral.Open(ctx, parent, d.ID)
	if err != nil {
		t.Fatalf("the parent on central: %v", err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != content {
		t.Errorf("the file on central reads %q", got)
	}
	if _, err := atCentral.Move(ctx, teacher, d.ID, "Géographie"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	ds, err := atSchool.List(ctx, pupil, class.ID)
	if err != nil || len(ds) != 1 || ds[0].Folder != "Géographie" {
		t.Errorf("the pupil at school sees %+v %v", ds, err)
	}
}
