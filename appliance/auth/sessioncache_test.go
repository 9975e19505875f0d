package auth

import (
	"context"
	"testing"
)

// A cached session answers without the store, and any committed write makes
// the next lookup read the store again: a change to the account or to the
// session shows at once.
func TestSessionCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u, err := s.CreateUser(ctx, NewUser{Login: "prof", Display: "Prof", Profile: Teacher, SchoolID: "ecole-a",
		Password: "premier-mdp", MustChange: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := s.NewSession(ctx, u, "")
	sess, err := s.Session(ctx, tok)
	if err != nil || !sess.User.MustChange {
		t.Fatalf("first lookup: %+v, %v", sess.User, err)
	}
	if _, ok := s.sessions.get(hashSecret(tok)); !ok {
		t.Fatal("session not cached after a lookup")
	}

	if err := s.ChangePassword(ctx, u.ID, "premier-mdp", "nouveau-mdp"); err != nil {
		t.Fatal(err)
	}
	if sess, _ := s.Session(ctx, tok); sess.User.MustChange {
		t.Fatal("cached session still asks for a new password after the change")
	}
	if err := s.SetSessionChild(ctx, tok, "enfant-1"); err != nil {
		t.Fatal(err)
	}
	if sess, _ := s.Session(ctx, tok); sess.ChildID != "enfant-1" {
		t.Fatalf("child = %q after SetSessionChild, want enfant-1", sess.ChildID)
	}
}

// A session read before a write committed is not cached after it.
func TestSessionCacheDropsReadsThatRacedAWrite(t *testing.T) {
	var c sessionCache
	gen := c.generation()
	c.invalidate() // a write commits while the session is being read
	c.put("h", gen, Session{ChildID: "ancien"})
	if _, ok := c.get("h"); ok {
		t.Fatal("a session read before a write was cached")
	}
	c.put("h", c.generation(), Session{ChildID: "nouveau"})
	if s, ok := c.get("h"); !ok || s.ChildID != "nouveau" {
		t.Fatalf("get = %+v, %v", s, ok)
	}
}
