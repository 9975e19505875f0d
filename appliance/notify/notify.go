// Package notify is the notification hub every feature publishes through:
// what concerns each person (new homework, a note to sign, a reply, news),
// kept as replicated rows so that it follows them from school to home, and
// pushed live to the pages they have open. While a page listens, it
// watches the store's change log, so a notification written here or
// arrived by sync reaches an open page the same way.
//
// It imports store, auth, apperr and i18n; never a feature. The pages and
// the live channel are the notifications feature's.
package notify

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/i18n"
	"preau/appliance/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the hub's part of the database.
var Schema = store.Schema{
	Name:       "notify",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"notifications"},
	PushChecks: map[string]store.PushCheck{"notifications": checkRow},
	Labels: map[string]store.Label{
		"notifications": {Row: "notify.label.item", Columns: []store.ColumnLabel{{Column: "read", Label: "notify.label.read", Flag: true}}},
	},
}

// Notice is what a feature tells people.
type Notice struct {
	Users []string // who it concerns
	Scope string   // the school where it happened: where the rows replicate
	Kind  string   // the feature's word for it: "homework", "liaison"…
	Key   string   // the catalogue key of its title
	// Args are the title's; one whose name ends in "Date" is a day,
	// YYYY-MM-DD, written in full in the reader's language.
	Args map[string]string
	URL  string // where it leads, a path of Préau's
	Icon string // a file under assets/icons, without .svg: the feature's tile's
}

// Item is one notification as its reader sees it.
type Item struct {
	ID, Kind, URL, Icon string
	Title               i18n.Message
	Read                bool
	Created             time.Time
}

// Event is what an open page is told: how many are unread, and the latest
// (nil when the count fell).
type Event struct {
	Unread int
	Latest *Item
}

// Hub keeps the notifications and the pages that listen for them.
type Hub struct {
	db   *store.DB
	log  *slog.Logger
	now  func() time.Time
	kick chan struct{}

	mu   sync.Mutex
	subs map[string]map[*Sub]struct{} // by user id
	stop context.CancelFunc           // the watcher's, while anyone listens
}

// Sub is an open page's subscription: its events arrive on C, the latest
// only when the page is slow to read them.
type Sub struct {
	C    chan Event
	user string
}

// New builds the hub on the store.
func New(db *store.DB, log *slog.Logger) *Hub {
	h := &Hub{db: db, log: log, now: time.Now, kick: make(chan struct{}, 1), subs: map[string]map[*Sub]struct{}{}}
	db.OnCommit(func() {
		select {
		case h.kick <- struct{}{}:
		default:
		}
	})
	return h
}

// Tell publishes a notice after what it tells of was written: a failure
// is logged, never the writer's (what they wrote stands). A nil hub tells
// nobody (a service built without one, in a test).
func (h *Hub) Tell(ctx context.Context, n Notice) {
	if h == nil {
		return
	}
	if err := h.Publish(ctx, n); err != nil {
		h.log.Error("notifications: publish", "kind", n.Kind, "err", err)
	}
}

// Publish writes a notification for each of the notice's people, in one
// transaction.
func (h *Hub) Publish(ctx context.Context, n Notice) error {
	if len(n.Users) == 0 {
		return nil
	}
	args, err := json.Marshal(n.Args)
	if err != nil {
		return err
	}
	created := h.now().UTC().Format(time.RFC3339Nano)
	if n.Icon == "" {
		n.Icon = "cloche"
	}
	return h.db.Write(ctx, func(tx *store.Tx) error {
		for _, u := range n.Users {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notifications(id, scope, hlc, origin, user_id, kind, title_key, title_args, url, icon, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, store.NewID(), n.Scope, tx.HLC, tx.Origin, u, n.Kind, n.Key, string(args), n.URL, n.Icon, created); err != nil {
				return err
			}
		}
		return nil
	})
}

func scanItem(row store.Scanner) (Item, error) {
	var it Item
	var key, args, created string
	if err := row.Scan(&it.ID, &it.Kind, &key, &args, &it.URL, &it.Icon, &it.Read, &created); err != nil {
		return it, err
	}
	var m map[string]string
	json.Unmarshal([]byte(args), &m)
	pairs := make([]any, 0, 2*len(m))
	for k, v := range m {
		if d, err := time.Parse("2006-01-02", v); err == nil && strings.HasSuffix(k, "Date") {
			pairs = append(pairs, k, d)
			continue
		}
		pairs = append(pairs, k, v)
	}
	it.Title = i18n.M(key, pairs...)
	it.Created, _ = time.Parse(time.RFC3339Nano, created)
	return it, nil
}

const itemColumns = "id, kind, title_key, title_args, url, icon, read, created_at"

