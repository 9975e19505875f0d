package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/i18n"
	"preau/appliance/store"
	"preau/appliance/text"
)

// NewUser describes an account to create.
type NewUser struct {
	Login     string // generated from the names when empty
	FirstName string
	LastName  string
	Display   string // "First Last" when empty
	Profile   Profile
	SchoolID  string
	Email     string
	Password  string // no password login when empty (young pupils)
	// MustChange asks for a new password at first login.
	MustChange bool
	Pictures   []int // a picture password, for pupils
}

// CreateUser adds an account. Its classes and children are the register's
// (roster), which creates accounts with them through CreateUsers.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (User, error) {
	ids, err := s.CreateUsers(ctx, []NewUser{n}, nil)
	if err != nil {
		return User{}, err
	}
	return s.User(ctx, ids[0])
}

// CreateUsers adds several accounts in one transaction: all or none. Equal
// secrets are hashed once (a class imported with one first password). then,
// when set, runs in the same transaction once the accounts exist, with their
// ids in the order of ns: the register puts them in their classes and
// families, all or nothing with them.
func (s *Service) CreateUsers(ctx context.Context, ns []NewUser, then func(tx *store.Tx, ids []string) error) ([]string, error) {
	type prepared struct {
		n                 NewUser
		password, picture string // the secrets, then their hashes
	}
	ps := make([]prepared, len(ns))
	hashes := make(map[string]string) // secret → hash, each secret once
	for i := range ns {
		n := ns[i]
		if err := s.prepare(&n); err != nil {
			return nil, err
		}
		if n.Pictures != nil && !ValidSequence(n.Pictures) {
			return nil, apperr.New(apperr.ErrInvalid, "auth.err.distinct_pictures", "N", PictureLength)
		}
		ps[i] = prepared{n: n, password: n.Password}
		if n.Pictures != nil {
			ps[i].picture = encodeSequence(n.Pictures)
		}
		for _, secret := range []string{ps[i].password, ps[i].picture} {
			if secret != "" {
				hashes[secret] = ""
			}
		}
	}
	if err := s.hashAll(ctx, hashes); err != nil {
		return nil, err
	}
	for i := range ps {
		ps[i].password, ps[i].picture = hashes[ps[i].password], hashes[ps[i].picture]
	}
	ids := make([]string, len(ps))
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		for i, p := range ps {
			id, err := s.insertUser(ctx, tx, p.n, p.password, p.picture)
			if err != nil {
				return fmt.Errorf("%s : %w", p.n.Display, err)
			}
			ids[i] = id
		}
		if then != nil {
			return then(tx, ids)
		}
		return nil
	})
	return ids, err
}

// hashAll replaces each secret's value in secrets by its hash, hashing side
// by side: the hasher bounds how many run at once, so a school's import
// takes its hashes' time divided by the cores rather than their sum.
func (s *Service) hashAll(ctx context.Context, secrets map[string]string) error {
	list := make([]string, 0, len(secrets))
	for secret := range secrets {
		list = append(list, secret)
	}
	hashed := make([]string, len(list))
	errs := make([]error, len(list))
	var wg sync.WaitGroup
	for i, secret := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hashed[i], errs[i] = s.hasher.Hash(ctx, secret)
		}()
	}
	wg.Wait()
	for i, secret := range list {
		if errs[i] != nil {
			return errs[i]
		}
		secrets[secret] = hashed[i]
	}
	return nil
}

// prepare fills defaults and checks a NewUser before any hashing is done.
// Every way of creating an account comes through here, so the rules of
// typed text hold for the page, the API, the import and the CLI alike.
func (s *Service) prepare(n *NewUser) error {
	err := typedText([]textField{
		{"field.first_name", &n.FirstName, text.MaxName},
		{"field.last_name", &n.LastName, text.MaxName},
		{"field.display_name", &n.Display, text.MaxName},
		{"field.email", &n.Email, text.MaxEmail},
		{"field.login", &n.Login, MaxLogin},
	})
	if err != nil {
		return err
	}
	if n.Display == "" {
		if n.Display, err = fullName(n.FirstName, n.LastName); err != nil {
			return err
		}
	}
	if n.Display == "" {
		return apperr.New(apperr.ErrInvalid, "auth.err.name_required")
	}
	if !n.Profile.Valid() {
		return fmt.Errorf("%w : profil %q inconnu", apperr.ErrInvalid, text.Short(string(n.Profile)))
	}
	if n.Profile != DSI && n.SchoolID == "" {
		return apperr.New(apperr.ErrInvalid, "auth.err.school_required")
	}
	n.Login = strings.ToLower(n.Login)
	if n.Login != "" && !ValidLogin(n.Login) {
		return apperr.New(apperr.ErrInvalid, "auth.err.bad_login", "Value", text.Short(n.Login), "Max", MaxLogin)
	}
	return nil
}

