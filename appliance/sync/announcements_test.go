package sync_test

import (
	"slices"
	"testing"
	"time"

	"preau/appliance/announcements"
	"preau/appliance/auth"
)

// What the DSI announces on central reaches the schools by sync, and each
// school's people see only what is for their school: school A's teacher
// sees the maintenance for every school and A's outage, not B's.
func TestAnnouncementsReachTheirSchools(t *testing.T) {
	c := newCity(t)
	ctx := t.Context()
	dsi, err := c.central.Auth.CreateUser(ctx, auth.NewUser{Login: "dsi.annonces", Display: "DSI", Profile: auth.DSI, Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	atCentral := announcements.NewCentralService(c.central.DB, c.central.Register)
	ends := time.Now().Add(time.Hour)
	var ids []string
	for _, d := range []announcements.Draft{
		{Kind: announcements.Maintenance, Title: "Maintenance partout", Ends: ends},
		{Kind: announcements.Outage, Title: "Panne à l'école A", Ends: ends, Schools: []string{"ecole-a"}},
		{Kind: announcements.Outage, Title: "Panne à l'école B", Ends: ends, Schools: []string{"ecole-b"}},
	} {
		a, err := atCentral.Create(ctx, dsi, d)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	syncOnce(t, c.school)
	atSchool := announcements.NewService(c.school.DB, c.school.Register)
	shown, err := atSchool.Current(ctx, c.teacherA)
	if err != nil {
		t.Fatal(err)
	}
	has := func(id string) bool {
		return slices.ContainsFunc(shown, func(a announcements.Announcement) bool { return a.ID == id })
	}
	if !has(ids[0]) || !has(ids[1]) || has(ids[2]) {
		t.Errorf("school A's teacher sees %+v; want the city's and A's, not B's", shown)
	}
	// Ended on central, it leaves the school's pages at the next sync.
	if err := atCentral.End(ctx, dsi, ids[1]); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c.school)
	if shown, _ = atSchool.Current(ctx, c.teacherA); has(ids[1]) {
		t.Error("the outage ended on central is still shown at the school")
	}
}
