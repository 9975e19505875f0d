package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

func newService(t *testing.T) *Service {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx, Schema); err != nil {
		t.Fatal(err)
	}
	return NewService(db, nil, 2, time.Hour)
}

func TestHasher(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(2)
	enc, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("not argon2id at OWASP's minimum: %s", enc)
	}
	if ok, _ := h.Verify(ctx, enc, "correct horse"); !ok {
		t.Fatal("right secret refused")
	}
	if ok, _ := h.Verify(ctx, enc, "wrong horse"); ok {
		t.Fatal("wrong secret accepted")
	}
	if ok, _ := h.Verify(ctx, "", ""); ok {
		t.Fatal("empty hash matched")
	}
	weak := "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)
	if ok, _ := h.Verify(ctx, weak, "x"); ok {
		t.Fatal("hash below the minimum parameters accepted")
	}
}

// At most n hashes run at once, whatever the number of callers.
func TestHasherBoundsConcurrency(t *testing.T) {
	h := NewHasher(2)
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.acquire(context.Background())
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			h.release()
		}()
	}
	wg.Wait()
	if peak.Load() > 2 {
		t.Fatalf("%d hashes at once, limit 2", peak.Load())
	}
}

func TestThrottle(t *testing.T) {
	th := NewThrottle()
	now := time.Now()
	th.now = func() time.Time { return now }
	for i := 0; i < th.PerAccount; i++ {
		if th.Blocked("login:a", "10.0.0.1") > 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		th.Fail("login:a", "10.0.0.1")
	}
	if th.Blocked("login:a", "10.0.0.2") <= 0 {
		t.Fatal("account not blocked after its limit, from another address")
	}
	if th.Blocked("login:b", "10.0.0.3") > 0 {
		t.Fatal("another account blocked")
	}
	now = now.Add(th.Window + time.Second)
	if th.Blocked("login:a", "10.0.0.1") > 0 {
		t.Fatal("still blocked after the window")
	}
	// Per address: many accounts from one address.
	for i := 0; i < th.PerAddress; i++ {
		th.Fail("login:x"+string(rune('a'+i%26)), "10.0.0.9")
	}
	if th.Blocked("login:new", "10.0.0.9") <= 0 {
		t.Fatal("address not blocked after its limit")
	}
}

