package agenda

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"slices"
	"sort"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/text"
)

// Draft is an event as a person writes it.
type Draft struct {
	Calendar, ClassID         string
	Title, Description, Place string
	AllDay, Holiday           bool
	Start, End                time.Time // for a day, its midnight in Zone; End excluded (a day's is the next midnight)
	RRule                     string
	ExDates                   []time.Time
	UID                       string // a CalDAV client's; "" in Préau's pages
}

// Limits of the fields, in characters.
const (
	maxTitle       = 200
	maxDescription = 5000
	maxPlace       = 200
	maxUID         = 255
	maxSpan        = 366 * 24 * time.Hour // one event's length
	minYear        = 1900                 // an event's years, both included
	maxYear        = 2999
)

// Service is the agenda, shared by the pages, the API, the feed and
// CalDAV. Its rules: the director writes the school's calendar (and its
// holidays); a class's teachers and the director write the class's;
// everyone writes their own; each person reads their school's, their
// classes' (a parent: their children's) and their own, with what other
// features show there.
type Service struct {
	db  *store.DB
	env *feature.Env // the register and the other features' feeds
	now func() time.Time
}

// NewService builds the service on the node's features.
func NewService(env *feature.Env) *Service {
	return &Service{db: env.DB, env: env, now: time.Now}
}

// centralOnly is the scope of the city DSI's own events: central keeps
// them, no school receives them.
const centralOnly = "central"

// scopeOf is where u's personal events replicate: their school, or their
// first child's for a parent registered at none; the DSI's stay on central.
func (s *Service) scopeOf(ctx context.Context, u auth.User) (string, error) {
	if u.SchoolID != "" {
		return u.SchoolID, nil
	}
	if u.Profile == auth.DSI && s.env.Config.Role == config.RoleCentral {
		return centralOnly, nil
	}
	if u.Profile == auth.Parent {
		children, err := s.env.Register.Children(ctx, u.ID)
		if err != nil {
			return "", err
		}
		for _, c := range children {
			if c.SchoolID != "" {
				return c.SchoolID, nil
			}
		}
	}
	return "", apperr.New(apperr.ErrForbidden, "agenda.err.no_school")
}

// check holds a draft to the rules for u and fills the event it makes.
func (s *Service) check(ctx context.Context, u auth.User, d Draft) (Event, error) {
	e := Event{Calendar: d.Calendar, AllDay: d.AllDay, Start: d.Start.In(Zone), End: d.End.In(Zone), RRule: d.RRule, ExDates: d.ExDates,
		UID: d.UID, AuthorID: u.ID}
	var err error
	if e.Title, err = text.Line("field.title", d.Title, maxTitle); err != nil {
		return e, err
	}
	if e.Title == "" {
		return e, apperr.New(apperr.ErrInvalid, "agenda.err.title_required")
	}
	if e.Description, err = text.Body("field.body", d.Description, maxDescription); err != nil {
		return e, err
	}
	if e.Place, err = text.Line("field.place", d.Place, maxPlace); err != nil {
		return e, err
	}
	// A calendar program's UID is written back in every object: a line
	// break in it would break the whole calendar's listing.
	if e.UID, err = text.Line("field.uid", d.UID, maxUID); err != nil {
		return e, err
	}
	if e.Start.IsZero() || e.End.IsZero() {
		return e, apperr.New(apperr.ErrInvalid, "agenda.err.when_required")
	}
	// A calendar program may send any year, 0000 included, which iCalendar
	// cannot write back as it came.
	if e.Start.Year() < minYear || e.End.Year() > maxYear {
		return e, apperr.New(apperr.ErrInvalid, "agenda.err.year", "Min", minYear, "Max", maxYear)
	}
	if !e.End.After(e.Start) {
		return e, apperr.New(apperr.ErrInvalid, "agenda.err.end_before_start")
	}
	if e.End.Sub(e.Start) > maxSpan {
		return e, apperr.New(apperr.ErrInvalid, "agenda.err.too_long")
	}
	if err := checkRule(e.RRule); err != nil {
		return e, apperr.New(apperr.ErrInvalid, "agenda.err.bad_rule", "Value", text.Short(e.RRule))
	}
	switch d.Calendar {
	case Personal:
		e.OwnerID = u.ID
		e.SchoolID, err = s.scopeOf(ctx, u)
		return e, err
	case School:
		if u.Profile != auth.Director {
			return e, apperr.New(apperr.ErrForbidden, "agenda.err.school_director")
		}
		e.SchoolID, e.Holiday = u.SchoolID, d.Holiday
		return e, nil
	case Class:
		c, err := feature.StaffOf(ctx, s.env.Register, u, d.ClassID, "agenda.err.no_class", "agenda.err.not_your_class")
		if err != nil {
			return e, err
		}
		e.SchoolID, e.ClassID = c.SchoolID, c.ID
		return e, nil
	}
	return e, apperr.New(apperr.ErrInvalid, "agenda.err.calendar", "Value", text.Short(d.Calendar))
}

