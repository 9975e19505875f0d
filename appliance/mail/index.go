package mail

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"preau/appliance/store"
)

// The folders' index: what IMAP reads of the folders its clients look at,
// kept in memory. Every IMAP command asks for the selected folder's state
// (to number its messages, to tell a client what changed, to search its
// flags and dates); reading a folder of a thousand messages from SQLite
// took about 5 ms, and every write by anyone made SQLite's page cache
// start again, so most commands paid it. The index reads a folder once,
// then follows the store's change log: a copy that changed is read again,
// alone, the next time its folder is asked for. The log holds the changes
// of every writer, sync's included; those of another process (a `preau`
// command) are found within logPoll.

// indexBudget bounds the entries the index holds, about 300 bytes each:
// the folders least lately asked for are forgotten beyond it.
const indexBudget = 50_000

// logPoll is how stale the index may be after a write by another process:
// without a commit of this one, the log is read again after it.
const logPoll = time.Second

type index struct {
	svc     *Service
	commits atomic.Uint64 // committed writes of this process, counted by the store's hook

	mu      sync.Mutex
	seq     int64  // the change log's position read; -1 before the first read
	read    uint64 // commits when the log was last read
	readAt  time.Time
	folders map[string]map[string]*indexed // by owner, then folder
	held    int                            // entries in all folders
	tick    uint64                         // counts the asks, for the folders' ages
}

// indexed is one folder in the index. The index's mu guards stale, all
// and used; the folder's own mu its reading, so that two sessions of one
// person read it once, and others need not wait.
type indexed struct {
	mu    sync.Mutex
	mb    Mailbox // its Entries are never changed, but replaced
	ok    bool    // mb was read
	stale map[string]bool
	all   bool // read it all again
	used  uint64
	size  int // len(mb.Entries), as the index's held counts it
}

func newIndex(s *Service) *index {
	ix := &index{svc: s, seq: -1, folders: map[string]map[string]*indexed{}}
	s.db.OnCommit(func() { ix.commits.Add(1) })
	return ix
}

// mailbox is a folder's state, from the index when it holds it.
func (ix *index) mailbox(ctx context.Context, owner, folder string) (Mailbox, error) {
	ix.mu.Lock()
	if err := ix.follow(ctx); err != nil {
		ix.mu.Unlock()
		return Mailbox{}, err
	}
	f := ix.folders[owner][folder]
	if f == nil {
		f = &indexed{all: true}
		if ix.folders[owner] == nil {
			ix.folders[owner] = map[string]*indexed{}
		}
		ix.folders[owner][folder] = f
	}
	ix.tick++
	f.used = ix.tick
	ix.mu.Unlock()

	f.mu.Lock()
	defer f.mu.Unlock()
	ix.mu.Lock()
	stale, all := f.stale, f.all || !f.ok
	f.stale, f.all = nil, false
	ix.mu.Unlock()
	var err error
	switch {
	case all:
		var mb Mailbox
		if mb, err = ix.svc.readMailbox(ctx, owner, folder); err == nil {
			f.mb, f.ok = mb, true
		}
	case len(stale) > 0:
		err = ix.refresh(ctx, f, owner, folder, stale)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err != nil {
		f.all = true // what it was to read is read next time
		return Mailbox{}, err
	}
	if ix.folders[owner][folder] == f { // not forgotten meanwhile
		ix.held += len(f.mb.Entries) - f.size
		f.size = len(f.mb.Entries)
		ix.trim(f)
	}
	return f.mb, nil
}

// follow reads the change log since it was last read, when this process
// committed a write since or logPoll has passed, and marks the copies that
// changed stale in their owner's folders of the index. ix.mu is held.
func (ix *index) follow(ctx context.Context) error {
	commits := ix.commits.Load()
	if ix.seq >= 0 && commits == ix.read && time.Since(ix.readAt) < logPoll {
		return nil
	}
	db := ix.svc.db.Reader()
	if ix.seq < 0 || len(ix.folders) == 0 {
		// nothing held to keep current: the log's end is enough
		if err := db.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&ix.seq); err != nil {
			return err
		}
		ix.read, ix.readAt = commits, time.Now()
		return nil
	}
	seq, err := copyChanges(ctx, db, ix.seq, func(id, owner string) {
		if owner == "" { // a copy gone from the store: whose it was is not known
			ix.forgetAll()
			return
		}
		for _, f := range ix.folders[owner] {
			if f.stale == nil {
				f.stale = map[string]bool{}
			}
			f.stale[id] = true
		}
	})
	if err != nil {
		return err
	}
	ix.seq, ix.read, ix.readAt = seq, commits, time.Now()
	return nil
}

