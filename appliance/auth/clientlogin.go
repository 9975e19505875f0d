package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"
)

// Mail and calendar programs send a login and password with every
// connection (IMAP, SMTP) or every request (CalDAV), and a phone's mail
// app opens several connections a minute; checking a password is meant to
// be slow (argon2id, 50 to 100 ms here). ClientLogin remembers a success
// for a few minutes, for the programs of every feature alike.

// clientLoginTTL is how long a success is remembered.
const clientLoginTTL = 5 * time.Minute

// maxClientLogins bounds what is remembered: past it, a flood of logins
// starts the memory again rather than grow it.
const maxClientLogins = 10_000

// clientLogins remembers the logins and passwords that were right, by a
// keyed hash of both: the key is the process's own, so that the memory of
// the server tells nothing of the passwords.
type clientLogins struct {
	once sync.Once
	key  []byte
	mu   sync.Mutex
	seen map[[32]byte]rememberedLogin
}

type rememberedLogin struct {
	user    string
	hash    string // the account's password hash when it was right: a new password forgets it
	expires time.Time
}

func (c *clientLogins) digest(login, password string) [32]byte {
	c.once.Do(func() {
		c.key = make([]byte, 32)
		rand.Read(c.key)
	})
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(login))
	m.Write([]byte{0})
	m.Write([]byte(password))
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// ClientLogin checks a login and password as LoginPassword does, once per
// clientLoginTTL for a program that sends them again and again: a success
// remembered stands while the account keeps its login, its password and
// is enabled.
func (s *Service) ClientLogin(ctx context.Context, login, password, ip string) (User, error) {
	key := s.clients.digest(loginKey(login), password)
	s.clients.mu.Lock()
	r, ok := s.clients.seen[key]
	s.clients.mu.Unlock()
	if ok && s.now().Before(r.expires) {
		u, err := s.UserByLogin(ctx, login)
		if err == nil && u.ID == r.user && u.passwordHash == r.hash && !u.Disabled {
			s.Logins.OK.Add(1)
			return u, nil
		}
	}
	u, err := s.LoginPassword(ctx, login, password, ip)
	if err != nil {
		return u, err
	}
	s.clients.mu.Lock()
	defer s.clients.mu.Unlock()
	if s.clients.seen == nil || len(s.clients.seen) >= maxClientLogins {
		s.clients.seen = make(map[[32]byte]rememberedLogin)
	}
	s.clients.seen[key] = rememberedLogin{user: u.ID, hash: u.passwordHash, expires: s.now().Add(clientLoginTTL)}
	return u, nil
}
