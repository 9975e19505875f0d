package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A mail or calendar program's login is checked once, then remembered
// while the account keeps its password and is enabled; a wrong password
// is checked every time.
func TestClientLogin(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u, err := s.CreateUser(ctx, NewUser{Login: "prof", Display: "Prof", Profile: Teacher, SchoolID: "ecole-a", Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.ClientLogin(ctx, "prof", "motdepasse", "192.0.2.1"); err != nil || got.ID != u.ID {
		t.Fatalf("first login: %v %v", got.ID, err)
	}
	// Every hashing slot taken: a login that needs a hash waits for one.
	busy := func(f func(ctx context.Context)) {
		for range cap(s.hasher.slots) {
			s.hasher.slots <- struct{}{}
		}
		defer func() {
			for range cap(s.hasher.slots) {
				<-s.hasher.slots
			}
		}()
		ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		f(ctx)
	}
	busy(func(ctx context.Context) {
		if got, err := s.ClientLogin(ctx, "PROF ", "motdepasse", "192.0.2.1"); err != nil || got.ID != u.ID {
			t.Errorf("remembered login hashed again or refused: %v", err)
		}
		if _, err := s.ClientLogin(ctx, "prof", "faux", "192.0.2.1"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a wrong password was not checked: %v", err)
		}
	})
	if err := s.SetPassword(ctx, u.ID, "nouveau-mdp", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClientLogin(ctx, "prof", "motdepasse", "192.0.2.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password after a reset: %v", err)
	}
	if _, err := s.ClientLogin(ctx, "prof", "nouveau-mdp", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClientLogin(ctx, "prof", "nouveau-mdp", "192.0.2.1"); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled account: %v", err)
	}
}
