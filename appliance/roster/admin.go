package roster

import (
	"context"
	"errors"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/i18n"
	"preau/appliance/text"
)

// The rules of administering accounts, one check each for the pages, the
// API and the command line: who may create whom, with what password, where;
// who may change, disable or set the password of an account.

// CanAdminister reports whether actor manages target's account: the DSI any
// account, a director the accounts that belong to their school. Being linked
// to one of a director's pupils gives the director no power over a parent
// whose account belongs to another school: that school administers it.
func (s *Service) CanAdminister(ctx context.Context, actor, target auth.User) (bool, error) {
	switch actor.Profile {
	case auth.DSI:
		return true, nil
	case auth.Director:
		return target.Profile != auth.DSI && target.SchoolID != "" && target.SchoolID == actor.SchoolID, nil
	}
	return false, nil
}

// errNotYours refuses an administrator an account of another school.
var errNotYours = apperr.New(apperr.ErrForbidden, "roster.err.not_yours")

func (s *Service) administers(ctx context.Context, actor, target auth.User) error {
	ok, err := s.CanAdminister(ctx, actor, target)
	if err == nil && !ok {
		err = errNotYours
	}
	return err
}

// Add creates the account an administrator asks for through the API, with
// the password they give: held to checkNew's rules, and the password to
// auth.MinPasswordLength characters at least.
func (s *Service) Add(ctx context.Context, actor auth.User, n NewUser) (auth.User, error) {
	if len([]rune(n.Password)) < auth.MinPasswordLength {
		return auth.User{}, auth.ErrWeakPassword
	}
	if _, err := s.checkNew(ctx, actor, &n); err != nil {
		return auth.User{}, err
	}
	return s.CreateUser(ctx, n)
}

// AddWithSecrets creates the account an administrator asks for on a page,
// held to checkNew's rules, with first-login secrets it makes: a password to
// change at first login, and pictures for a young pupil. It returns them,
// to be shown once: only their hashes are kept.
func (s *Service) AddWithSecrets(ctx context.Context, actor auth.User, n NewUser) (auth.User, Credential, error) {
	classes, err := s.checkNew(ctx, actor, &n)
	if err != nil {
		return auth.User{}, Credential{}, err
	}
	newSecrets(&n.NewUser, classes)
	u, err := s.CreateUser(ctx, n)
	if err != nil {
		return u, Credential{}, err
	}
	c := credential(u, n.Password, n.Pictures)
	c.Detail = i18n.M("profile." + string(n.Profile))
	return u, c, nil
}

// AddFromConsole creates the account whoever runs preau on the server asks
// for: no administrator's limits (any profile, a pupil in no class yet, a
// parent before their children), but an existing school, classes of that
// school, and a password of auth.MinPasswordLength characters at least.
func (s *Service) AddFromConsole(ctx context.Context, n NewUser) (auth.User, error) {
	if len([]rune(n.Password)) < auth.MinPasswordLength {
		return auth.User{}, auth.ErrWeakPassword
	}
	if n.Profile != auth.DSI {
		if _, err := s.School(ctx, n.SchoolID); errors.Is(err, apperr.ErrNotFound) {
			return auth.User{}, apperr.New(apperr.ErrInvalid, "roster.err.unknown_school", "ID", text.Short(n.SchoolID))
		} else if err != nil {
			return auth.User{}, err
		}
	}
	if _, err := s.schoolClasses(ctx, n.SchoolID, n.ClassIDs); err != nil {
		return auth.User{}, err
	}
	return s.CreateUser(ctx, n)
}

// creatable lists the profiles an administrator may create: a director the
// school's pupils, parents and teachers; the DSI also directors and DSI.
func creatable(actor auth.User) []auth.Profile {
	switch actor.Profile {
	case auth.DSI:
		return []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI}
	case auth.Director:
		return []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher}
	}
	return nil
}

// checkNew checks an account an administrator asks for, for the pages and
// the API alike: a profile they may create, in a school they manage, a pupil
// in exactly one of its classes, a parent with at least one of its pupils.
// It returns the classes the account joins.
func (s *Service) checkNew(ctx context.Context, actor auth.User, n *NewUser) ([]auth.Class, error) {
	if !n.Profile.Valid() {
		return nil, apperr.New(apperr.ErrInvalid, "roster.err.unknown_profile", "Value", text.Short(string(n.Profile)))
	}
	allowed := false
	for _, p := range creatable(actor) {
		allowed = allowed || p == n.Profile
	}
	if !allowed {
		return nil, apperr.New(apperr.ErrForbidden, "roster.err.dsi_creates", "Profile", i18n.M("profile."+string(n.Profile)))
	}
	if err := checkEmail(n.Email); err != nil {
		return nil, err
	}
	if n.Profile == auth.DSI {
		if n.SchoolID != "" || len(n.ClassIDs)+len(n.ChildIDs) > 0 {
			return nil, apperr.New(apperr.ErrInvalid, "roster.err.dsi_no_school")
		}
		return nil, nil
	}
	if n.SchoolID == "" {
		return nil, apperr.New(apperr.ErrInvalid, "roster.err.school_required")
	}
	if actor.Profile == auth.Director && n.SchoolID != actor.SchoolID {
		return nil, apperr.New(apperr.ErrForbidden, "roster.err.own_school_only")
	}
	if _, err := s.School(ctx, n.SchoolID); errors.Is(err, apperr.ErrNotFound) {
		return nil, apperr.New(apperr.ErrInvalid, "roster.err.unknown_school", "ID", text.Short(n.SchoolID))
	} else if err != nil {
		return nil, err
	}
	classes, err := s.schoolClasses(ctx, n.SchoolID, n.ClassIDs)
	if err != nil {
		return nil, err
	}
	switch n.Profile {
	case auth.Pupil:
		if len(classes) != 1 {
			return nil, apperr.New(apperr.ErrInvalid, "roster.err.one_class")
		}
		n.ChildIDs = nil
	case auth.Parent:
		if len(classes) > 0 {
			return nil, apperr.New(apperr.ErrInvalid, "roster.err.parent_no_class")
		}
		return nil, s.checkChildren(ctx, n.SchoolID, n.ChildIDs)
	default:
		if len(n.ChildIDs) > 0 {
			return nil, apperr.New(apperr.ErrInvalid, "roster.err.only_parent_children")
		}
	}
	return classes, nil
}

