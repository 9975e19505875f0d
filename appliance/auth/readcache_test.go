package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"preau/appliance/store"
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
	if _, ok := s.db.Cache().Get("session\x00" + hashSecret(tok)); !ok {
		t.Fatal("session not cached after a lookup")
	}

	if err := s.ChangePassword(ctx, sess, "premier-mdp", "nouveau-mdp", ""); err != nil {
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

// Another process writing to the database (preau user disable beside a
// running server) does not empty the cache: its change shows once the
// cached session is store.CacheMaxAge old.
func TestReadCacheBoundsAnotherProcessWrites(t *testing.T) {
	ctx := context.Background()
	server := newService(t)
	u, err := server.CreateUser(ctx, NewUser{Login: "prof", Display: "Prof", Profile: Teacher, SchoolID: "ecole-a", Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	server.db.Cache().Now = func() time.Time { return now }
	tok, _ := server.NewSession(ctx, u, "")
	if _, err := server.Session(ctx, tok); err != nil {
		t.Fatal(err)
	}

	db, err := store.Open(ctx, server.db.Dir(), nil) // the command's own connection
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := NewService(db, nil, 1, time.Hour).SetDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Session(ctx, tok); err != nil {
		t.Fatalf("within store.CacheMaxAge the cached session answers: %v", err)
	}
	now = now.Add(store.CacheMaxAge)
	if _, err := server.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatalf("session of an account disabled by another process after store.CacheMaxAge: %v", err)
	}
}
