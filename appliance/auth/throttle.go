package auth

import (
	"sync"
	"time"
)

// Throttle limits failed logins per key (a login, known or not, or an
// account) and per address. A pupil's classmates share the classroom's
// address, so the address limit is looser.
type Throttle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
	now      func() time.Time

	Window     time.Duration
	PerAccount int
	PerAddress int
}

// NewThrottle allows 5 failures per account and 100 per address in 10
// minutes: a whole school reaches central from one address.
func NewThrottle() *Throttle {
	return &Throttle{failures: make(map[string][]time.Time), now: time.Now,
		Window: 10 * time.Minute, PerAccount: 5, PerAddress: 100}
}

// Blocked returns how long to wait before the next attempt, 0 when allowed.
// An empty key limits by address only (card secrets name no account).
func (t *Throttle) Blocked(key, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	wait := t.wait("ip:"+ip, t.PerAddress)
	if key != "" {
		wait = max(wait, t.wait("k:"+key, t.PerAccount))
	}
	return wait
}

func (t *Throttle) wait(k string, limit int) time.Duration {
	recent := t.recent(k)
	if len(recent) < limit {
		return 0
	}
	return recent[len(recent)-limit].Add(t.Window).Sub(t.now())
}

// recent drops failures older than the window and returns the rest.
func (t *Throttle) recent(k string) []time.Time {
	cutoff := t.now().Add(-t.Window)
	fs := t.failures[k]
	i := 0
	for i < len(fs) && fs[i].Before(cutoff) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, k)
	} else {
		t.failures[k] = fs
	}
	return fs
}

// Fail records a failed attempt.
func (t *Throttle) Fail(key, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.failures["ip:"+ip] = append(t.recent("ip:"+ip), now)
	if key != "" {
		t.failures["k:"+key] = append(t.recent("k:"+key), now)
	}
}

// Sweep forgets failures older than the window, so the map stays small.
func (t *Throttle) Sweep() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := range t.failures {
		t.recent(k)
	}
}

// Succeed forgets an account's failures once its owner got in.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, "k:"+key)
}
