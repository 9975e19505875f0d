package store

import (
	"sync"
	"time"
)

// Clock is a hybrid logical clock: 48 bits of Unix milliseconds and a 16-bit
// counter in one int64, so that values compare as integers and stay ahead of
// every value this node has seen, even when the wall clock steps back.
type Clock struct {
	mu   sync.Mutex
	last int64
	now  func() time.Time
}

// NewClock starts a clock that never goes below last (the persisted value).
func NewClock(last int64) *Clock {
	return &Clock{last: last, now: time.Now}
}

// MakeHLC packs a time and a counter.
func MakeHLC(t time.Time, counter uint16) int64 {
	return t.UnixMilli()<<16 | int64(counter)
}

// HLCTime is the wall-clock part of an HLC value.
func HLCTime(h int64) time.Time {
	return time.UnixMilli(h >> 16)
}

// Now returns a value greater than any returned or observed before.
func (c *Clock) Now() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	pt := MakeHLC(c.now(), 0)
	if pt > c.last {
		c.last = pt
	} else {
		c.last++
	}
	return c.last
}

// Observe moves the clock past a value received from a peer, so the next
// local write orders after it.
func (c *Clock) Observe(remote int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if remote > c.last {
		c.last = remote
	}
}

// Last is the highest value handed out or observed.
func (c *Clock) Last() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}