// List is a person's latest notifications, newest first.
func (h *Hub) List(ctx context.Context, userID string, limit int) ([]Item, error) {
	return store.Query(ctx, h.db.Reader(), scanItem, "SELECT "+itemColumns+` FROM notifications
		WHERE deleted = 0 AND user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, userID, limit)
}

// Unread counts a person's unread notifications.
func (h *Hub) Unread(ctx context.Context, userID string) (int, error) {
	// Every page's bell reads it: from the read cache, which any write
	// (a notification published, one read) empties.
	return store.Cached(h.db.Cache(), "notify.unread", userID, func() (int, error) {
		var n int
		err := h.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM notifications WHERE deleted = 0 AND read = 0 AND user_id = ?", userID).Scan(&n)
		return n, err
	})
}

// MarkRead marks one of a person's notifications read and returns it.
func (h *Hub) MarkRead(ctx context.Context, u auth.User, id string) (Item, error) {
	it, err := scanItem(h.db.Reader().QueryRowContext(ctx, "SELECT "+itemColumns+" FROM notifications WHERE deleted = 0 AND id = ? AND user_id = ?", id, u.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return it, apperr.New(apperr.ErrNotFound, "notify.err.not_found")
	}
	if err != nil || it.Read {
		return it, err
	}
	return it, h.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE notifications SET read = 1, hlc = ?, origin = ? WHERE id = ?", tx.HLC, tx.Origin, id)
		return err
	})
}

// MarkAllRead marks all of a person's notifications read.
func (h *Hub) MarkAllRead(ctx context.Context, u auth.User) error {
	return h.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE notifications SET read = 1, hlc = ?, origin = ? WHERE deleted = 0 AND read = 0 AND user_id = ?",
			tx.HLC, tx.Origin, u.ID)
		return err
	})
}

// Subscribe opens a page's subscription to a person's events. The first
// one starts watching the store, from its change log's end now.
func (h *Hub) Subscribe(userID string) (*Sub, error) {
	s := &Sub{C: make(chan Event, 1), user: userID}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stop == nil {
		var last int64
		if err := h.db.Reader().QueryRow("SELECT coalesce(max(seq), 0) FROM changes").Scan(&last); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithCancel(context.Background())
		h.stop = cancel
		go h.watch(ctx, last)
	}
	if h.subs[userID] == nil {
		h.subs[userID] = map[*Sub]struct{}{}
	}
	h.subs[userID][s] = struct{}{}
	return s, nil
}

// Unsubscribe closes it; the last one stops the watching.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[s.user], s)
	if len(h.subs[s.user]) == 0 {
		delete(h.subs, s.user)
	}
	if len(h.subs) == 0 && h.stop != nil {
		h.stop()
		h.stop = nil
	}
}

// watch pushes, until ctx ends, what each committed write changed of the
// notifications after the change log's entry last to the pages of the
// people concerned.
func (h *Hub) watch(ctx context.Context, last int64) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.kick:
		}
		next, users, err := h.changed(ctx, last)
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("notifications: read what changed", "err", err)
			}
			continue
		}
		last = next
		for _, u := range users {
			h.push(ctx, u)
		}
	}
}

// changed lists the people whose notifications changed after the change
// log's entry seq, among those listening, and the log's new end.
func (h *Hub) changed(ctx context.Context, seq int64) (int64, []string, error) {
	rows, err := h.db.Reader().QueryContext(ctx, `SELECT c.seq, coalesce(n.user_id, '') FROM changes c
		LEFT JOIN notifications n ON c.tbl = 'notifications' AND n.id = c.row_id WHERE c.seq > ? ORDER BY c.seq`, seq)
	if err != nil {
		return seq, nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	var users []string
	for rows.Next() {
		var user string
		if err := rows.Scan(&seq, &user); err != nil {
			return seq, nil, err
		}
		if user != "" && !seen[user] && h.listening(user) {
			seen[user] = true
			users = append(users, user)
		}
	}
	return seq, users, rows.Err()
}

func (h *Hub) listening(user string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[user]) > 0
}

// push tells a person's open pages their unread count and latest unread.
func (h *Hub) push(ctx context.Context, user string) {
	n, err := h.Unread(ctx, user)
	if err != nil {
		h.log.Warn("notifications: count", "err", err)
		return
	}
	ev := Event{Unread: n}
	if latest, err := scanItem(h.db.Reader().QueryRowContext(ctx, "SELECT "+itemColumns+` FROM notifications
		WHERE deleted = 0 AND read = 0 AND user_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`, user)); err == nil {
		ev.Latest = &latest
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[user] {
		select { // keep only the newest event for a page slow to read
		case <-s.C:
		default:
		}
		s.C <- ev
	}
}

// checkRow is the rule central applies to the notifications a school
// pushes (see store.PushCheck): for the school's own people, or the
// parents of its pupils.
func checkRow(ctx context.Context, p store.Pushed) error {
	user := p.Row.Str("user_id")
	if auth.PushedUser(ctx, p, user, auth.Pupil, auth.Parent, auth.Teacher, auth.Director) {
		return nil
	}
	if !auth.PushedFamily(ctx, p, user) {
		return apperr.New(apperr.ErrForbidden, "notify.push.user")
	}
	return nil
}
