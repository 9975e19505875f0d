package store

import (
	"slices"
	"sync"
	"time"
)

// ReadCache keeps what the hot read paths read lately: every request's
// session and user, the classes, pupils and school a dashboard shows. The
// node's services share the database's one (DB.Cache), each under its own
// kinds of key. Each write committed by this process empties it, so a cached
// value is what the database would answer, except after a write by another
// process: `preau user` commands write beside a running server, and their
// changes (a disabled account, a reset password) show within CacheMaxAge. A
// teacher's dashboard went from 19 % to about 35 % of a bare handler's rate
// with it (docs/performance.md).
type ReadCache struct {
	mu      sync.Mutex
	gen     uint64 // committed writes so far
	entries map[string]cacheEntry
	Now     func() time.Time // time.Now when nil; tests move it
}

type cacheEntry struct {
	v       any
	expires time.Time
}

// CacheMaxAge bounds how stale another process's write can leave a value.
const CacheMaxAge = time.Second

// maxCached bounds the cache; entries are a session or an account, or a
// class's or family's short list.
const maxCached = 4096

// Cache is the node's read cache, emptied by every write this DB commits.
func (db *DB) Cache() *ReadCache { return &db.cache }

func (c *ReadCache) clock() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Get returns the value cached under key, if any and fresh.
func (c *ReadCache) Get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.clock().Before(e.expires) {
		return nil, false
	}
	return e.v, true
}

// Generation is taken before reading from the store, and Put only keeps
// what was read if no write committed since.
func (c *ReadCache) Generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// Put caches v under key, unless a write committed since gen.
func (c *ReadCache) Put(key string, gen uint64, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= maxCached {
		c.entries = make(map[string]cacheEntry)
	}
	c.entries[key] = cacheEntry{v: v, expires: c.clock().Add(CacheMaxAge)}
}

// invalidate runs after every committed write.
func (c *ReadCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// Cached returns the value of kind for id, read by load on a miss. Errors,
// ErrNotFound included, are not kept.
func Cached[T any](c *ReadCache, kind, id string, load func() (T, error)) (T, error) {
	key := kind + "\x00" + id
	if v, ok := c.Get(key); ok {
		return v.(T), nil
	}
	gen := c.Generation()
	v, err := load()
	if err == nil {
		c.Put(key, gen, v)
	}
	return v, err
}

// CachedList is Cached for a list, copied on the way out so that a caller
// sorting or appending to it cannot change the cached one.
func CachedList[E any](c *ReadCache, kind, id string, load func() ([]E, error)) ([]E, error) {
	l, err := Cached(c, kind, id, load)
	return slices.Clone(l), err
}
