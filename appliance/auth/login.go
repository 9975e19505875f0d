package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/i18n"
	"preau/appliance/store"
)

// Service is the accounts and login service shared by pages, API and CLI.
type Service struct {
	db         *store.DB
	hasher     *Hasher
	throttle   *Throttle
	sessionTTL time.Duration
	pupilIdle  time.Duration // see LimitPupilSessions
	dayEnd     time.Duration
	log        *slog.Logger
	now        func() time.Time // time.Now; tests move it
	clients    clientLogins     // see ClientLogin
	onSession  []func(User)     // see OnSession

	// Logins counts login attempts by outcome, for /metrics.
	Logins struct{ OK, Failed, Throttled atomic.Int64 }
}

// NewService builds the service. hashConcurrency bounds simultaneous argon2id
// hashes; sessionTTL is how long a session lives. Pupils' sessions have the
// limits of the configuration's defaults until LimitPupilSessions.
func NewService(db *store.DB, log *slog.Logger, hashConcurrency int, sessionTTL time.Duration) *Service {
	s := &Service{db: db, hasher: NewHasher(hashConcurrency), throttle: NewThrottle(), sessionTTL: sessionTTL,
		pupilIdle: time.Hour, dayEnd: 18 * time.Hour, log: log, now: time.Now}
	return s
}

// LimitPupilSessions sets how pupils' sessions end, sooner than adults':
// classroom computers are shared, and a session left open lets the next
// child in as someone else. A pupil's session ends after idle without
// activity, and at dayEnd (past midnight, local time) when opened before it
// that day; opened after it, it lasts idle at most.
func (s *Service) LimitPupilSessions(idle, dayEnd time.Duration) {
	s.pupilIdle, s.dayEnd = idle, dayEnd
}

// Hasher is the service's bounded password hasher.
func (s *Service) Hasher() *Hasher { return s.hasher }

// Login errors; their text is shown to users.
var (
	ErrBadCredentials = apperr.Text("auth.err.bad_credentials")
	ErrBadPicture     = apperr.Text("auth.err.bad_picture")
	ErrBadCard        = apperr.Text("auth.err.bad_card")
	ErrDisabled       = apperr.Text("auth.err.disabled")
)

// ThrottledError says how long to wait before trying again.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string { return e.message().String() }

// Localize says how long to wait in lang.
func (e *ThrottledError) Localize(lang i18n.Lang) string { return e.message().In(lang) }

func (e *ThrottledError) message() i18n.Message {
	minutes := int(e.Wait.Round(time.Minute) / time.Minute)
	return i18n.M("auth.err.throttled", "Count", max(minutes, 1))
}

// LoginPassword checks a login and password. Failures lock the login after a
// few tries, whether an account has it or not (not yet, perhaps: an account
// created on central, still on its way): locking only existing accounts
// would tell an attacker which logins exist.
func (s *Service) LoginPassword(ctx context.Context, login, password, ip string) (User, error) {
	u, err := s.UserByLogin(ctx, login)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return User{}, err
	}
	return s.attempt(ctx, loginKey(login), ip, func() (User, bool, error) {
		// An unknown login has no hash: Verify still spends one hash on it,
		// so the answer takes as long as for a known login.
		ok, verr := s.hasher.Verify(ctx, u.passwordHash, password)
		return u, ok && u.ID != "", verr
	}, ErrBadCredentials)
}

// loginKey is the throttle's key for a login, whatever its case and spaces.
func loginKey(login string) string {
	return "login:" + strings.ToLower(strings.TrimSpace(login))
}

// LoginPicture checks a pupil's picture sequence.
func (s *Service) LoginPicture(ctx context.Context, userID string, seq []int, ip string) (User, error) {
	return s.attempt(ctx, "user:"+userID, ip, func() (User, bool, error) {
		u, err := s.User(ctx, userID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return u, false, err
		}
		if err == nil && u.Profile != Pupil {
			err = apperr.ErrNotFound
		}
		ok, verr := s.hasher.Verify(ctx, u.pictureHash, encodeSequence(seq))
		return u, ok && err == nil, verr
	}, ErrBadPicture)
}

