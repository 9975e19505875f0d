package audit

import (
	"context"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/store"
	"preau/appliance/text"
)

// Entry is one line of the audit log.
type Entry struct {
	ID        string
	SchoolID  string
	At        time.Time
	ActorID   string
	ActorName string
	Action    string
	Target    string
	Address   string
}

// Filter narrows a reading of the log: a period (From included, To
// excluded; zero for open), an action, an actor's id, a school (the DSI's
// only: a director reads their own), and a page.
type Filter struct {
	From, To time.Time
	Action   string
	Actor    string
	School   string
	Limit    int // 0 for PageSize
	Offset   int
}

// PageSize is how many entries a page shows.
const PageSize = 50

// maxTarget bounds what a target may hold: a name or an id, not a text.
const maxTarget = 200

// Service writes and reads the audit log.
type Service struct {
	db      *store.DB
	central bool
	now     func() time.Time
}

// NewService is the audit log of a school's node, or of central.
func NewService(db *store.DB, central bool) *Service {
	return &Service{db: db, central: central, now: time.Now}
}

func (s *Service) write(ctx context.Context, actor auth.User, action, target, address string) error {
	if !known(action) {
		return apperr.New(apperr.ErrInvalid, "audit.err.action", "Value", action)
	}
	if len(target) > maxTarget {
		target = target[:maxTarget]
	}
	scope := actor.SchoolID
	if s.central || scope == "" {
		scope = cityScope
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_entries(id, scope, hlc, origin, school_id, at, actor_id, actor_name, action, target, address)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, store.NewID(), scope, tx.HLC, tx.Origin, actor.SchoolID,
			s.now().UTC().Format(stamp), actor.ID, actor.DisplayName, action, target, address)
		return err
	})
}

// List reads the log newest first: the director's school's entries, or,
// for the DSI, every school's and the city's (f.School narrows them).
// Other profiles are refused.
func (s *Service) List(ctx context.Context, u auth.User, f Filter) ([]Entry, error) {
	where, args, err := readable(u, f)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = PageSize
	}
	q := "SELECT id, school_id, at, actor_id, actor_name, action, target, address FROM audit_entries WHERE " +
		where + " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?"
	return store.Query(ctx, s.db.Reader(), scanEntry, q, append(args, limit, max(f.Offset, 0))...)
}

// Count is how many entries List would read under f, all pages together.
func (s *Service) Count(ctx context.Context, u auth.User, f Filter) (int, error) {
	where, args, err := readable(u, f)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM audit_entries WHERE "+where, args...).Scan(&n)
	return n, err
}

// readable is the SQL condition for the entries u may read under f, and
// its arguments; a profile that reads no journal, or an unknown action,
// is refused.
func readable(u auth.User, f Filter) (string, []any, error) {
	where, args := []string{"deleted = 0"}, []any{}
	switch u.Profile {
	case auth.Director:
		where, args = append(where, "school_id = ?"), append(args, u.SchoolID)
	case auth.DSI:
		if f.School != "" {
			where, args = append(where, "school_id = ?"), append(args, f.School)
		}
	default:
		return "", nil, apperr.New(apperr.ErrForbidden, "audit.err.readers")
	}
	if f.Action != "" {
		if !known(f.Action) {
			return "", nil, apperr.New(apperr.ErrInvalid, "audit.err.action", "Value", text.Short(f.Action))
		}
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Actor != "" {
		where, args = append(where, "actor_id = ?"), append(args, f.Actor)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.UTC().Format(stamp))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.UTC().Format(stamp))
	}
	return strings.Join(where, " AND "), args, nil
}

func scanEntry(row store.Scanner) (Entry, error) {
	var e Entry
	var at string
	err := row.Scan(&e.ID, &e.SchoolID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.Target, &e.Address)
	e.At, _ = time.Parse(stamp, at)
	return e, err
}

// checkEntryRow is the rule central applies to an entry a school pushes:
// its own school's, by one of its accounts or its console, of a known
// action; never changed nor deleted once central holds it, but by the
// retention purge (retention.go).
func checkEntryRow(ctx context.Context, p store.Pushed) error {
	r := p.Row
	if purged(r, time.Now()) && r.Str("school_id") == p.School && (p.Prior == nil || p.Unchanged(purgeKeeps...)) {
		return nil
	}
	if p.Prior != nil {
		if !p.Unchanged(entryCols...) {
			return apperr.New(apperr.ErrForbidden, "audit.push.changed")
		}
		return nil
	}
	if r.Str("school_id") != p.School {
		return apperr.New(apperr.ErrForbidden, "audit.push.school")
	}
	if flag, _ := r.Values["deleted"].(int64); flag != 0 {
		return apperr.New(apperr.ErrForbidden, "audit.push.changed")
	}
	if !known(r.Str("action")) {
		return apperr.New(apperr.ErrForbidden, "audit.push.action")
	}
	if id := r.Str("actor_id"); id != "" && !auth.PushedUser(ctx, p, id, auth.Director, auth.Teacher) {
		return apperr.New(apperr.ErrForbidden, "audit.push.actor")
	}
	return nil
}

// What a school may not change of an entry once central holds it: all;
// and what the retention purge keeps.
var (
	entryCols  = []string{"deleted", "school_id", "at", "actor_id", "actor_name", "action", "target", "address"}
	purgeKeeps = []string{"school_id", "at", "actor_id", "action"}
)

// purged reports whether an entry is one the retention purge made: a
// tombstone naming nobody, of an entry older than any audit retention
// may keep it (a school cannot purge younger ones to hide an action).
func purged(r store.Row, now time.Time) bool {
	at, err := time.Parse(stamp, r.Str("at"))
	return r.Deleted() && err == nil && at.Before(now.Add(-config.MinAuditRetention)) &&
		r.Str("actor_name") == "" && r.Str("target") == "" && r.Str("address") == ""
}
