package sync_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"preau/appliance/auth"
)

// A notification follows its person: the note a teacher writes at school
// tells the parent, who reads it at home (central), marks it read there,
// and the school learns it is read.
func TestNotificationsFollowThePerson(t *testing.T) {
	p := newPair(t, "ecole-t")
	ctx := t.Context()
	class, err := p.school.Register.CreateClass(ctx, "ecole-t", "CE2", "CE2")
	if err != nil {
		t.Fatal(err)
	}
	p.user(t, "prof.t", auth.Teacher, []string{class.ID}, nil)
	pupil := p.user(t, "eleve.t", auth.Pupil, []string{class.ID}, nil)
	p.user(t, "parent.t", auth.Parent, nil, []string{pupil.ID})
	resp, body := p.school.Do(p.school.ClientAs("prof.t"), "POST", "/api/v1/liaison", "application/json",
		`{"class_id":"`+class.ID+`","title":"Sortie","signature":true}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("note: %d %s", resp.StatusCode, body)
	}
	syncOnce(t, p.school)

	type notice struct {
		ID, Title, URL string
		Read           bool
	}
	list := func(app interface {
		Get(*http.Client, string) (*http.Response, string)
	}, c *http.Client) []notice {
		resp, body := app.Get(c, "/api/v1/notifications")
		var out []notice
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil {
			t.Fatalf("notifications: %d %s", resp.StatusCode, body)
		}
		return out
	}
	home := p.central.ClientAs("parent.t")
	got := list(p.central, home)
	if len(got) != 1 || got[0].Title != "Mot à signer : « Sortie »" || got[0].Read {
		t.Fatalf("the parent at home reads %+v", got)
	}
	if resp, _ := p.central.Do(home, "POST", "/api/v1/notifications/"+got[0].ID+"/read", "", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("read: %d", resp.StatusCode)
	}
	syncOnce(t, p.school)
	if got := list(p.school, p.school.ClientAs("parent.t")); len(got) != 1 || !got[0].Read {
		t.Errorf("the school's copy: %+v", got)
	}
}