// textField is a field of an account held to the rules of typed text.
type textField struct {
	field string // its name in a refusal
	value *string
	max   int
}

// typedText cleans each field in place, or refuses the first that breaks a
// rule.
func typedText(fields []textField) error {
	for _, f := range fields {
		var err error
		if *f.value, err = text.Line(f.field, *f.value, f.max); err != nil {
			return err
		}
	}
	return nil
}

// fullName is the display name made of the first and last names. Two names
// of MaxName each: their sum may be too long to show.
func fullName(first, last string) (string, error) {
	return text.Name("field.full_name", first+" "+last)
}

// insertUser writes a prepared account inside tx and returns its id.
func (s *Service) insertUser(ctx context.Context, tx *store.Tx, n NewUser, hash, pictureHash string) (string, error) {
	if n.Login == "" {
		login, err := freeLogin(ctx, tx, n.FirstName, n.LastName, n.Display)
		if err != nil {
			return "", err
		}
		n.Login = login
	} else {
		var taken int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE deleted = 0 AND login = ? COLLATE NOCASE", n.Login).Scan(&taken); err != nil {
			return "", err
		}
		if taken > 0 {
			return "", i18n.Error([]error{ErrLoginTaken}, "auth.err.login_taken_named", "Login", n.Login)
		}
	}
	scope := n.SchoolID
	if scope == "" {
		scope = GlobalScope
	}
	id := store.NewID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO users(id, scope, hlc, origin, login, first_name, last_name, display_name,
		profile, school_id, email, password_hash, picture_hash, must_change, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, scope, tx.HLC, tx.Origin, n.Login, n.FirstName, n.LastName, n.Display, n.Profile, n.SchoolID, n.Email,
		hash, pictureHash, n.MustChange, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return "", err
	}
	return id, nil
}

// MaxLogin is the length of the longest login, in characters.
const MaxLogin = 64

