package announcements

import (
	"context"
	"slices"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/text"
)

// Announcement is what the DSI tells schools for a while.
type Announcement struct {
	ID, Kind, Title, Body string
	Schools               feature.Targets // those it is for, nil for every school
	Starts, Ends          time.Time
	AuthorID              string
	CreatedAt             time.Time
}

// The kinds of announcement, in the order the form offers them.
const (
	Maintenance = "maintenance"
	Outage      = "outage"
	Info        = "info"
)

// Kinds are the announcements' kinds.
var Kinds = []string{Maintenance, Outage, Info}

// Now reports whether it is shown at t: started, not ended.
func (a Announcement) Now(t time.Time) bool { return !t.Before(a.Starts) && t.Before(a.Ends) }

// Draft is what the DSI writes.
type Draft struct {
	Kind, Title, Body string
	Schools           []string // none: every school
	Starts, Ends      time.Time
}

// Limits of what an announcement says, in characters, and how long it
// lasts: a term at most, so that none stays on every home page forgotten.
const (
	maxTitle    = 120
	maxBody     = 2000
	maxDuration = 120 * 24 * time.Hour
)

// Service is the announcements, for the pages and the API alike.
type Service struct {
	db      *store.DB
	reg     feature.Register
	central bool // the DSI announces here
	now     func() time.Time
}

// NewService builds a school's announcements, which it reads.
func NewService(db *store.DB, reg feature.Register) *Service {
	return &Service{db: db, reg: reg, now: time.Now}
}

// NewCentralService builds central's, where the DSI announces.
func NewCentralService(db *store.DB, reg feature.Register) *Service {
	s := NewService(db, reg)
	s.central = true
	return s
}

// Announces reports whether u announces here: the DSI, on central.
func (s *Service) Announces(u auth.User) bool { return u.Profile == auth.DSI && s.central }

// Create announces d.
func (s *Service) Create(ctx context.Context, u auth.User, d Draft) (Announcement, error) {
	if !s.Announces(u) {
		return Announcement{}, apperr.New(apperr.ErrForbidden, "announcements.err.dsi_on_central")
	}
	a, err := s.check(ctx, d)
	if err != nil {
		return a, err
	}
	a.ID, a.AuthorID, a.CreatedAt = store.NewID(), u.ID, s.now()
	return a, s.insert(ctx, a)
}

// check holds a draft to the rules.
func (s *Service) check(ctx context.Context, d Draft) (Announcement, error) {
	a := Announcement{Kind: d.Kind, Starts: d.Starts.Truncate(time.Minute), Ends: d.Ends.Truncate(time.Minute)}
	var err error
	if !slices.Contains(Kinds, d.Kind) {
		return a, apperr.New(apperr.ErrInvalid, "announcements.err.kind", "Value", text.Short(d.Kind))
	}
	if a.Title, err = text.Line("field.title", d.Title, maxTitle); err != nil {
		return a, err
	}
	if a.Title == "" {
		return a, apperr.New(apperr.ErrInvalid, "announcements.err.title_required")
	}
	if a.Body, err = text.Body("field.body", d.Body, maxBody); err != nil {
		return a, err
	}
	now := s.now().Truncate(time.Minute)
	if a.Starts.IsZero() {
		a.Starts = now
	}
	switch {
	case a.Ends.IsZero():
		return a, apperr.New(apperr.ErrInvalid, "announcements.err.end_required")
	case !a.Ends.After(a.Starts):
		return a, apperr.New(apperr.ErrInvalid, "announcements.err.end_before_start")
	case !a.Ends.After(now):
		return a, apperr.New(apperr.ErrInvalid, "announcements.err.ended")
	case a.Ends.Sub(a.Starts) > maxDuration:
		return a, apperr.New(apperr.ErrInvalid, "announcements.err.too_long", "Days", int(maxDuration.Hours()/24))
	}
	known, err := s.reg.Schools(ctx)
	if err != nil {
		return a, err
	}
	for _, id := range d.Schools {
		if !slices.ContainsFunc(known, func(k auth.School) bool { return k.ID == id }) {
			return a, apperr.New(apperr.ErrInvalid, "announcements.err.no_school", "School", text.Short(id))
		}
	}
	a.Schools = feature.Targets(d.Schools)
	return a, nil
}

// End ends an announcement now: the DSI's, on central.
func (s *Service) End(ctx context.Context, u auth.User, id string) error {
	if !s.Announces(u) {
		return apperr.New(apperr.ErrForbidden, "announcements.err.dsi_on_central")
	}
	a, err := s.get(ctx, id)
	if err != nil {
		return err
	}
	now := s.now()
	if !a.Ends.After(now) {
		return nil // ended already
	}
	if now.Before(a.Starts) {
		now = a.Starts // one that had not begun ends before it does
	}
	return s.end(ctx, id, now)
}

// Current are the announcements shown now to u: those for their schools
// (the DSI: all), the first to end first.
func (s *Service) Current(ctx context.Context, u auth.User) ([]Announcement, error) {
	list, err := s.For(ctx, u)
	now := s.now()
	return slices.DeleteFunc(list, func(a Announcement) bool { return !a.Now(now) }), err
}

// For are the announcements for u that have not ended: shown now, or
// soon.
func (s *Service) For(ctx context.Context, u auth.User) ([]Announcement, error) {
	list, err := s.notEnded(ctx, s.now())
	if err != nil || u.Profile == auth.DSI {
		return list, err
	}
	schools, err := feature.SchoolsOf(ctx, s.reg, u)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list, func(a Announcement) bool { return !slices.ContainsFunc(schools, a.Schools.Includes) }), nil
}

// All are every announcement, the latest first: the DSI's list.
func (s *Service) All(ctx context.Context, u auth.User) ([]Announcement, error) {
	if u.Profile != auth.DSI {
		return s.For(ctx, u)
	}
	return s.all(ctx)
}