// Create writes a new event.
func (s *Service) Create(ctx context.Context, u auth.User, d Draft) (Event, error) {
	e, err := s.check(ctx, u, d)
	if err != nil {
		return e, err
	}
	e.ID = store.NewID()
	if e.UID == "" {
		e.UID = e.ID
	}
	return e, s.insert(ctx, e)
}

// Writable loads an event u may change: their own; the school's for the
// director; a class's for its staff.
func (s *Service) Writable(ctx context.Context, u auth.User, id string) (Event, error) {
	e, err := s.Readable(ctx, u, id)
	if err != nil {
		return e, err
	}
	switch e.Calendar {
	case Personal:
		if e.OwnerID == u.ID {
			return e, nil
		}
	case School:
		if u.Profile == auth.Director && u.SchoolID == e.SchoolID {
			return e, nil
		}
	case Class:
		if _, staff, err := feature.ClassStaff(ctx, s.env.Register, u, e.ClassID); err == nil && staff {
			return e, nil
		}
	}
	return e, apperr.New(apperr.ErrForbidden, "agenda.err.read_only")
}

// Update changes an event; its calendar stays.
func (s *Service) Update(ctx context.Context, u auth.User, id string, d Draft) (Event, error) {
	old, err := s.Writable(ctx, u, id)
	if err != nil {
		return old, err
	}
	d.Calendar, d.ClassID = old.Calendar, old.ClassID
	if d.UID == "" {
		d.UID = old.UID
	}
	e, err := s.check(ctx, u, d)
	if err != nil {
		return e, err
	}
	e.ID, e.AuthorID = old.ID, old.AuthorID
	if old.Calendar == School {
		e.SchoolID = old.SchoolID
	}
	return e, s.update(ctx, e)
}

// Skip removes one occurrence of a repeating event: it adds its start to
// the exceptions.
func (s *Service) Skip(ctx context.Context, u auth.User, id string, start time.Time) error {
	e, err := s.Writable(ctx, u, id)
	if err != nil {
		return err
	}
	if e.RRule == "" {
		return apperr.New(apperr.ErrInvalid, "agenda.err.not_repeating")
	}
	e.ExDates = append(e.ExDates, start.In(Zone))
	return s.update(ctx, e)
}

// Delete removes an event.
func (s *Service) Delete(ctx context.Context, u auth.User, id string) (Event, error) {
	e, err := s.Writable(ctx, u, id)
	if err != nil {
		return e, err
	}
	return e, s.remove(ctx, id)
}

// reader is the calendars a person reads: their schools, their classes
// (a parent's children's), their own.
type reader struct {
	user    auth.User
	schools []string
	classes []string
}

func (s *Service) readerOf(ctx context.Context, u auth.User) (reader, error) {
	r := reader{user: u}
	reg := s.env.Register
	var classes []auth.Class
	var err error
	switch u.Profile {
	case auth.Pupil, auth.Teacher:
		r.schools = []string{u.SchoolID}
		classes, err = reg.UserClasses(ctx, u.ID)
	case auth.Director:
		r.schools = []string{u.SchoolID}
		classes, err = reg.SchoolClasses(ctx, u.SchoolID)
	case auth.Parent:
		children, err := reg.Children(ctx, u.ID)
		if err != nil {
			return r, err
		}
		for _, c := range children {
			if !slices.Contains(r.schools, c.SchoolID) {
				r.schools = append(r.schools, c.SchoolID)
			}
			cs, err := reg.UserClasses(ctx, c.ID)
			if err != nil {
				return r, err
			}
			classes = append(classes, cs...)
		}
	}
	for _, c := range classes {
		r.classes = append(r.classes, c.ID)
	}
	return r, err
}

