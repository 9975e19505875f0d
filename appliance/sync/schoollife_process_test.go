package sync_test

import (
	"context"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/roster"
)

// School life across two real processes: a note written at school is
// signed by the parent at home (central), and the teacher sees the
// signature; the pupil's tick, the parent's justification and the class's
// event travel likewise; while the fibre is out both sides keep working,
// and nothing written on either side is lost once it is back.
func TestProcessesSchoolLife(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	t.Parallel() // its servers mostly wait on each other
	bin := apptest.Binary(t)
	centralDir := t.TempDir()
	centralAddr := apptest.FreeAddr(t)
	central := apptest.StartServerEnv(t, bin, centralDir, []string{"PREAU_ROLE=central", "PREAU_DEMO=true", "PREAU_HTTP_ADDR=" + centralAddr})
	dsi := login(t, central.URL, "dsi", "demo")
	var enr struct {
		Token string `json:"enrollment_token"`
	}
	if status := dsi.call("POST", "/api/v1/schools", map[string]string{"id": "ecole-v", "name": "École V"}, &enr); status != 201 {
		t.Fatalf("add school: %d", status)
	}
	schoolDir := t.TempDir()
	classID, pupilID := seedClass(t, schoolDir, "ecole-v")
	link := newCutter(t, centralAddr)
	school := apptest.StartServerEnv(t, bin, schoolDir, []string{"PREAU_SCHOOL_ID=ecole-v", "PREAU_CENTRAL_URL=" + link.URL(),
		"PREAU_SYNC_INTERVAL=1s", "PREAU_CENTRAL_ENROLLMENT_TOKEN=" + enr.Token})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("central's log:\n%.4000s\nschool's log:\n%.4000s", central.Output(), school.Output())
		}
	})

	// At school: a note asking a signature, homework, the register, an
	// outing in the class's agenda.
	teacher := login(t, school.URL, "prof.v", "motdepasse")
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	today := time.Now().Format("2006-01-02")
	var note, work struct{ ID string }
	if status := teacher.call("POST", "/api/v1/liaison", map[string]any{"class_id": classID, "title": "Sortie", "signature": true}, &note); status != 201 {
		t.Fatalf("note: %d", status)
	}
	if status := teacher.call("POST", "/api/v1/homework", map[string]any{"class_id": classID, "due": tomorrow, "title": "Lire"}, &work); status != 201 {
		t.Fatalf("homework: %d", status)
	}
	if status := teacher.call("POST", "/api/v1/attendance", map[string]any{"class_id": classID, "date": today, "half_day": "am",
		"absent": []string{pupilID}}, nil); status != 200 {
		t.Fatalf("register: %d", status)
	}
	if status := teacher.call("POST", "/api/v1/events", map[string]any{"calendar": "class", "class_id": classID, "title": "Musée",
		"all_day": true, "start": tomorrow}, nil); status != 201 {
		t.Fatalf("event: %d", status)
	}

	// At home, once it all arrived; the accounts too, with their passwords.
	eventually(t, "the parent's account did not reach central", time.Minute, func() bool {
		return (&client{t: t, base: central.URL}).call("POST", "/api/v1/session", map[string]string{"login": "parent.v", "password": "motdepasse"}, nil) == 200
	})
	parent := login(t, central.URL, "parent.v", "motdepasse")
	pupil := login(t, central.URL, "eleve.v", "motdepasse")
	eventually(t, "the school's writes did not reach the parent at home", time.Minute, func() bool {
		return listed(parent, "/api/v1/liaison", note.ID) && listed(parent, "/api/v1/homework", work.ID) &&
			listLen(parent, "/api/v1/absences") == 1 && titled(parent, "/api/v1/events?from="+tomorrow+"&to="+tomorrow, "Musée")
	})

	// The fibre goes out. At home the parent signs and justifies, the
	// pupil ticks, the parent notes an appointment; at school the teacher
	// writes another note. Each side answers its own people.
	link.down.Store(true)
	if status := parent.call("POST", "/api/v1/liaison/"+note.ID+"/ack", nil, nil); status != 200 {
		t.Fatalf("sign at home: %d", status)
	}
	var abs []struct{ ID string }
	parent.call("GET", "/api/v1/absences", nil, &abs)
	if status := parent.call("POST", "/api/v1/absences/"+abs[0].ID+"/justify", map[string]string{"reason": "illness", "comment": "Fièvre"}, nil); status != 200 {
		t.Fatalf("justify at home: %d", status)
	}
	if status := pupil.call("POST", "/api/v1/homework/"+work.ID+"/done", nil, nil); status != 200 {
		t.Fatalf("tick at home: %d", status)
	}
	if status := parent.call("POST", "/api/v1/events", map[string]any{"calendar": "personal", "title": "Orthophoniste",
		"all_day": true, "start": tomorrow}, nil); status != 201 {
		t.Fatalf("own event at home: %d", status)
	}
	var second struct{ ID string }
	if status := teacher.call("POST", "/api/v1/liaison", map[string]any{"class_id": classID, "title": "Piscine", "signature": true}, &second); status != 201 {
		t.Fatalf("a note during the outage: %d", status)
	}
	time.Sleep(3 * time.Second) // a few sync rounds fail on the cut link

	// The fibre is back: everything meets.
	link.down.Store(false)
	eventually(t, "the signature, the tick and the justification did not reach the school", time.Minute, func() bool {
		var f struct{ Acks, Total int }
		teacher.call("GET", "/api/v1/liaison/"+note.ID, nil, &f)
		var works []struct {
			ID    string
			Ticks *int
		}
		teacher.call("GET", "/api/v1/homework", nil, &works)
		ticked := false
		for _, w := range works {
			ticked = ticked || (w.ID == work.ID && w.Ticks != nil && *w.Ticks == 1)
		}
		var abs []struct{ Justified bool }
		teacher.call("GET", "/api/v1/absences", nil, &abs)
		return f.Acks == 1 && f.Total == 1 && ticked && len(abs) == 1 && abs[0].Justified
	})
	eventually(t, "the note written during the outage did not reach home", time.Minute, func() bool {
		return listed(parent, "/api/v1/liaison", second.ID)
	})
	schoolParent := login(t, school.URL, "parent.v", "motdepasse")
	if !titled(schoolParent, "/api/v1/events?from="+tomorrow+"&to="+tomorrow, "Orthophoniste") {
		t.Error("the parent's own event written at home did not reach the school")
	}
}

