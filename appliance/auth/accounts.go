// Package auth is who people are: accounts with their profile and
// credentials, and how people prove who they are (password, picture
// password, QR login card), with sessions and login throttling. Where they
// belong — schools, classes, families — is the school register's (package
// roster), which composes accounts; School and Class are only named here,
// for every layer to speak of them.
//
// It imports only apperr, store and text; features and the web layer build
// on it.
package auth

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// Profile is what a person is in the school, and decides their interface.
type Profile string

const (
	Pupil     Profile = "pupil"
	Parent    Profile = "parent"
	Teacher   Profile = "teacher"
	Director  Profile = "director"
	DSI       Profile = "dsi"
	Anonymous Profile = "anonymous" // no one logged in; never stored
)

// Profiles lists the stored profiles.
var Profiles = []Profile{Pupil, Parent, Teacher, Director, DSI}

// Valid reports whether p is a stored profile.
func (p Profile) Valid() bool {
	for _, q := range Profiles {
		if p == q {
			return true
		}
	}
	return false
}

// LabelKey is the catalogue key of the profile's name ("profile.pupil"):
// say it in the reader's language.
func (p Profile) LabelKey() string { return "profile." + string(p) }

// GlobalScope is the scope of rows every node holds.
const GlobalScope = store.GlobalScope

// School is one school; its id is also the scope of its rows.
type School struct {
	ID   string
	Name string
}

// Class is a class of one school year.
type Class struct {
	ID       string
	SchoolID string
	Name     string
	Level    string
}

// User is an account.
type User struct {
	ID          string
	Login       string
	FirstName   string
	LastName    string
	DisplayName string
	Profile     Profile
	SchoolID    string
	Email       string
	Language    string // "fr", "en", "ar", or "" while they have not chosen
	MustChange  bool
	Disabled    bool
	HasPicture  bool
	HasCard     bool
	HasPassword bool
	// LoginRenamed: sync changed this login, which another school had given
	// to someone else while the link was down; its owner has not seen it yet.
	LoginRenamed bool
	CreatedAt    time.Time

	passwordHash, pictureHash string
}

// Errors callers can test for; their text is shown to users as is. Each is
// of a kind of apperr, which says how pages and the API answer it.
var (
	ErrLoginTaken    = apperr.New(apperr.ErrConflict, "auth.err.login_taken")
	ErrWeakPassword  = apperr.New(apperr.ErrInvalid, "auth.err.weak_password", "Min", MinPasswordLength)
	ErrWrongPassword = apperr.New(apperr.ErrInvalid, "auth.err.wrong_password")
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the accounts' part of the database. Its migrations made the
// register's tables too, before the register had a package of its own: they
// stay here, applied once under this component (see roster.Schema).
var Schema = store.Schema{
	Name:       "auth",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"users"},
	Unique:     map[string]store.UniqueRule{"users": {Column: "login", Flag: "login_renamed"}},
	PushChecks: pushChecks,
	// A password logs in only where its account is used: the DSI's never
	// leaves central.
	Secrets: map[string][]string{"users": {"password_hash", "picture_hash", "qr_hash"}},
	Labels: map[string]store.Label{
		"users": {Row: "auth.label.account", Columns: []store.ColumnLabel{
			{Column: "first_name", Label: "auth.label.first_name"}, {Column: "last_name", Label: "auth.label.last_name"},
			{Column: "login", Label: "auth.label.login"}, {Column: "email", Label: "auth.label.email"},
			{Column: "profile", Label: "auth.label.profile", Values: profileNames()},
			{Column: "disabled", Label: "auth.label.disabled", Flag: true}, {Column: "must_change", Label: "auth.label.must_change", Flag: true},
			{Column: "language", Label: "auth.label.language", Values: map[string]string{"fr": "language.fr", "en": "language.en", "ar": "language.ar"}},
		}},
	},
}

// profileNames maps each stored profile to the catalogue key of its name.
func profileNames() map[string]string {
	out := make(map[string]string, len(Profiles))
	for _, p := range Profiles {
		out[string(p)] = p.LabelKey()
	}
	return out
}

// UserColumns are the columns of users that ScanUser reads: the register
// joins accounts to classes and families with them.
const UserColumns = `id, login, first_name, last_name, display_name, profile, school_id, email,
	password_hash, picture_hash, qr_hash != '', must_change, disabled, login_renamed, created_at, language`

// ScanUser reads an account from a row of UserColumns; ErrNotFound when
// there is none.
func ScanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created string
	err := row.Scan(&u.ID, &u.Login, &u.FirstName, &u.LastName, &u.DisplayName, &u.Profile, &u.SchoolID, &u.Email,
		&u.passwordHash, &u.pictureHash, &u.HasCard, &u.MustChange, &u.Disabled, &u.LoginRenamed, &created, &u.Language)
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.ErrNotFound
	}
	u.HasPicture = u.pictureHash != ""
	u.HasPassword = u.passwordHash != ""
	u.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return u, err
}

func (s *Service) queryUsers(ctx context.Context, where string, args ...any) ([]User, error) {
	rows, err := s.db.Reader().QueryContext(ctx, "SELECT "+UserColumns+" FROM users WHERE deleted = 0 AND "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := ScanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// User returns the account with this id.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	return store.Cached(s.db.Cache(), "user", id, func() (User, error) {
		return ScanUser(s.db.Reader().QueryRowContext(ctx, "SELECT "+UserColumns+" FROM users WHERE deleted = 0 AND id = ?", id))
	})
}

// UserByLogin returns the account with this login, whatever its case.
func (s *Service) UserByLogin(ctx context.Context, login string) (User, error) {
	return ScanUser(s.db.Reader().QueryRowContext(ctx,
		"SELECT "+UserColumns+" FROM users WHERE deleted = 0 AND login = ? COLLATE NOCASE", strings.TrimSpace(login)))
}

// AllUsers lists every account, for the DSI.
func (s *Service) AllUsers(ctx context.Context) ([]User, error) {
	return s.queryUsers(ctx, "1 ORDER BY school_id, profile, last_name, first_name, login")
}
