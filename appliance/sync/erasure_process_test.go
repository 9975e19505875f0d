package sync_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// An erasure across two real processes: a parent writes to the teacher
// (mail), answers a note of the liaison book (which notifies the teacher
// with the parent's name) and signs it; once all of it reached central,
// the school's director erases the parent. Afterwards the parent signs in
// neither at school nor at home, and nothing the teacher reads of what
// they wrote names them any more, on either node: the note's follow-up,
// the mail, the notifications, as JSON and as the page.
func TestProcessesErasure(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	t.Parallel()
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
	classID, _ := seedClass(t, schoolDir, "ecole-v")
	addDirector(t, schoolDir, "ecole-v")
	school := apptest.StartServerEnv(t, bin, schoolDir, []string{"PREAU_SCHOOL_ID=ecole-v", "PREAU_CENTRAL_URL=http://" + centralAddr,
		"PREAU_SYNC_INTERVAL=1s", "PREAU_CENTRAL_ENROLLMENT_TOKEN=" + enr.Token})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("central's log:\n%.4000s\nschool's log:\n%.4000s", central.Output(), school.Output())
		}
	})

	teacher := login(t, school.URL, "prof.v", "motdepasse")
	parent := login(t, school.URL, "parent.v", "motdepasse")
	var me struct{ ID string }
	parent.call("GET", "/api/v1/me", nil, &me)
	var note struct{ ID string }
	if status := teacher.call("POST", "/api/v1/liaison", map[string]any{"class_id": classID, "title": "Sortie", "signature": true,
		"reply_allowed": true}, &note); status != 201 {
		t.Fatalf("note: %d", status)
	}
	var notes []struct {
		ID      string
		PupilID string `json:"pupil_id"`
	}
	parent.call("GET", "/api/v1/liaison", nil, &notes)
	if len(notes) == 0 {
		t.Fatal("the parent sees no note")
	}
	if status := parent.call("POST", "/api/v1/liaison/"+note.ID+"/reply", map[string]string{"pupil_id": notes[0].PupilID,
		"body": "Je peux accompagner."}, nil); status != 201 {
		t.Fatalf("reply: %d", status)
	}
	if status := parent.call("POST", "/api/v1/liaison/"+note.ID+"/ack", nil, nil); status != 200 {
		t.Fatalf("sign: %d", status)
	}
	if status := parent.call("POST", "/api/v1/mail/messages", map[string]any{"to": []string{"prof.v@preau.local"}, "subject": "Rendez-vous",
		"text": "Bonjour, pouvons-nous nous voir mardi ?"}, nil); status != 201 {
		t.Fatalf("mail: %d", status)
	}

	// What the teacher reads, on a node, that would name the parent;
	// nothing while the teacher's account has not reached it.
	read := func(base string) string {
		c, _ := tryLogin(t, base, "prof.v", "motdepasse")
		if c == nil {
			return ""
		}
		var all strings.Builder
		for _, path := range []string{"/api/v1/liaison/" + note.ID, "/api/v1/mail/messages", "/api/v1/notifications", "/carnet/" + note.ID} {
			all.WriteString(rawGet(t, c, path))
		}
		return all.String()
	}
	eventually(t, "the parent's writing did not reach central", time.Minute, func() bool {
		return strings.Contains(read(central.URL), "parent.v") && strings.Contains(read(central.URL), "Je peux accompagner")
	})
	if !strings.Contains(read(school.URL), "parent.v") {
		t.Fatal("the teacher does not see the parent's name at school before the erasure: the test checks nothing")
	}

	director := login(t, school.URL, "directeur.v", "motdepasse")
	var erased struct {
		ID     string
		Erased bool
	}
	if status := director.call("POST", "/api/v1/users/"+me.ID+"/erase", nil, &erased); status != 200 || !erased.Erased || erased.ID != me.ID {
		t.Fatalf("erase: %d %+v", status, erased)
	}
	cannotLogIn := func(base string) bool {
		return (&client{t: t, base: base}).call("POST", "/api/v1/session", map[string]string{"login": "parent.v", "password": "motdepasse"}, nil) == 401
	}
	if !cannotLogIn(school.URL) {
		t.Error("the erased parent still signs in at school")
	}
	if status := parent.call("GET", "/api/v1/me", nil, nil); status != 401 {
		t.Errorf("the erased parent's session still works at school: %d", status)
	}
	if got := read(school.URL); strings.Contains(got, "parent.v") || !strings.Contains(got, "Je peux accompagner") {
		t.Errorf("the school still names the erased parent, or lost the reply it keeps:\n%.2000s", got)
	}
	eventually(t, "the erasure did not reach central", time.Minute, func() bool {
		return cannotLogIn(central.URL) && !strings.Contains(read(central.URL), "parent.v")
	})
	// What the school keeps by duty stays, naming nobody: the reply.
	if got := read(central.URL); !strings.Contains(got, "Je peux accompagner") {
		t.Errorf("central lost the reply the liaison book keeps:\n%.2000s", got)
	}
}

// addDirector writes, before the school's server starts, its director
// "directeur.v" with the password "motdepasse".
func addDirector(t *testing.T, dir, school string) {
	t.Helper()
	_, db, users := apptest.OpenDataDir(t, dir, map[string]string{"school.id": school})
	defer db.Close()
	if _, err := users.CreateUser(context.Background(), auth.NewUser{Login: "directeur.v", Display: "directeur.v", Profile: auth.Director,
		SchoolID: school, Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
}

// rawGet is what a GET answers, as text.
func rawGet(t *testing.T, c *client, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := apiClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
