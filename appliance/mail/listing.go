package mail

import (
	"context"
	"slices"
	"sync"
	"time"
)

// The listings of the folders IMAP clients have open, kept in memory: a
// client re-reads its folder after every change (its own STORE or APPEND,
// another client's, the webmail's), and reading a thousand copies through
// SQLite costs far more than checking that none changed. A listing holds
// while the change log shows no write to its owner's copies since it was
// read (a change arrived by sync included); a UID given here, which the
// change log does not see, forgets it at once.

// maxListings bounds the memory: the folders most recently open.
const maxListings = 32

type listing struct {
	mb   Mailbox
	seq  int64 // the change log's end when it was read
	used time.Time
}

type listingKey struct{ owner, folder string }

type listings struct {
	mu  sync.Mutex
	m   map[listingKey]*listing
	gen uint64 // counts forgets: a listing read before one is not kept
}

// get is a folder's listing, when one is kept, and the change log's end
// it was read at.
func (l *listings) get(owner, folder string) (Mailbox, int64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	x, ok := l.m[listingKey{owner, folder}]
	if !ok {
		return Mailbox{}, 0, false
	}
	x.used = time.Now()
	mb := x.mb
	mb.Entries = slices.Clone(x.mb.Entries) // the caller's to keep
	return mb, x.seq, true
}

// generation is the count of forgets, read before a listing is read.
func (l *listings) generation() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.gen
}

// put keeps a listing read at the change log's end seq, unless a forget
// came since gen.
func (l *listings) put(owner, folder string, mb Mailbox, seq int64, gen uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if gen != l.gen {
		return
	}
	if l.m == nil {
		l.m = map[listingKey]*listing{}
	}
	if len(l.m) >= maxListings {
		var oldest listingKey
		var at time.Time
		for k, x := range l.m {
			if at.IsZero() || x.used.Before(at) {
				oldest, at = k, x.used
			}
		}
		delete(l.m, oldest)
	}
	l.m[listingKey{owner, folder}] = &listing{mb: Mailbox{Validity: mb.Validity, NextUID: mb.NextUID, Entries: slices.Clone(mb.Entries)}, seq: seq, used: time.Now()}
}

// forget drops a folder's listing.
func (l *listings) forget(owner, folder string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gen++
	delete(l.m, listingKey{owner, folder})
}

// forgetAll drops every listing: every UID changed (a restore).
func (l *listings) forgetAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gen++
	clear(l.m)
}

// changeLogEnd is the change log's last entry.
func (s *Service) changeLogEnd(ctx context.Context) (int64, error) {
	var seq int64
	err := s.db.Reader().QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&seq)
	return seq, err
}

// copiesChanged reports whether any copy of the owner's was written after
// the change log's entry seq.
func (s *Service) copiesChanged(ctx context.Context, owner string, seq int64) (bool, error) {
	var changed bool
	err := s.db.Reader().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM changes c JOIN mail_copies m ON m.id = c.row_id
		WHERE c.seq > ? AND c.tbl = 'mail_copies' AND m.owner_id = ?)`, seq, owner).Scan(&changed)
	return changed, err
}
