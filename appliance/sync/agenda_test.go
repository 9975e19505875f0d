package sync_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"preau/appliance/auth"
)

// The agenda across the link: the class's event written at school shows in
// the parent's agenda at home; the parent's own, written at home, reaches
// the school's copy of their agenda.
func TestAgendaBothWays(t *testing.T) {
	p := newPair(t, "ecole-g")
	ctx := t.Context()
	class, err := p.school.Register.CreateClass(ctx, "ecole-g", "CP", "CP")
	if err != nil {
		t.Fatal(err)
	}
	p.user(t, "prof.g", auth.Teacher, []string{class.ID}, nil)
	pupil := p.user(t, "eleve.g", auth.Pupil, []string{class.ID}, nil)
	p.user(t, "parent.g", auth.Parent, nil, []string{pupil.ID})
	day := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	resp, body := p.school.Do(p.school.ClientAs("prof.g"), "POST", "/api/v1/events", "application/json",
		`{"calendar":"class","class_id":"`+class.ID+`","title":"Sortie au musée","all_day":true,"start":"`+day+`"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("class event: %d %s", resp.StatusCode, body)
	}
	syncOnce(t, p.school)
	_, body = p.central.Get(p.central.ClientAs("parent.g"), "/api/v1/events?from="+day+"&to="+day)
	if !strings.Contains(body, "Sortie au musée") {
		t.Fatalf("the parent at home does not see the class's outing: %s", body)
	}
	resp, body = p.central.Do(p.central.ClientAs("parent.g"), "POST", "/api/v1/events", "application/json",
		`{"calendar":"personal","title":"Vaccin","all_day":true,"start":"`+day+`"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("personal event at home: %d %s", resp.StatusCode, body)
	}
	syncOnce(t, p.school)
	if _, body = p.school.Get(p.school.ClientAs("parent.g"), "/api/v1/events?from="+day+"&to="+day); !strings.Contains(body, "Vaccin") {
		t.Errorf("the parent's own event did not reach the school: %s", body)
	}
}