func TestPasswordLoginAndThrottling(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u, err := s.CreateUser(ctx, NewUser{Login: "Marie.Curie", FirstName: "Marie", LastName: "Curie", Profile: Teacher, SchoolID: "ecole-a", Password: "radium1898"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Login != "marie.curie" {
		t.Fatalf("login not normalised: %q", u.Login)
	}
	if _, err := s.LoginPassword(ctx, "MARIE.CURIE ", "radium1898", "1.2.3.4"); err != nil {
		t.Fatalf("login is case-insensitive: %v", err)
	}
	if _, err := s.LoginPassword(ctx, "marie.curie", "polonium", "1.2.3.4"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := s.LoginPassword(ctx, "personne", "x", "1.2.3.4"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown login must look like a wrong password: %v", err)
	}
	for i := 0; i < 5; i++ {
		s.LoginPassword(ctx, "marie.curie", "faux", "5.6.7.8")
	}
	_, err = s.LoginPassword(ctx, "marie.curie", "radium1898", "5.6.7.8")
	var te *ThrottledError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "réessayez dans") {
		t.Fatalf("no throttling after 5 failures: %v", err)
	}
	// An account that has not arrived yet (from central) is throttled by its
	// login like any other; once the window has passed, its owner gets in.
	now := time.Now()
	s.throttle.now = func() time.Time { return now }
	for i := 0; i < 6; i++ {
		s.LoginPassword(ctx, "pas.encore", "secret-partage", "9.9.9.9")
	}
	if _, err := s.CreateUser(ctx, NewUser{Login: "pas.encore", Display: "Arrivé", Profile: Teacher, SchoolID: "ecole-a", Password: "secret-partage"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoginPassword(ctx, "pas.encore", "secret-partage", "9.9.9.10"); !errors.As(err, &te) {
		t.Fatalf("a login not arrived yet is not throttled by its string: %v", err)
	}
	now = now.Add(s.throttle.Window + time.Second)
	if _, err := s.LoginPassword(ctx, "pas.encore", "secret-partage", "9.9.9.10"); err != nil {
		t.Fatalf("account still locked after the window: %v", err)
	}
	if s.Logins.Throttled.Load() == 0 || s.Logins.Failed.Load() == 0 || s.Logins.OK.Load() == 0 {
		t.Fatal("login counters not kept")
	}
}

// A login that exists and one that does not get the same answers, throttled
// alike, and the unknown one still costs a verification through the bounded
// hasher: neither the answer nor its time tells whether an account exists.
func TestUnknownLoginLooksLikeAKnownOne(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	if _, err := s.CreateUser(ctx, NewUser{Login: "connu", Display: "Connu", Profile: Teacher, SchoolID: "ecole-a", Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= s.throttle.PerAccount; i++ {
		_, known := s.LoginPassword(ctx, "connu", "faux", "10.0.0.1")
		_, unknown := s.LoginPassword(ctx, " Inconnu", "faux", "10.0.0.2")
		if known == nil || unknown == nil || known.Error() != unknown.Error() {
			t.Fatalf("attempt %d: known login %v, unknown login %v", i+1, known, unknown)
		}
	}
	var te *ThrottledError
	if _, err := s.LoginPassword(ctx, "INCONNU", "faux", "10.0.0.3"); !errors.As(err, &te) {
		t.Fatalf("unknown login not throttled by its string from another address: %v", err)
	}

	// With every hashing slot taken, an unknown login waits for one like a
	// known login does, instead of answering at once.
	if _, err := s.CreateUser(ctx, NewUser{Login: "autre", Display: "Autre", Profile: Teacher, SchoolID: "ecole-a", Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
	for range cap(s.hasher.slots) {
		s.hasher.acquire(ctx)
	}
	defer func() {
		for range cap(s.hasher.slots) {
			s.hasher.release()
		}
	}()
	for _, login := range []string{"autre", "personne"} {
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		_, err := s.LoginPassword(short, login, "faux", "10.0.0.4")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("login %s answered without verifying a hash: %v", login, err)
		}
	}
}

func TestDisabledAccount(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u, err := s.CreateUser(ctx, NewUser{Login: "prof", Display: "Prof", Profile: Teacher, SchoolID: "ecole-a", Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := s.NewSession(ctx, u, "")
	if _, err := s.Session(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatal("disabling did not end the session")
	}
	if _, err := s.LoginPassword(ctx, "prof", "motdepasse", ""); !errors.Is(err, ErrDisabled) {
		t.Fatalf("disabled account logged in: %v", err)
	}
	if _, err := s.LoginPassword(ctx, "prof", "faux", ""); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("a wrong password must not reveal the account is disabled: %v", err)
	}
	s.SetDisabled(ctx, u.ID, false)
	if _, err := s.LoginPassword(ctx, "prof", "motdepasse", ""); err != nil {
		t.Fatalf("re-enabled account refused: %v", err)
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u, err := s.CreateUser(ctx, NewUser{Login: "papa", Display: "P", Profile: Parent, SchoolID: "ecole-a", Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.NewSession(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.Session(ctx, tok)
	if err != nil || sess.User.ID != u.ID {
		t.Fatalf("session lookup: %v", err)
	}
	var stored int
	s.db.Reader().QueryRow("SELECT count(*) FROM sessions WHERE token_hash = ?", tok).Scan(&stored)
	if stored != 0 {
		t.Fatal("session token stored in clear")
	}
	if err := s.EndSession(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatal("ended session still valid")
	}
	// Expiry.
	s.sessionTTL = -time.Second
	tok, _ = s.NewSession(ctx, u, "")
	if _, err := s.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatal("expired session accepted")
	}
	s.PurgeSessions(ctx)
	s.db.Reader().QueryRow("SELECT count(*) FROM sessions").Scan(&stored)
	if stored != 0 {
		t.Fatalf("%d expired sessions left after purge", stored)
	}
}

// setClock makes the service, its throttle and its read cache tell the time
// by now.
func setClock(s *Service, now func() time.Time) {
	s.now, s.throttle.now, s.db.Cache().Now = now, now, now
}

// pupilAndAdult are a pupil and a teacher, each with a session opened at now.
func pupilAndAdult(t *testing.T, s *Service, at time.Time) (pupil, adult string) {
	t.Helper()
	ctx := context.Background()
	setClock(s, func() time.Time { return at })
	for _, n := range []NewUser{
		{FirstName: "Élève", LastName: "Test", Profile: Pupil, SchoolID: "ecole-a"},
		{FirstName: "Prof", LastName: "Test", Profile: Teacher, SchoolID: "ecole-a"},
	} {
		u, err := s.CreateUser(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.NewSession(ctx, u, "")
		if err != nil {
			t.Fatal(err)
		}
		if u.Profile == Pupil {
			pupil = tok
		} else {
			adult = tok
		}
	}
	return pupil, adult
}

// A pupil's session ends after the idle limit without activity; activity
// keeps it open, and is written at most once a minute. An adult's does not
// end.
func TestPupilSessionEndsWhenIdle(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	s.sessionTTL = 720 * time.Hour
	start := time.Date(2026, 11, 23, 8, 30, 0, 0, time.Local)
	pupil, adult := pupilAndAdult(t, s, start)
	now := start
	setClock(s, func() time.Time { return now })
	lastSeen := func() time.Time {
		var seen int64
		if err := s.db.Reader().QueryRow("SELECT last_seen FROM sessions WHERE token_hash = ?", hashSecret(pupil)).Scan(&seen); err != nil {
			t.Fatal(err)
		}
		return time.Unix(seen, 0)
	}
	at := func(d time.Duration, want error) {
		t.Helper()
		now = start.Add(d)
		if _, err := s.Session(ctx, pupil); !errors.Is(err, want) {
			t.Fatalf("pupil's session %v after opening: %v, want %v", d, err, want)
		}
		if _, err := s.Session(ctx, adult); err != nil {
			t.Fatalf("adult's session %v after opening: %v", d, err)
		}
	}
	at(30*time.Second, nil)
	if !lastSeen().Equal(start) {
		t.Fatalf("activity written %v after the last write: %v", 30*time.Second, lastSeen())
	}
	at(50*time.Minute, nil)
	if !lastSeen().Equal(start.Add(50 * time.Minute)) {
		t.Fatalf("activity not written after a minute: %v", lastSeen())
	}
	at(109*time.Minute, nil) // 59 minutes after the last activity
	at(169*time.Minute, ErrNoSession)
}

// A pupil's session ends at the end of the school day, or, opened after it,
// after the idle limit whatever its activity; an adult's session opened at
// the same time goes on.
func TestPupilSessionEndsWithSchoolDay(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	s.sessionTTL = 720 * time.Hour
	s.LimitPupilSessions(30*time.Minute, 16*time.Hour+30*time.Minute)
	for _, c := range []struct {
		name        string
		opened, end time.Time
	}{
		{"opened during the day", time.Date(2026, 11, 23, 16, 10, 0, 0, time.Local), time.Date(2026, 11, 23, 16, 30, 0, 0, time.Local)},
		{"opened after the day", time.Date(2026, 11, 23, 19, 0, 0, 0, time.Local), time.Date(2026, 11, 23, 19, 30, 0, 0, time.Local)},
	} {
		t.Run(c.name, func(t *testing.T) {
			pupil, adult := pupilAndAdult(t, s, c.opened)
			var now time.Time
			setClock(s, func() time.Time { return now })
			// Active every five minutes until the end.
			for now = c.opened.Add(5 * time.Minute); now.Before(c.end); now = now.Add(5 * time.Minute) {
				if _, err := s.Session(ctx, pupil); err != nil {
					t.Fatalf("pupil's session ended at %s: %v", now.Format("15:04"), err)
				}
			}
			now = c.end
			if _, err := s.Session(ctx, pupil); !errors.Is(err, ErrNoSession) {
				t.Fatalf("pupil's session still open at %s: %v", now.Format("15:04"), err)
			}
			if _, err := s.Session(ctx, adult); err != nil {
				t.Fatalf("adult's session ended at %s: %v", now.Format("15:04"), err)
			}
		})
	}
}

func TestPasswordChangeAndReset(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u, err := s.CreateUser(ctx, NewUser{Login: "prof", Display: "P", Profile: Teacher, SchoolID: "ecole-a", Password: "premier-mdp", MustChange: true})
	if err != nil {
		t.Fatal(err)
	}
	if !u.MustChange {
		t.Fatal("must-change not kept")
	}
	here, _ := s.NewSession(ctx, u, "")
	elsewhere, _ := s.NewSession(ctx, u, "")
	sess, err := s.Session(ctx, here)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ChangePassword(ctx, sess, "faux", "nouveau-mdp", ""); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong current password: %v", err)
	}
	if err := s.ChangePassword(ctx, sess, "premier-mdp", "court", ""); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("short password: %v", err)
	}
	if _, err := s.Session(ctx, elsewhere); err != nil {
		t.Fatalf("a refused change ended a session: %v", err)
	}
	if err := s.ChangePassword(ctx, sess, "premier-mdp", "nouveau-mdp", ""); err != nil {
		t.Fatal(err)
	}
	u, _ = s.User(ctx, u.ID)
	if u.MustChange {
		t.Fatal("must-change not cleared by a change")
	}
	// The change ends the account's other sessions (whoever knew the old
	// password is out) and keeps the one it was made from.
	if _, err := s.Session(ctx, here); err != nil {
		t.Fatalf("the session that changed the password was ended: %v", err)
	}
	if _, err := s.Session(ctx, elsewhere); !errors.Is(err, ErrNoSession) {
		t.Fatalf("another session survived the change: %v", err)
	}
	// A reset by the director ends them all.
	if err := s.SetPassword(ctx, u.ID, "reinitialise", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, here); err == nil {
		t.Fatal("reset did not end sessions")
	}
	if _, err := s.LoginPassword(ctx, "prof", "reinitialise", ""); err != nil {
		t.Fatal(err)
	}
}

// Guesses at the current password are throttled like logins, so that a
// stolen session cannot find the password by trying.
func TestPasswordChangeThrottled(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	now := time.Now()
	s.throttle.now = func() time.Time { return now }
	u, err := s.CreateUser(ctx, NewUser{Login: "prof", Display: "P", Profile: Teacher, SchoolID: "ecole-a", Password: "premier-mdp"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := s.NewSession(ctx, u, "")
	sess, _ := s.Session(ctx, tok)
	for i := 0; i < s.throttle.PerAccount; i++ {
		if err := s.ChangePassword(ctx, sess, "devine", "nouveau-mdp", "10.0.0.1"); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	err = s.ChangePassword(ctx, sess, "premier-mdp", "nouveau-mdp", "10.0.0.2")
	var te *ThrottledError
	if !errors.As(err, &te) || err.Error() != "trop de tentatives : réessayez dans 10 minutes" {
		t.Fatalf("current password not throttled after %d guesses: %v", s.throttle.PerAccount, err)
	}
	// The same secret as the login, under the same key: guesses here count
	// against logging in too, so the two together give no more tries.
	if _, err := s.LoginPassword(ctx, "prof", "premier-mdp", "10.0.0.3"); !errors.As(err, &te) {
		t.Fatalf("login not throttled by guesses at the current password: %v", err)
	}
	now = now.Add(s.throttle.Window + time.Second)
	if err := s.ChangePassword(ctx, sess, "premier-mdp", "nouveau-mdp", "10.0.0.2"); err != nil {
		t.Fatalf("still throttled after the window: %v", err)
	}
}

func TestPictureAndCardLogin(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u, err := s.CreateUser(ctx, NewUser{FirstName: "Léa", LastName: "Martin", Profile: Pupil, SchoolID: "ecole-a", Pictures: []int{0, 1, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if u.Login != "lea.martin" || !u.HasPicture {
		t.Fatalf("pupil: %+v", u)
	}
	if _, err := s.LoginPicture(ctx, u.ID, []int{0, 1, 4}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoginPicture(ctx, u.ID, []int{1, 0, 4}, ""); !errors.Is(err, ErrBadPicture) {
		t.Fatalf("order must matter: %v", err)
	}
	if _, err := s.LoginPassword(ctx, "lea.martin", "", ""); err == nil {
		t.Fatal("empty password accepted for an account without one")
	}
	secret, err := s.NewCard(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.LoginCard(ctx, "http://ecole.lan/carte/"+secret, ""); err != nil || got.ID != u.ID {
		t.Fatalf("card login from a scanned URL: %v", err)
	}
	renewed, _ := s.NewCard(ctx, u.ID)
	if _, err := s.LoginCard(ctx, secret, ""); !errors.Is(err, ErrBadCard) {
		t.Fatalf("old card still works: %v", err)
	}
	if _, err := s.LoginCard(ctx, renewed, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPicture(ctx, u.ID, []int{1, 1, 2}); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("repeated picture accepted: %v", err)
	}
	for i := 0; i < 50; i++ {
		if !ValidSequence(RandomSequence()) {
			t.Fatal("random sequence invalid")
		}
	}
}

func TestLoginsUniqueAndGenerated(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	a, _ := s.CreateUser(ctx, NewUser{FirstName: "Zoé", LastName: "N'Diaye", Profile: Parent, SchoolID: "ecole-a"})
	b, _ := s.CreateUser(ctx, NewUser{FirstName: "Zoe", LastName: "N'diaye", Profile: Parent, SchoolID: "ecole-a"})
	if a.Login != "zoe.n-diaye" || b.Login != "zoe.n-diaye2" {
		t.Fatalf("generated logins: %q %q", a.Login, b.Login)
	}
	if _, err := s.CreateUser(ctx, NewUser{Login: "ZOE.N-DIAYE", Display: "X", Profile: Parent, SchoolID: "ecole-a"}); !errors.Is(err, ErrLoginTaken) {
		t.Fatalf("duplicate login (other case) accepted: %v", err)
	}
	// All or nothing: a batch with one bad account writes none.
	before, _ := s.AllUsers(ctx)
	_, err := s.CreateUsers(ctx, []NewUser{{Display: "Bon", Profile: Teacher, SchoolID: "ecole-a"}, {Login: "zoe.n-diaye", Display: "Doublon", Profile: Teacher, SchoolID: "ecole-a"}}, nil)
	if err == nil {
		t.Fatal("batch with a duplicate accepted")
	}
	after, _ := s.AllUsers(ctx)
	if len(after) != len(before) {
		t.Fatalf("partial batch written: %d → %d accounts", len(before), len(after))
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"Léa-Marie": "lea-marie", " Éloïse ": "eloise", "N'Golo Kanté": "n-golo-kante", "Ærø": "r"} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
