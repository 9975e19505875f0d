package sync_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"slices"
	"testing"

	"preau/appliance/auth"
	"preau/appliance/news"
	"preau/appliance/web"
)

// News across the link: the city's, published by the DSI on central,
// reaches the school's staff; the school's, with its picture, reaches the
// parents who read from home.
func TestNewsBothWays(t *testing.T) {
	p := newPair(t, "ecole-n")
	ctx := t.Context()
	class, teacher, pupil, parent := p.family(t, "CP", "n")
	dsi, err := p.central.Auth.UserByLogin(ctx, "dsi")
	if err != nil {
		t.Fatal(err)
	}
	atCentral, atSchool := news.NewCentralService(p.central.DB, p.central.Register), news.NewService(p.school.DB, p.school.Register)
	if _, err := atCentral.Publish(ctx, dsi, news.Draft{Title: "Coupure réseau", Audience: news.Staff}); err != nil {
		t.Fatal(err)
	}
	var pic bytes.Buffer
	png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 2, 2)))
	picture := web.Upload{Name: "cp.png", Size: int64(pic.Len()), Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(pic.Bytes())), nil }}
	id, err := atSchool.Publish(ctx, teacher, news.Draft{Title: "Le CP au musée", Audience: news.Class, ClassID: class.ID, Image: &picture})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	syncOnce(t, p.school)
	if err := p.school.Sync.Client.TransferBlobs(ctx); err != nil {
		t.Fatal(err)
	}

	titles := func(s *news.Service, u auth.User) []string {
		items, err := s.For(ctx, u, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, it.Title)
		}
		return out
	}
	if got := titles(atSchool, teacher); !slices.Contains(got, "Coupure réseau") || !slices.Contains(got, "Le CP au musée") {
		t.Errorf("the teacher at school reads %q", got)
	}
	if got := titles(atSchool, pupil); len(got) != 1 || got[0] != "Le CP au musée" {
		t.Errorf("the pupil at school reads %q, not the staff's", got)
	}
	if got := titles(atCentral, parent); len(got) != 1 || got[0] != "Le CP au musée" {
		t.Fatalf("the parent on central reads %q", got)
	}
	_, f, err := atCentral.OpenImage(ctx, parent, id)
	if err != nil {
		t.Fatalf("the picture on central: %v", err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, pic.Bytes()) {
		t.Error("the picture on central differs")
	}
}
