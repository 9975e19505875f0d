package sync_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"preau/appliance/auth"
)

// The language a person chooses is an account field: chosen at school it
// reaches central (the page from home is in it), chosen from home it
// reaches the school, and a sync refusal reads in the reader's language.
func TestLanguageFollowsThePerson(t *testing.T) {
	p := newPair(t, "ecole-l")
	ctx := t.Context()
	u, err := p.school.Auth.CreateUser(ctx, auth.NewUser{Login: "parent.l", Display: "Parent L", Profile: auth.Parent,
		SchoolID: "ecole-l", Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.school.Auth.SetLanguage(ctx, u.ID, "ar"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	if got := p.central.User("parent.l").Language; got != "ar" {
		t.Fatalf("central holds language %q, want ar", got)
	}
	_, body := p.central.Get(p.central.ClientAs("parent.l"), "/accueil")
	if !strings.Contains(body, `<html lang="ar" dir="rtl">`) {
		t.Errorf("the parent's page from home is not in Arabic")
	}
	if err := p.central.Auth.SetLanguage(ctx, u.ID, "en"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	if got := p.school.User("parent.l").Language; got != "en" {
		t.Errorf("the school holds language %q after the change on central, want en", got)
	}
	// A node's request without its key, refused in the language asked.
	req, _ := http.NewRequest("POST", p.central.URL+"/api/v1/sync/pull", strings.NewReader("{}"))
	req.Header.Set("Accept-Language", "ar")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != http.StatusUnauthorized || e.Error != "يجب تعريف العقدة" {
		t.Errorf("pull without a key: %d %q", resp.StatusCode, e.Error)
	}
}
