package auth

import "sync"

// sessionCache keeps the sessions read since the last write to the store, so
// that every request of a visit does not read its session and user again
// (two of a dashboard page's six queries). Each committed write empties it
// (store.OnCommit), and the data directory lock keeps other processes from
// writing, so a cached session is what the database would answer; Session
// still checks the expiry on every hit.
type sessionCache struct {
	mu      sync.Mutex
	gen     uint64 // committed writes so far
	entries map[string]Session
}

// maxCachedSessions bounds the cache: a school has a few hundred people.
const maxCachedSessions = 4096

func (c *sessionCache) get(hash string) (Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.entries[hash]
	return s, ok
}

// generation is taken before reading a session from the store, and put only
// keeps what was read if no write committed since.
func (c *sessionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *sessionCache) put(hash string, gen uint64, s Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= maxCachedSessions {
		c.entries = make(map[string]Session)
	}
	c.entries[hash] = s
}

// invalidate runs after every committed write.
func (c *sessionCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}
