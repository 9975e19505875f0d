package sync_test

import (
	"slices"
	"testing"

	"preau/appliance/auth"
	"preau/appliance/sites"
)

// Sites across the link: the city's, chosen by the DSI on central,
// reach the school and its pupils see them, but for the one meant for
// another school; a teacher's site reaches central, where the parent sees
// it from home.
func TestSitesBothWays(t *testing.T) {
	p := newPair(t, "ecole-s")
	ctx := t.Context()
	class, teacher, pupil, parent := p.family(t, "CE2", "s")
	dsi, err := p.central.Auth.UserByLogin(ctx, "dsi")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.central.Register.CreateSchool(ctx, "ecole-t", "École T"); err != nil {
		t.Fatal(err)
	}
	atCentral, atSchool := sites.NewCentralService(p.central.DB, p.central.Register), sites.NewService(p.school.DB, p.school.Register)
	for _, d := range []sites.Draft{
		{URL: "http://127.0.0.1:9/pour-tous", Title: "Pour toutes les écoles"},
		{URL: "http://127.0.0.1:9/pour-s", Title: "Pour l'école S", Schools: []string{"ecole-s"}},
		{URL: "http://127.0.0.1:9/pour-t", Title: "Pour l'école T", Schools: []string{"ecole-t"}},
		{URL: "http://127.0.0.1:9/cm2", Title: "Pour les CM2", Level: "CM2"},
	} {
		if _, err := atCentral.Add(ctx, dsi, d); err != nil {
			t.Fatalf("%s: %v", d.Title, err)
		}
	}
	if _, err := atSchool.Add(ctx, teacher, sites.Draft{URL: "http://127.0.0.1:9/ce2", Title: "Le site du CE2", ClassID: class.ID}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	syncOnce(t, p.school)

	titles := func(s *sites.Service, u auth.User) []string {
		t.Helper()
		list, err := s.For(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, site := range list {
			out = append(out, site.Title)
		}
		slices.Sort(out)
		return out
	}
	// Central's demo has the city's Cité des sciences, for every school.
	want := []string{"Cité des sciences", "Le site du CE2", "Pour l'école S", "Pour toutes les écoles"}
	if got := titles(atSchool, pupil); !slices.Equal(got, want) {
		t.Errorf("the pupil at school sees %q, want %q", got, want)
	}
	// The staff see the city's for every level of their school.
	staff := []string{"Cité des sciences", "Le site du CE2", "Pour l'école S", "Pour les CM2", "Pour toutes les écoles"}
	if got := titles(atSchool, teacher); !slices.Equal(got, staff) {
		t.Errorf("the teacher at school sees %q, want %q", got, staff)
	}
	if got := titles(atCentral, parent); !slices.Equal(got, want) {
		t.Errorf("the parent on central sees %q, want %q", got, want)
	}
}