// seedClass writes, before the school's server starts, a class with its
// teacher, a pupil and the pupil's parent, all with the password
// "motdepasse"; it returns the class's and the pupil's ids.
func seedClass(t *testing.T, dir, school string) (string, string) {
	t.Helper()
	ctx := context.Background()
	_, db, users := apptest.OpenDataDir(t, dir, map[string]string{"school.id": school})
	defer db.Close()
	reg := roster.NewService(db, users)
	if err := reg.EnsureSchool(ctx, school, "École V"); err != nil {
		t.Fatal(err)
	}
	class, err := reg.CreateClass(ctx, school, "CE2", "CE2")
	if err != nil {
		t.Fatal(err)
	}
	user := func(login string, profile auth.Profile, classes, children []string) string {
		u, err := reg.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: login, Display: login, Profile: profile, SchoolID: school,
			Password: "motdepasse"}, ClassIDs: classes, ChildIDs: children})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	user("prof.v", auth.Teacher, []string{class.ID}, nil)
	pupil := user("eleve.v", auth.Pupil, []string{class.ID}, nil)
	user("parent.v", auth.Parent, nil, []string{pupil})
	return class.ID, pupil
}

// listed reports whether a list the API returns holds the id.
func listed(c *client, path, id string) bool {
	var list []struct{ ID string }
	c.call("GET", path, nil, &list)
	for _, x := range list {
		if x.ID == id {
			return true
		}
	}
	return false
}

// listLen is how many items a list the API returns holds.
func listLen(c *client, path string) int {
	var list []struct{ ID string }
	c.call("GET", path, nil, &list)
	return len(list)
}

// titled reports whether a list the API returns has an item titled so.
func titled(c *client, path, title string) bool {
	var list []struct{ Title string }
	c.call("GET", path, nil, &list)
	for _, x := range list {
		if x.Title == title {
			return true
		}
	}
	return false
}
