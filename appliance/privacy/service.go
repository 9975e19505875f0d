package privacy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// Service erases a person on the director's order and applies the
// retention rules; the pages, the API and the daily job share it.
type Service struct {
	env *feature.Env
	now func() time.Time
}

// NewService is the privacy service of a node's features.
func NewService(env *feature.Env) *Service { return &Service{env: env, now: time.Now} }

// SetClock replaces the service's clock: the retention job's tests move it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Errors of an erasure refused: each says why, and nothing is written.
var (
	errNoAccount = apperr.New(apperr.ErrNotFound, "privacy.err.no_such_account")
	errNotYours  = apperr.New(apperr.ErrForbidden, "privacy.err.not_yours")
	errSelf      = apperr.New(apperr.ErrForbidden, "privacy.err.self")
	errDSI       = apperr.New(apperr.ErrForbidden, "privacy.err.dsi")
)

// Erasable returns the account actor asks to erase, or why they may not:
// a director erases the accounts that belong to their school, never their
// own (another director or the DSI does it) nor the city's DSI's.
func (s *Service) Erasable(ctx context.Context, actor auth.User, id string) (auth.User, error) {
	u, err := s.env.Auth.User(ctx, id)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return u, errNoAccount
	case err != nil:
		return u, err
	case u.ID == actor.ID:
		return u, errSelf
	case u.Profile == auth.DSI:
		return u, errDSI
	case actor.Profile != auth.Director || u.SchoolID == "" || u.SchoolID != actor.SchoolID:
		return u, errNotYours
	}
	return u, nil
}

// Erase erases the account id on actor's order (see Erasable) and returns
// it as it was.
func (s *Service) Erase(ctx context.Context, actor auth.User, id string) (auth.User, error) {
	u, err := s.Erasable(ctx, actor, id)
	if err != nil {
		return u, err
	}
	return u, s.erase(ctx, u)
}

// erase walks every feature's part, the last registered first (what
// points at the register and the accounts goes before them: the
// notifications read the family from the register's links), then ends
// with the account itself, which the features read while they work. An
// erasure that stops halfway leaves the account, so the director may
// order it again: each part does nothing twice.
func (s *Service) erase(ctx context.Context, u auth.User) error {
	for _, e := range slices.Backward(s.env.Erasers) {
		if e.Erase == nil {
			continue
		}
		if err := e.Erase(s.env, ctx, u); err != nil {
			return fmt.Errorf("erase %s: %s: %w", u.ID, e.Feature, err)
		}
	}
	if err := s.env.Auth.EraseAccount(ctx, u.ID); err != nil {
		return fmt.Errorf("erase %s: account: %w", u.ID, err)
	}
	s.env.Log.InfoContext(ctx, "account erased", "id", u.ID)
	return nil
}

// Purge applies every retention rule as of the service's clock: the
// departed pupils' accounts erased, the connection logs cut, then each
// feature's own rule (mail, audit log). It reports the first failure
// after trying every rule: one rule failing holds back no other.
func (s *Service) Purge(ctx context.Context) error {
	now := s.now()
	r := s.env.Config.Retention
	var errs []error
	if err := s.eraseDeparted(ctx, now.Add(-r.DepartedAccounts)); err != nil {
		errs = append(errs, fmt.Errorf("departed accounts: %w", err))
	}
	if n, err := s.env.Auth.PurgeSessionsBefore(ctx, now.Add(-r.ConnectionLogs).Unix()); err != nil {
		errs = append(errs, fmt.Errorf("connection logs: %w", err))
	} else if n > 0 {
		s.env.Log.InfoContext(ctx, "connection logs past their retention removed", "sessions", n)
	}
	for _, e := range s.env.Erasers {
		if e.Retain == nil {
			continue
		}
		if err := e.Retain(s.env, ctx, now); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Feature, err))
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// eraseDeparted erases the school's pupils whose account was disabled
// (they left) and not written since before: the last write of a disabled
// account is its disabling, or later. A school erases its own pupils;
// central holds no pupil of its own.
func (s *Service) eraseDeparted(ctx context.Context, before time.Time) error {
	if s.env.Config.Role != config.RoleSchool {
		return nil
	}
	ids, err := store.Query(ctx, s.env.DB.Reader(), func(r store.Scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT id FROM users WHERE deleted = 0 AND disabled = 1 AND profile = 'pupil' AND school_id = ? AND hlc < ?`,
		s.env.Config.SchoolID, store.MakeHLC(before, 0))
	if err != nil {
		return err
	}
	for _, id := range ids {
		u, err := s.env.Auth.User(ctx, id)
		if err != nil {
			return err
		}
		if err := s.erase(ctx, u); err != nil {
			return err
		}
		if s.env.Audit != nil {
			if err := s.env.Audit.RecordConsole(ctx, auth.User{}, actionErase, u.ID); err != nil {
				s.env.Log.ErrorContext(ctx, "audit", "action", actionErase, "target", u.ID, "error", err)
			}
		}
	}
	return nil
}

// run applies the retention rules once a day, the first time a minute
// after the node starts (not in the rush of its start).
func (s *Service) run(ctx context.Context) {
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		if err := s.Purge(ctx); err != nil && ctx.Err() == nil {
			s.env.Log.WarnContext(ctx, "retention", "error", err)
		}
		wait = 24 * time.Hour
	}
}