// LoginCard checks the secret of a printed QR login card.
func (s *Service) LoginCard(ctx context.Context, secret, ip string) (User, error) {
	// A card secret names no account: only the address is throttled, so one
	// bad scanner cannot lock every card of the school.
	return s.attempt(ctx, "", ip, func() (User, bool, error) {
		secret = strings.TrimSpace(secret)
		if i := strings.LastIndexByte(secret, '/'); i >= 0 { // a scanner may type the whole URL
			secret = secret[i+1:]
		}
		if secret == "" {
			return User{}, false, nil
		}
		us, err := s.queryUsers(ctx, "qr_hash = ? AND profile = 'pupil'", hashSecret(secret))
		if err != nil || len(us) == 0 {
			return User{}, false, err
		}
		return us[0], true, nil
	}, ErrBadCard)
}

// attempt runs check under the throttle for key and ip, and counts the result.
func (s *Service) attempt(ctx context.Context, key, ip string, check func() (User, bool, error), bad error) (User, error) {
	if wait := s.throttle.Blocked(key, ip); wait > 0 {
		s.Logins.Throttled.Add(1)
		return User{}, &ThrottledError{Wait: wait}
	}
	u, ok, err := check()
	if err != nil {
		return User{}, err
	}
	if !ok {
		s.throttle.Fail(key, ip)
		s.Logins.Failed.Add(1)
		return User{}, bad
	}
	if u.Disabled {
		s.Logins.Failed.Add(1)
		return User{}, ErrDisabled
	}
	s.throttle.Succeed(key)
	s.Logins.OK.Add(1)
	return u, nil
}

// Session is an open session and its user.
type Session struct {
	User    User
	ChildID string // the child a parent is looking at
	Expires time.Time
	hash    string
}

