package auth

import (
	"slices"
	"sync"
	"time"
)

// readCache keeps what the hot read paths read lately: every request's
// session and user, the classes, pupils and school a dashboard shows. Each
// write committed by this process empties it (store.OnCommit), so a cached
// value is what the database would answer, except after a write by another
// process: `preau user` commands write beside a running server, and their
// changes (a disabled account, a reset password) show within maxAge. A
// teacher's dashboard went from 19 % to about 35 % of a bare handler's rate
// with it (docs/performance.md).
type readCache struct {
	mu      sync.Mutex
	gen     uint64 // committed writes so far
	entries map[string]cacheEntry
	now     func() time.Time // time.Now; tests move it
}

type cacheEntry struct {
	v       any
	expires time.Time
}

// maxAge bounds how stale another process's write can leave a value.
const maxAge = time.Second

// maxCached bounds the cache; entries are a session or an account, or a
// class's or family's short list.
const maxCached = 4096

func (c *readCache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *readCache) get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.clock().Before(e.expires) {
		return nil, false
	}
	return e.v, true
}

// generation is taken before reading from the store, and put only keeps
// what was read if no write committed since.
func (c *readCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *readCache) put(key string, gen uint64, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= maxCached {
		c.entries = make(map[string]cacheEntry)
	}
	c.entries[key] = cacheEntry{v: v, expires: c.clock().Add(maxAge)}
}

// invalidate runs after every committed write.
func (c *readCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// cached returns the value of kind for id, read by load on a miss. Errors,
// apperr.ErrNotFound included, are not kept.
func cached[T any](c *readCache, kind, id string, load func() (T, error)) (T, error) {
	key := kind + "\x00" + id
	if v, ok := c.get(key); ok {
		return v.(T), nil
	}
	gen := c.generation()
	v, err := load()
	if err == nil {
		c.put(key, gen, v)
	}
	return v, err
}

// cachedList is cached for a list, copied on the way out so that a caller
// sorting or appending to it cannot change the cached one.
func cachedList[E any](c *readCache, kind, id string, load func() ([]E, error)) ([]E, error) {
	l, err := cached(c, kind, id, load)
	return slices.Clone(l), err
}
