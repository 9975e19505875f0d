package mail

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"preau/appliance/auth"
	"preau/appliance/store"
)

// What IMAP needs beyond the mailboxes: UIDs that never change and a
// UIDVALIDITY that never repeats, per folder, on this node; and a wake-up
// when a person's mailbox changes, wherever the change came from (the
// webmail, another client, sync).

// Entry is a copy in a folder as IMAP sees it: what a command may ask of
// every message (flags, sizes, dates, the subject for SEARCH), none of its
// text. The entries a Mailbox gives are shared with other sessions: they
// are never changed, but replaced.
type Entry struct {
	UID                                     uint32
	CopyID, MessageID                       string
	Subject                                 string
	Keywords                                []string
	ReceivedAt, Date                        time.Time
	Size                                    int64
	HLC                                     int64 // the copy's clock: it changes with every change of its flags or folder
	Seen, Flagged, Answered, Draft, Removed bool
}

// Mailbox is a folder's IMAP state.
type Mailbox struct {
	Validity uint32
	NextUID  uint32
	Entries  []*Entry // by UID
}

// Mailbox is a folder's state for IMAP, every copy in it with a UID, given
// in the order they arrived to those that had none. It comes from the
// folders' index, which reads a folder once and then only the copies that
// changed.
func (s *Service) Mailbox(ctx context.Context, u auth.User, folder string) (Mailbox, error) {
	return s.index.mailbox(ctx, u.ID, folder)
}

// readMailbox reads a folder's state from the store, giving UIDs to the
// copies that have none.
func (s *Service) readMailbox(ctx context.Context, owner, folder string) (Mailbox, error) {
	mb, entries, known, err := s.imapEntries(ctx, owner, folder)
	if err != nil {
		return mb, err
	}
	var missing []string
	numbered := 0
	for _, e := range entries {
		if e.UID == 0 {
			missing = append(missing, e.CopyID)
		} else {
			numbered++
		}
	}
	// A copy seen gone leaves its UID behind: should it come back, it is
	// a new message to the clients that saw it go, with a new UID.
	if len(missing) == 0 && numbered == known && mb.Validity != 0 {
		mb.Entries = entries
		return mb, nil
	}
	if err := s.assign(ctx, owner, folder, missing, numbered != known); err != nil {
		return mb, err
	}
	mb, mb.Entries, _, err = s.imapEntries(ctx, owner, folder)
	return mb, err
}

const entryColumns = `c.id, c.message_id, c.seen, c.flagged, c.answered, c.draft, c.removed, c.keywords, c.received_at, c.hlc,
	c.size, c.sent_at, c.subject, coalesce(n.uid, 0)`

// scanEntry reads the entryColumns of a copy.
func scanEntry(r store.Scanner) (*Entry, error) {
	var e Entry
	var keywords, received, date string
	err := r.Scan(&e.CopyID, &e.MessageID, &e.Seen, &e.Flagged, &e.Answered, &e.Draft, &e.Removed, &keywords, &received, &e.HLC,
		&e.Size, &date, &e.Subject, &e.UID)
	e.Keywords = strings.Fields(keywords)
	e.ReceivedAt, _ = time.Parse(time.RFC3339Nano, received)
	e.Date, _ = time.Parse(time.RFC3339, date)
	return &e, err
}