// NewSession opens a session for u and returns its secret token.
func (s *Service) NewSession(ctx context.Context, u User, ip string) (string, error) {
	token := randomSecret()
	now := s.now()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions(token_hash, user_id, created_at, expires_at, ip, last_seen) VALUES (?, ?, ?, ?, ?, ?)`,
			hashSecret(token), u.ID, now.Unix(), s.sessionEnd(u, now).Unix(), ip, now.Unix())
		return err
	})
	if err == nil {
		for _, f := range s.onSession {
			f(u)
		}
	}
	return token, err
}

// OnSession calls f with the account of every session opened from now on,
// whichever way its holder proved who they are (password, pictures, card,
// the API's token): the usage statistics count connections there. f runs
// on the login's request and must be quick.
func (s *Service) OnSession(f func(User)) { s.onSession = append(s.onSession, f) }

// sessionEnd is when a session u opens at now ends, whatever its activity.
func (s *Service) sessionEnd(u User, now time.Time) time.Time {
	end := now.Add(s.sessionTTL)
	if u.Profile != Pupil {
		return end
	}
	y, m, d := now.In(time.Local).Date()
	dayEnd := time.Date(y, m, d, int(s.dayEnd/time.Hour), int(s.dayEnd%time.Hour/time.Minute), 0, 0, time.Local)
	if !now.Before(dayEnd) {
		dayEnd = now.Add(s.pupilIdle)
	}
	if dayEnd.Before(end) {
		return dayEnd
	}
	return end
}

// activityEvery is how often a pupil's session records its activity: each
// request reads the session, and writing it every time would put every page
// behind the single writer. The idle limit is then counted from up to this
// much before the last request.
func (s *Service) activityEvery() time.Duration {
	return min(time.Minute, s.pupilIdle/2)
}

// ErrNoSession means the token is unknown, expired, or its account disabled.
var ErrNoSession = apperr.Text("auth.err.no_session")

// Session returns the open session for a token. A pupil's session also
// ends after the idle limit; reading it records its activity.
func (s *Service) Session(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrNoSession
	}
	hash := hashSecret(token)
	key := "session\x00" + hash
	now := s.now()
	if v, ok := s.db.Cache().Get(key); ok && now.Before(v.(Session).Expires) {
		return v.(Session), nil
	}
	gen := s.db.Cache().Generation()
	var sess Session
	var userID string
	var expires, seen int64
	sess.hash = hash
	err := s.db.Reader().QueryRowContext(ctx, "SELECT user_id, child_id, expires_at, last_seen FROM sessions WHERE token_hash = ?", sess.hash).
		Scan(&userID, &sess.ChildID, &expires, &seen)
	if err != nil || now.Unix() >= expires {
		return Session{}, ErrNoSession
	}
	sess.Expires = time.Unix(expires, 0)
	u, err := s.User(ctx, userID)
	if err != nil || u.Disabled {
		return Session{}, ErrNoSession
	}
	sess.User = u
	if u.Profile == Pupil {
		last := time.Unix(seen, 0)
		if !now.Before(last.Add(s.pupilIdle)) {
			return Session{}, ErrNoSession
		}
		if now.Sub(last) >= s.activityEvery() {
			// A failed write only leaves the activity to the next request.
			if s.touchSession(ctx, hash, now) == nil {
				last = time.Unix(now.Unix(), 0)
			}
		}
		if idle := last.Add(s.pupilIdle); idle.Before(sess.Expires) {
			sess.Expires = idle
		}
	}
	s.db.Cache().Put(key, gen, sess)
	return sess, nil
}

// touchSession records a session's activity.
func (s *Service) touchSession(ctx context.Context, hash string, now time.Time) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE sessions SET last_seen = ? WHERE token_hash = ?", now.Unix(), hash)
		return err
	})
}

// SetSessionChild records which child a parent is looking at.
func (s *Service) SetSessionChild(ctx context.Context, token, childID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE sessions SET child_id = ? WHERE token_hash = ?", childID, hashSecret(token))
		return err
	})
}

// EndSession logs a session out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashSecret(token))
		return err
	})
}

// EndUserSessions logs out every session of a user (password reset, disabling).
func (s *Service) EndUserSessions(ctx context.Context, userID string) error {
	return s.endSessions(ctx, userID, "")
}

// endSessions logs out a user's sessions but the one whose hash is keep.
func (s *Service) endSessions(ctx context.Context, userID, keep string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash != ?", userID, keep)
		return err
	})
}

// PurgeSessions deletes expired sessions and old login failures.
func (s *Service) PurgeSessions(ctx context.Context) error {
	s.throttle.Sweep()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", s.now().Unix())
		return err
	})
}

func randomSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret stores high-entropy secrets (session tokens, card secrets): they
// need no slow hash, only not to be usable if the database leaks.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Pictures is the picture-password grid, in order; the sequence stores indexes.
var Pictures = []struct{ Key string }{
	{"soleil"}, {"chat"}, {"arbre"},
	{"voiture"}, {"pomme"}, {"etoile"},
	{"poisson"}, {"maison"}, {"ballon"},
}

// PictureLength is how many pictures a picture password has.
const PictureLength = 3

func encodeSequence(seq []int) string {
	parts := make([]string, len(seq))
	for i, n := range seq {
		parts[i] = strconv.Itoa(n)
	}
	return "pictures:" + strings.Join(parts, ",")
}

// ValidSequence checks a picture sequence: PictureLength distinct pictures.
func ValidSequence(seq []int) bool {
	if len(seq) != PictureLength {
		return false
	}
	seen := map[int]bool{}
	for _, n := range seq {
		if n < 0 || n >= len(Pictures) || seen[n] {
			return false
		}
		seen[n] = true
	}
	return true
}

// RandomSequence draws a picture password.
func RandomSequence() []int {
	b := make([]byte, 16)
	rand.Read(b)
	perm := make([]int, len(Pictures))
	for i := range perm {
		perm[i] = i
	}
	for i := len(perm) - 1; i > 0; i-- {
		j := int(b[i]) % (i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm[:PictureLength]
}

// SetPicture gives a pupil a picture password.
func (s *Service) SetPicture(ctx context.Context, pupilID string, seq []int) error {
	if !ValidSequence(seq) {
		return apperr.New(apperr.ErrInvalid, "auth.err.distinct_pictures", "N", PictureLength)
	}
	hash, err := s.hasher.Hash(ctx, encodeSequence(seq))
	if err != nil {
		return err
	}
	return s.update(ctx, pupilID, "picture_hash = ?", hash)
}

// NewCard issues a pupil a new QR login card and returns its secret; any
// previous card stops working.
func (s *Service) NewCard(ctx context.Context, pupilID string) (string, error) {
	secret := randomSecret()
	if err := s.update(ctx, pupilID, "qr_hash = ?", hashSecret(secret)); err != nil {
		return "", err
	}
	return secret, nil
}