// copyChanges reads the store's change log after seq and calls f with
// each copy that changed and its owner ("" for a copy no longer in the
// store). It returns the log's position read.
func copyChanges(ctx context.Context, db *store.ReadPool, seq int64, f func(copyID, owner string)) (int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.seq, c.tbl = 'mail_copies', c.row_id, m.owner_id FROM changes c
		LEFT JOIN mail_copies m ON c.tbl = 'mail_copies' AND m.id = c.row_id WHERE c.seq > ? ORDER BY c.seq`, seq)
	if err != nil {
		return seq, err
	}
	defer rows.Close()
	for rows.Next() {
		var copyRow bool
		var id string
		var owner sql.NullString
		if err := rows.Scan(&seq, &copyRow, &id, &owner); err != nil {
			return seq, err
		}
		if copyRow {
			f(id, owner.String)
		}
	}
	return seq, rows.Err()
}

// refresh reads again the copies of a folder that changed and puts what
// they are now in place of what they were: gone from the folder, in it
// with new flags, or new in it (given a UID when they have none). f.mu is
// held.
func (ix *index) refresh(ctx context.Context, f *indexed, owner, folder string, stale map[string]bool) error {
	s := ix.svc
	ids := make([]string, 0, len(stale))
	for id := range stale {
		ids = append(ids, id)
	}
	now, err := s.readEntries(ctx, owner, folder, ids)
	if err != nil {
		return err
	}
	var missing []string
	for _, e := range now {
		if e.UID == 0 {
			missing = append(missing, e.CopyID)
		}
	}
	// A copy seen gone leaves its UID behind: should it come back, it is
	// a new message to the clients that saw it go, with a new UID.
	forget := false
	for _, e := range f.mb.Entries {
		if stale[e.CopyID] && !slices.ContainsFunc(now, func(n *Entry) bool { return n.CopyID == e.CopyID && n.UID == e.UID }) {
			forget = true
			break
		}
	}
	if len(missing) > 0 || forget {
		if err := s.assign(ctx, owner, folder, missing, forget); err != nil {
			return err
		}
		if now, err = s.readEntries(ctx, owner, folder, ids); err != nil {
			return err
		}
	}
	// the next UID moved with the copies that came
	mb, _, err := s.uids(ctx, owner, folder, nil)
	if err != nil {
		return err
	}
	entries := make([]*Entry, 0, len(f.mb.Entries)+len(now))
	for _, e := range f.mb.Entries {
		if !stale[e.CopyID] {
			entries = append(entries, e)
		}
	}
	for _, e := range now {
		if e.UID != 0 { // one the assignment missed, moved again meanwhile, waits for the next read
			entries = append(entries, e)
		}
	}
	if !slices.IsSortedFunc(entries, byUID) {
		slices.SortFunc(entries, byUID)
	}
	mb.Entries = entries
	if mb.Validity != f.mb.Validity { // the folder's UIDs went from the store (ResetValidity): read it all
		mb, err = s.readMailbox(ctx, owner, folder)
	}
	if err == nil {
		f.mb = mb
	}
	return err
}

func byUID(a, b *Entry) int { return int(a.UID) - int(b.UID) }

// touch marks copies of a folder stale: their UIDs changed, which the
// change log does not say.
func (ix *index) touch(owner, folder string, copyIDs []string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	f := ix.folders[owner][folder]
	if f == nil {
		return
	}
	if f.stale == nil {
		f.stale = map[string]bool{}
	}
	for _, id := range copyIDs {
		f.stale[id] = true
	}
}

// forgetAll has every folder read again. ix.mu is held.
func (ix *index) forgetAll() {
	for _, folders := range ix.folders {
		for _, f := range folders {
			f.all = true
		}
	}
}

// reset forgets every folder: their UIDs changed.
func (ix *index) reset() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.forgetAll()
}

// trim forgets the folders least lately asked for, but keep, until the
// index holds no more than its budget. ix.mu is held.
func (ix *index) trim(keep *indexed) {
	for ix.held > indexBudget {
		var oldOwner, oldFolder string
		var old *indexed
		for owner, folders := range ix.folders {
			for name, f := range folders {
				if f != keep && (old == nil || f.used < old.used) {
					oldOwner, oldFolder, old = owner, name, f
				}
			}
		}
		if old == nil {
			return
		}
		ix.held -= old.size
		delete(ix.folders[oldOwner], oldFolder)
		if len(ix.folders[oldOwner]) == 0 {
			delete(ix.folders, oldOwner)
		}
	}
}

// readEntries reads some copies of a folder, those still in it, with their
// UIDs (0 for those without one yet).
func (s *Service) readEntries(ctx context.Context, owner, folder string, copyIDs []string) ([]*Entry, error) {
	var out []*Entry
	for chunk := range slices.Chunk(copyIDs, 500) {
		list, ids := store.In(chunk)
		entries, err := store.Query(ctx, s.db.Reader(), scanEntry, "SELECT "+entryColumns+` FROM mail_copies c
			LEFT JOIN mail_uids n ON n.copy_id = c.id AND n.folder = c.folder
			WHERE c.deleted = 0 AND c.owner_id = ? AND c.folder = ? AND c.id IN (`+list+")",
			append([]any{owner, folder}, ids...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, entries...)
	}
	return out, nil
}