// imapEntries reads a folder's validity and next UID, its live copies by
// UID (those without one yet last, UID 0), and how many UIDs it has given
// that are still held (some may be of copies that left).
func (s *Service) imapEntries(ctx context.Context, owner, folder string) (Mailbox, []*Entry, int, error) {
	var mb Mailbox
	var known int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT coalesce(b.validity, 0), coalesce(b.next_uid, 0),
		(SELECT count(*) FROM mail_uids WHERE owner_id = ? AND folder = ?)
		FROM (SELECT 1) LEFT JOIN mail_mailboxes b ON b.owner_id = ? AND b.folder = ?`, owner, folder, owner, folder).Scan(&mb.Validity, &mb.NextUID, &known)
	if err != nil {
		return mb, nil, 0, err
	}
	entries, err := store.Query(ctx, s.db.Reader(), scanEntry, "SELECT "+entryColumns+` FROM mail_copies c
		LEFT JOIN mail_uids n ON n.copy_id = c.id AND n.folder = c.folder
		WHERE c.deleted = 0 AND c.owner_id = ? AND c.folder = ? ORDER BY n.uid IS NULL, n.uid, c.received_at, c.id`, owner, folder)
	return mb, entries, known, err
}

// uids reads a folder's validity, next UID and the UIDs given to some
// copies.
func (s *Service) uids(ctx context.Context, owner, folder string, copyIDs []string) (Mailbox, map[string]uint32, error) {
	var mb Mailbox
	err := s.db.Reader().QueryRowContext(ctx, "SELECT validity, next_uid FROM mail_mailboxes WHERE owner_id = ? AND folder = ?", owner, folder).
		Scan(&mb.Validity, &mb.NextUID)
	if errors.Is(err, sql.ErrNoRows) {
		return mb, nil, nil
	}
	if err != nil {
		return mb, nil, err
	}
	out := map[string]uint32{}
	for chunk := range slices.Chunk(copyIDs, 500) {
		list, ids := store.In(chunk)
		rows, err := s.db.Reader().QueryContext(ctx, "SELECT copy_id, uid FROM mail_uids WHERE owner_id = ? AND folder = ? AND copy_id IN ("+list+")",
			append([]any{owner, folder}, ids...)...)
		if err != nil {
			return mb, nil, err
		}
		for rows.Next() {
			var id string
			var uid uint32
			if err := rows.Scan(&id, &uid); err != nil {
				rows.Close()
				return mb, nil, err
			}
			out[id] = uid
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mb, nil, err
		}
	}
	return mb, out, nil
}

// assign gives the next UIDs to copies, creating the folder's validity
// when it has none: the time in seconds, or one more than the last given
// on this node when the clock went back. With forget, it forgets the
// UIDs of the copies that left, unless they are back already.
func (s *Service) assign(ctx context.Context, owner, folder string, copyIDs []string, forget bool) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if forget {
			if _, err := tx.ExecContext(ctx, `DELETE FROM mail_uids WHERE owner_id = ? AND folder = ?
				AND copy_id NOT IN (SELECT id FROM mail_copies WHERE owner_id = ? AND folder = ? AND deleted = 0)`,
				owner, folder, owner, folder); err != nil {
				return err
			}
		}
		return s.giveUIDs(ctx, tx, owner, folder, copyIDs, true)
	})
}

// giveUIDs gives, in tx, the next UIDs of a folder to copies; create says
// whether to create the folder's UIDVALIDITY when it has none (without,
// a folder no client looked at yet gets its UIDs when one does).
func (s *Service) giveUIDs(ctx context.Context, tx *store.Tx, owner, folder string, copyIDs []string, create bool) error {
	var next uint32
	err := tx.QueryRowContext(ctx, "SELECT next_uid FROM mail_mailboxes WHERE owner_id = ? AND folder = ?", owner, folder).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) && !create {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		var last int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce((SELECT last FROM mail_validity WHERE id = 1), 0)").Scan(&last); err != nil {
			return err
		}
		validity := max(s.now().Unix(), last+1) & 0xFFFFFFFF
		if _, err := tx.ExecContext(ctx, "INSERT INTO mail_validity(id, last) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET last = excluded.last", validity); err != nil {
			return err
		}
		next = 1
		if _, err := tx.ExecContext(ctx, "INSERT INTO mail_mailboxes(owner_id, folder, validity, next_uid) VALUES (?, ?, ?, 1)", owner, folder, validity); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	for _, id := range copyIDs {
		res, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO mail_uids(owner_id, folder, uid, copy_id) VALUES (?, ?, ?, ?)", owner, folder, next, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			next++
		}
	}
	_, err = tx.ExecContext(ctx, "UPDATE mail_mailboxes SET next_uid = ? WHERE owner_id = ? AND folder = ?", next, owner, folder)
	return err
}

// ResetValidity gives every folder of this node a new UIDVALIDITY at the
// next look: after a restore, what clients remember no longer holds.
func (s *Service) ResetValidity(ctx context.Context) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM mail_uids"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM mail_mailboxes")
		return err
	})
	s.index.reset()
	return err
}

// watcher wakes those who wait on a person's mailbox (IMAP IDLE, the
// webmail's badge) when a copy of theirs changes: it follows the store's
// change log after every commit, so a change arrived by sync wakes them
// as one made here does.
type watcher struct {
	db   *store.DB
	log  *slog.Logger
	kick chan struct{}
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
	stop context.CancelFunc
}

func newWatcher(db *store.DB, log *slog.Logger) *watcher {
	w := &watcher{db: db, log: log, kick: make(chan struct{}, 1), subs: map[string]map[chan struct{}]struct{}{}}
	db.OnCommit(func() {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	})
	return w
}

// Watch returns a channel that receives when the person's mailbox
// changes, and the function that stops it.
func (s *Service) Watch(userID string) (<-chan struct{}, func()) {
	return s.watch.subscribe(userID)
}

func (w *watcher) subscribe(user string) (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop == nil {
		var last int64
		if err := w.db.Reader().QueryRow("SELECT coalesce(max(seq), 0) FROM changes").Scan(&last); err != nil {
			w.log.Warn("mail: watch", "err", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		w.stop = cancel
		go w.run(ctx, last)
	}
	if w.subs[user] == nil {
		w.subs[user] = map[chan struct{}]struct{}{}
	}
	w.subs[user][c] = struct{}{}
	return c, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.subs[user], c)
		if len(w.subs[user]) == 0 {
			delete(w.subs, user)
		}
		if len(w.subs) == 0 && w.stop != nil {
			w.stop()
			w.stop = nil
		}
	}
}

func (w *watcher) run(ctx context.Context, last int64) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		case <-time.After(30 * time.Second):
		}
		owners := map[string]bool{}
		seq, err := copyChanges(ctx, w.db.Reader(), last, func(_, owner string) {
			if owner != "" {
				owners[owner] = true
			}
		})
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("mail: watch", "err", err)
			}
			continue
		}
		last = seq
		w.mu.Lock()
		for owner := range owners {
			for c := range w.subs[owner] {
				select {
				case c <- struct{}{}:
				default:
				}
			}
		}
		w.mu.Unlock()
	}
}