func checkEmail(email string) error {
	if email != "" && !validEmail(email) {
		return apperr.New(apperr.ErrInvalid, "roster.err.bad_email", "Value", text.Short(email))
	}
	return nil
}

// schoolClasses resolves class ids, each of which must be the school's.
func (s *Service) schoolClasses(ctx context.Context, schoolID string, ids []string) ([]auth.Class, error) {
	var out []auth.Class
	for _, id := range ids {
		c, err := s.Class(ctx, id)
		if errors.Is(err, apperr.ErrNotFound) || err == nil && c.SchoolID != schoolID {
			return nil, apperr.New(apperr.ErrInvalid, "roster.err.unknown_class_here")
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Service) checkChildren(ctx context.Context, schoolID string, ids []string) error {
	if len(ids) == 0 {
		return apperr.New(apperr.ErrInvalid, "roster.err.choose_child")
	}
	for _, id := range ids {
		c, err := s.accounts.User(ctx, id)
		if errors.Is(err, apperr.ErrNotFound) || err == nil && (c.Profile != auth.Pupil || c.SchoolID != schoolID) {
			return apperr.New(apperr.ErrInvalid, "roster.err.unknown_child_here")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Nobody disables their own account or sets their own password from the
// register: the person changes it knowing the current one, from
// « Mot de passe » or POST /api/v1/me/password.
var (
	errDisableSelf = apperr.New(apperr.ErrInvalid, "roster.err.disable_self")
	errOwnPassword = apperr.New(apperr.ErrInvalid, "roster.err.own_password")
)

// ChangeAccount applies an administrator's change to target's account:
// names, e-mail, disabled or not. Nobody disables their own account; auth
// holds the text to its rules.
func (s *Service) ChangeAccount(ctx context.Context, actor, target auth.User, c auth.UserChange) (auth.User, error) {
	if err := s.administers(ctx, actor, target); err != nil {
		return target, err
	}
	if c.Disabled != nil && *c.Disabled && target.ID == actor.ID {
		return target, errDisableSelf
	}
	if c.Email != nil {
		if err := checkEmail(*c.Email); err != nil {
			return target, err
		}
	}
	return s.accounts.ChangeUser(ctx, target.ID, c)
}

// SetAccountPassword sets the password an administrator gives target's
// account; its sessions end. Nobody sets their own here, and a pupil who
// logs in with pictures is never asked to change a typed password, which at
// six would lock them out.
func (s *Service) SetAccountPassword(ctx context.Context, actor, target auth.User, password string, mustChange bool) error {
	if err := s.checkPassword(ctx, actor, target); err != nil {
		return err
	}
	if mustChange && picturePupil(target) {
		return apperr.New(apperr.ErrInvalid, "roster.err.picture_pupil_must_change")
	}
	return s.accounts.SetPassword(ctx, target.ID, password, mustChange)
}

// ResetPassword gives target's account a new generated password, which the
// person must change at next login (but a pupil who logs in with pictures);
// its sessions end. It returns the password, to be shown once.
func (s *Service) ResetPassword(ctx context.Context, actor, target auth.User) (Credential, error) {
	if err := s.checkPassword(ctx, actor, target); err != nil {
		return Credential{}, err
	}
	password := auth.GeneratePassword()
	if err := s.accounts.SetPassword(ctx, target.ID, password, !picturePupil(target)); err != nil {
		return Credential{}, err
	}
	c := credential(target, password, nil)
	c.Detail = i18n.M("profile." + string(target.Profile))
	return c, nil
}

func (s *Service) checkPassword(ctx context.Context, actor, target auth.User) error {
	if err := s.administers(ctx, actor, target); err != nil {
		return err
	}
	if target.ID == actor.ID {
		return errOwnPassword
	}
	return nil
}

// picturePupil: a pupil who logs in with pictures.
func picturePupil(u auth.User) bool { return u.Profile == auth.Pupil && u.HasPicture }
