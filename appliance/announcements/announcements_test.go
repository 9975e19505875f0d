package announcements_test

import (
	"errors"
	"testing"
	"time"

	"preau/appliance/announcements"
	"preau/appliance/apperr"
	"preau/appliance/apptest"
)

// The DSI announces on central, within the rules; each person sees what
// is for their school, from its start to its end; ending it takes it
// away at once.
func TestAnnouncements(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	ctx := t.Context()
	s := announcements.NewCentralService(a.DB, a.Register)
	dsi, teacher, parent := a.User("dsi"), a.User("enseignant"), a.User("parent")
	if err := a.Register.CreateSchool(ctx, "ecole-b", "École B"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for name, d := range map[string]announcements.Draft{
		"no kind":          {Kind: "fete", Title: "Fête", Ends: now.Add(time.Hour)},
		"no title":         {Kind: announcements.Info, Title: "  ", Ends: now.Add(time.Hour)},
		"no end":           {Kind: announcements.Info, Title: "Info"},
		"end before start": {Kind: announcements.Info, Title: "Info", Starts: now.Add(2 * time.Hour), Ends: now.Add(time.Hour)},
		"over already":     {Kind: announcements.Info, Title: "Info", Starts: now.Add(-2 * time.Hour), Ends: now.Add(-time.Hour)},
		"a year":           {Kind: announcements.Info, Title: "Info", Ends: now.Add(365 * 24 * time.Hour)},
		"unknown school":   {Kind: announcements.Info, Title: "Info", Ends: now.Add(time.Hour), Schools: []string{"ecole-z"}},
	} {
		if _, err := s.Create(ctx, dsi, d); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := s.Create(ctx, teacher, announcements.Draft{Kind: announcements.Info, Title: "Info", Ends: now.Add(time.Hour)}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("a teacher announcing: %v", err)
	}
	atSchool := announcements.NewService(a.DB, a.Register)
	if _, err := atSchool.Create(ctx, dsi, announcements.Draft{Kind: announcements.Info, Title: "Info", Ends: now.Add(time.Hour)}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("the DSI announcing at a school: %v", err)
	}
	list, _ := s.All(ctx, dsi)
	before := len(list) // the demo's

	forB, err := s.Create(ctx, dsi, announcements.Draft{Kind: announcements.Outage, Title: "Coupure à l'école B", Ends: now.Add(time.Hour), Schools: []string{"ecole-b"}})
	if err != nil {
		t.Fatal(err)
	}
	ours, err := s.Create(ctx, dsi, announcements.Draft{Kind: announcements.Maintenance, Title: "Maintenance chez nous", Ends: now.Add(time.Hour),
		Schools: []string{teacher.SchoolID}})
	if err != nil {
		t.Fatal(err)
	}
	later, err := s.Create(ctx, dsi, announcements.Draft{Kind: announcements.Info, Title: "Plus tard", Starts: now.Add(24 * time.Hour), Ends: now.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(list []announcements.Announcement) map[string]bool {
		out := map[string]bool{}
		for _, x := range list {
			out[x.ID] = true
		}
		return out
	}
	for _, u := range []struct {
		name string
		id   func() map[string]bool
		all  func() map[string]bool
	}{
		{"teacher", func() map[string]bool { l, _ := s.Current(ctx, teacher); return ids(l) }, func() map[string]bool { l, _ := s.For(ctx, teacher); return ids(l) }},
		{"parent", func() map[string]bool { l, _ := s.Current(ctx, parent); return ids(l) }, func() map[string]bool { l, _ := s.For(ctx, parent); return ids(l) }},
	} {
		current, coming := u.id(), u.all()
		if !current[ours.ID] || current[forB.ID] || current[later.ID] {
			t.Errorf("%s's current announcements: %v (ours %s, B's %s, later %s)", u.name, current, ours.ID, forB.ID, later.ID)
		}
		if !coming[later.ID] || coming[forB.ID] {
			t.Errorf("%s's announcements not ended: %v", u.name, coming)
		}
	}
	if all, _ := s.All(ctx, dsi); len(all) != before+3 {
		t.Errorf("the DSI's list: %d, want %d", len(all), before+3)
	}
	if err := s.End(ctx, teacher, ours.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("a teacher ending it: %v", err)
	}
	if err := s.End(ctx, dsi, ours.ID); err != nil {
		t.Fatal(err)
	}
	if current, _ := s.Current(ctx, teacher); ids(current)[ours.ID] {
		t.Error("an ended announcement is still shown")
	}
	if err := s.End(ctx, dsi, "inconnue"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("ending no announcement: %v", err)
	}
}