func (r reader) reads(e Event) bool {
	switch e.Calendar {
	case Personal:
		return e.OwnerID == r.user.ID
	case School:
		return slices.Contains(r.schools, e.SchoolID)
	case Class:
		return slices.Contains(r.classes, e.ClassID)
	}
	return false
}

// Readable loads an event u reads.
func (s *Service) Readable(ctx context.Context, u auth.User, id string) (Event, error) {
	e, err := s.get(ctx, id)
	if err != nil {
		return e, err
	}
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return e, err
	}
	if !r.reads(e) {
		return e, apperr.New(apperr.ErrNotFound, "agenda.err.not_found")
	}
	return e, nil
}

// Events lists the events of u's calendars, each whole (with its rule).
func (s *Service) Events(ctx context.Context, u auth.User) ([]Event, error) {
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return nil, err
	}
	return s.eventsOf(ctx, r)
}

// Occurrences lists what u's agenda shows between two instants: the
// occurrences of their events and what the other features show, by start.
func (s *Service) Occurrences(ctx context.Context, u auth.User, from, to time.Time) ([]feature.Occurrence, error) {
	events, err := s.Events(ctx, u)
	if err != nil {
		return nil, err
	}
	var out []feature.Occurrence
	for _, e := range events {
		occ, err := e.Occurrences(from, to)
		if err != nil {
			continue // a rule a client wrote that no longer reads: the others still show
		}
		out = append(out, occ...)
	}
	followed, err := s.followed(ctx, u, from, to)
	if err != nil {
		return nil, err
	}
	out = append(out, followed...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].AllDay && !out[j].AllDay
	})
	return out, nil
}

// followed is what the other features show in u's agenda between two
// instants (homework's due days, the days notes are about).
func (s *Service) followed(ctx context.Context, u auth.User, from, to time.Time) ([]feature.Occurrence, error) {
	var out []feature.Occurrence
	for _, feed := range s.env.Feeds {
		occ, err := feed(s.env, ctx, u, from.In(Zone).Format(day), to.In(Zone).AddDate(0, 0, 1).Format(day))
		if err != nil {
			return nil, err
		}
		for _, o := range occ {
			if o.End.After(from) && o.Start.Before(to) {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// Token gives u's calendar feed secret, made when they have none or
// renew it (the old one stops working).
func (s *Service) Token(ctx context.Context, u auth.User, renew bool) (string, error) {
	var token string
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT token FROM calendar_tokens WHERE user_id = ?", u.ID).Scan(&token)
		if err == nil && !renew {
			return nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		secret := make([]byte, 24)
		rand.Read(secret)
		token = base64.RawURLEncoding.EncodeToString(secret)
		_, err = tx.ExecContext(ctx, `INSERT INTO calendar_tokens(user_id, token, created_at) VALUES (?, ?, ?)
			ON CONFLICT(user_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at`,
			u.ID, token, s.now().UTC().Format(time.RFC3339))
		return err
	})
	return token, err
}

// Revoke ends u's feed secret.
func (s *Service) Revoke(ctx context.Context, u auth.User) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM calendar_tokens WHERE user_id = ?", u.ID)
		return err
	})
}

// ByToken is the account whose feed secret this is.
func (s *Service) ByToken(ctx context.Context, token string) (auth.User, error) {
	var id string
	if err := s.db.Reader().QueryRowContext(ctx, "SELECT user_id FROM calendar_tokens WHERE token = ?", token).Scan(&id); err != nil || token == "" {
		return auth.User{}, apperr.New(apperr.ErrNotFound, "agenda.err.no_feed")
	}
	u, err := s.env.Auth.User(ctx, id)
	if err != nil || u.Disabled {
		return auth.User{}, apperr.New(apperr.ErrNotFound, "agenda.err.no_feed")
	}
	return u, nil
}