// ValidLogin reports whether a login may be chosen: 2 to 64 lower-case
// letters, digits, dots, dashes or underscores.
func ValidLogin(l string) bool {
	if len(l) < 2 || len(l) > MaxLogin {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Slug folds a name to a login part: "Léa-Marie" → "lea-marie".
func Slug(s string) string {
	folded := text.StripAccents(strings.ToLower(strings.TrimSpace(s)))
	var b strings.Builder
	for _, r := range folded {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\'' || r == '.':
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// freeLogin returns "first.last", or the first free "first.last2", ...
func freeLogin(ctx context.Context, tx *store.Tx, first, last, display string) (string, error) {
	base := strings.Trim(Slug(first)+"."+Slug(last), ".")
	if base == "" {
		base = Slug(display)
	}
	if len(base) < 2 {
		base = "compte"
	}
	for i := 1; i < 10000; i++ {
		login := base
		if i > 1 {
			login = fmt.Sprintf("%s%d", base, i)
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE deleted = 0 AND login = ? COLLATE NOCASE", login).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return login, nil
		}
	}
	return "", errors.New("no free login")
}

// update writes columns of one user row, stamping it.
func (s *Service) update(ctx context.Context, userID, set string, args ...any) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET "+set+", hlc = ?, origin = ? WHERE deleted = 0 AND id = ?",
			append(args, tx.HLC, tx.Origin, userID)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		return nil
	})
}

// SetPassword sets a new password. mustChange asks for another at next login
// (a reset by the director).
func (s *Service) SetPassword(ctx context.Context, userID, password string, mustChange bool) error {
	if len([]rune(password)) < MinPasswordLength {
		return ErrWeakPassword
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	if err := s.update(ctx, userID, "password_hash = ?, must_change = ?", hash, mustChange); err != nil {
		return err
	}
	return s.EndUserSessions(ctx, userID)
}

// ChangePassword is a user changing their own password from sess; ip is
// where the request comes from. The account's other sessions end, so that
// whoever used a leaked password is out, while sess stays open. Guesses at
// the current password are throttled under the account's login key, like
// logins: it is the same secret, and a stolen session must not get more
// tries at it than the login form gives.
func (s *Service) ChangePassword(ctx context.Context, sess Session, current, next, ip string) error {
	u, err := s.User(ctx, sess.User.ID)
	if err != nil {
		return err
	}
	key := loginKey(u.Login)
	if wait := s.throttle.Blocked(key, ip); wait > 0 {
		return &ThrottledError{Wait: wait}
	}
	ok, err := s.hasher.Verify(ctx, u.passwordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		s.throttle.Fail(key, ip)
		return ErrWrongPassword
	}
	s.throttle.Succeed(key)
	if len([]rune(next)) < MinPasswordLength {
		return ErrWeakPassword
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	if err := s.update(ctx, u.ID, "password_hash = ?, must_change = 0", hash); err != nil {
		return err
	}
	return s.endSessions(ctx, u.ID, sess.hash)
}

// AcknowledgeLogin records that a user has seen that sync renamed their login.
func (s *Service) AcknowledgeLogin(ctx context.Context, userID string) error {
	return s.update(ctx, userID, "login_renamed = 0")
}

// SetLanguage records the interface language a person chose: "fr", "en"
// or "ar" exactly, anything else refused with what to send. It replicates
// like any account field, so the choice follows them everywhere.
func (s *Service) SetLanguage(ctx context.Context, userID, lang string) error {
	l, ok := i18n.Parse(lang)
	if !ok || string(l) != lang {
		return apperr.New(apperr.ErrInvalid, "account.error.language", "Value", text.Short(lang))
	}
	return s.update(ctx, userID, "language = ?", lang)
}

// SetDisabled disables or re-enables an account; disabling ends its sessions.
func (s *Service) SetDisabled(ctx context.Context, userID string, disabled bool) error {
	_, err := s.ChangeUser(ctx, userID, UserChange{Disabled: &disabled})
	return err
}

// UserChange is a change to an account's names, e-mail or state; a nil
// field stays as it is.
type UserChange struct {
	FirstName, LastName, Display, Email *string
	Disabled                            *bool
}

// ChangeUser applies c to an account in one write, holding what it sets to
// the rules an account's creation follows. A display name made of the first
// and last names follows them when they change, unless c sets one; an empty
// one is made of them again. Only the columns that change are written, and
// nothing when none does. Disabling ends the account's sessions.
func (s *Service) ChangeUser(ctx context.Context, userID string, c UserChange) (User, error) {
	// From the database, not the read cache: what is written is what differs
	// from the row, which a `preau user` command may have just changed.
	u, err := ScanUser(s.db.Reader().QueryRowContext(ctx, "SELECT "+UserColumns+" FROM users WHERE deleted = 0 AND id = ?", userID))
	if err != nil {
		return u, err
	}
	first, last, display, email := u.FirstName, u.LastName, u.DisplayName, u.Email
	var fields []textField
	for _, f := range []struct {
		in   *string
		to   *string
		name string
		max  int
	}{
		{c.FirstName, &first, "field.first_name", text.MaxName},
		{c.LastName, &last, "field.last_name", text.MaxName},
		{c.Display, &display, "field.display_name", text.MaxName},
		{c.Email, &email, "field.email", text.MaxEmail},
	} {
		if f.in != nil {
			*f.to = *f.in
			fields = append(fields, textField{f.name, f.to, f.max})
		}
	}
	if err := typedText(fields); err != nil {
		return u, err
	}
	derived, _ := fullName(u.FirstName, u.LastName)
	if c.Display != nil && display == "" || c.Display == nil && u.DisplayName == derived {
		if display, err = fullName(first, last); err != nil {
			return u, err
		}
	}
	if display == "" {
		return u, apperr.New(apperr.ErrInvalid, "auth.err.name_required")
	}
	var set []string
	var args []any
	for _, col := range []struct {
		name       string
		was, value any
	}{
		{"first_name", u.FirstName, first}, {"last_name", u.LastName, last},
		{"display_name", u.DisplayName, display}, {"email", u.Email, email},
	} {
		if col.value != col.was {
			set, args = append(set, col.name+" = ?"), append(args, col.value)
		}
	}
	if c.Disabled != nil && *c.Disabled != u.Disabled {
		set, args = append(set, "disabled = ?"), append(args, *c.Disabled)
	}
	if len(set) == 0 {
		return u, nil
	}
	if err := s.update(ctx, userID, strings.Join(set, ", "), args...); err != nil {
		return u, err
	}
	if c.Disabled != nil && *c.Disabled {
		if err := s.EndUserSessions(ctx, userID); err != nil {
			return u, err
		}
	}
	return s.User(ctx, userID)
}
