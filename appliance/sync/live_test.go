package sync_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	psync "preau/appliance/sync"
)

// wait sends a school's live request itself and returns central's answer.
func wait(t *testing.T, central *apptest.App, school *apptest.App, hold time.Duration) psync.WaitAnswer {
	t.Helper()
	link, err := school.Sync.Client.Link(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(psync.WaitRequest{NodeEpoch: school.DB.Node().Epoch, Epoch: link.CentralEpoch, Since: link.PullSeq,
		HoldMs: hold.Milliseconds(), BeatMs: 200})
	req, _ := http.NewRequestWithContext(t.Context(), "POST", central.URL+"/api/v1/sync/wait", bytes.NewReader(body))
	req.Header.Set("Authorization", "Node "+link.SchoolID+":"+link.NodeKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans psync.WaitAnswer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("wait: %d %v", resp.StatusCode, err)
	}
	return ans
}

// Central wakes a school's live request for the rows a pull would give it
// (its scope, global rows, the accounts its audience takes), and for
// nothing else.
func TestLiveRequestWakesOnlyForTheSchoolsRows(t *testing.T) {
	t.Parallel() // it mostly waits
	p := newPair(t, "ecole-a")
	b := enrollSchool(t, p.central, "ecole-b")
	ctx := t.Context()
	classB, _ := b.Auth.CreateClass(ctx, "ecole-b", "CM1", "CM1")
	pupilB, err := b.Auth.CreateUser(ctx, auth.NewUser{FirstName: "Léo", LastName: "Roy", Profile: auth.Pupil, SchoolID: "ecole-b",
		ClassIDs: []string{classB.ID}})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, b)
	syncOnce(t, p.school)
	cases := []struct {
		name  string
		write func()
		wake  bool
	}{
		{"another school's account", func() {
			p.central.Auth.CreateUser(ctx, auth.NewUser{Login: "prof.a", Display: "Prof A", Profile: auth.Teacher, SchoolID: "ecole-a"})
		}, false},
		{"a global account", func() {
			p.central.Auth.CreateUser(ctx, auth.NewUser{Login: "dsi.2", Display: "DSI 2", Profile: auth.DSI})
		}, true},
		{"a parent of ecole-a linked to a pupil of ecole-b", func() {
			parent, err := p.central.Auth.CreateUser(ctx, auth.NewUser{Login: "maman.roy", Display: "Maman Roy", Profile: auth.Parent,
				SchoolID: "ecole-a"})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.central.Auth.LinkChild(ctx, parent.ID, pupilB.ID); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, c := range cases {
		done := make(chan psync.WaitAnswer, 1)
		start := time.Now()
		go func() { done <- wait(t, p.central, b, 1500*time.Millisecond) }()
		time.Sleep(300 * time.Millisecond) // the request is held
		c.write()
		ans := <-done
		took := time.Since(start)
		if woke := ans.Pending > 0; woke != c.wake || (woke && took > time.Second) {
			t.Errorf("%s: answer %+v after %s, want woken: %v", c.name, ans, took, c.wake)
		}
		syncOnce(t, b)
	}
}
