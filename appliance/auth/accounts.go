// Package auth holds the people and places of Préau: schools, classes,
// accounts with their profile, parent⇄child and class memberships, and how
// people prove who they are (password, picture password, QR login card),
// with sessions and login throttling.
//
// It imports only the store and text; features and the web layer build on it.
package auth

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
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

// Label is the profile's French name.
func (p Profile) Label() string {
	switch p {
	case Pupil:
		return "Élève"
	case Parent:
		return "Parent"
	case Teacher:
		return "Enseignant·e"
	case Director:
		return "Direction"
	case DSI:
		return "DSI de la ville"
	}
	return "Visiteur"
}

// GlobalScope is the scope of rows every node holds.
const GlobalScope = store.GlobalScope

// School is one school; its id is also the scope of its rows.
type School struct {
	ID   string
	Name string
}

// Levels are the classes of French primary school, in order.
var Levels = []string{"CP", "CE1", "CE2", "CM1", "CM2"}

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
	ErrLoginTaken    = apperr.New(apperr.ErrConflict, "cet identifiant est déjà utilisé")
	ErrWeakPassword  = apperr.New(apperr.ErrInvalid, fmt.Sprintf("le mot de passe doit faire au moins %d caractères", MinPasswordLength))
	ErrWrongPassword = apperr.New(apperr.ErrInvalid, "mot de passe actuel incorrect")
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the accounts' part of the database.
var Schema = store.Schema{
	Name:       "auth",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"schools", "classes", "users", "memberships", "guardians", "guardian_requests"},
	Unique:     map[string]store.UniqueRule{"users": {Column: "login", Flag: "login_renamed"}},
	// A parent has one account city-wide: every school of their children
	// receives it, whichever school created it.
	Carries:    map[string][]store.Carry{"guardians": {{Column: "parent_id", Table: "users"}}},
	PushChecks: pushChecks,
	// A password logs in only where its account is used: the DSI's never
	// leaves central.
	Secrets: map[string][]string{"users": {"password_hash", "picture_hash", "qr_hash"}},
	Audience: map[string]string{
		"users": `id IN (SELECT g.parent_id FROM guardians g JOIN users c ON c.id = g.child_id
			WHERE g.deleted = 0 AND c.school_id = :school)`,
	},
	Labels: map[string]store.Label{
		"users": {Row: "Compte", Columns: []store.ColumnLabel{
			{Column: "first_name", Label: "Prénom"}, {Column: "last_name", Label: "Nom de famille"},
			{Column: "login", Label: "Identifiant"}, {Column: "email", Label: "E-mail"},
			{Column: "profile", Label: "Profil", Values: profileNames()},
			{Column: "disabled", Label: "Désactivé", Flag: true}, {Column: "must_change", Label: "Mot de passe à changer", Flag: true},
		}},
		"schools": {Row: "École"},
		"classes": {Row: "Classe", Columns: []store.ColumnLabel{{Column: "level", Label: "Niveau"}}},
		"memberships": {Row: "Inscription dans une classe", Columns: []store.ColumnLabel{
			{Column: "role", Label: "Rôle", Values: map[string]string{"pupil": "élève", "teacher": "enseignant·e"}},
		}},
		"guardians": {Row: "Lien entre un parent et son enfant"},
		"guardian_requests": {Row: "Demande de rattachement d'un parent", Columns: []store.ColumnLabel{
			{Column: "status", Label: "Réponse", Values: map[string]string{LinkPending: "en attente", LinkAccepted: "acceptée", LinkRefused: "refusée"}},
		}},
	},
}

// profileNames maps each stored profile to its French name.
func profileNames() map[string]string {
	out := make(map[string]string, len(Profiles))
	for _, p := range Profiles {
		out[string(p)] = p.Label()
	}
	return out
}

const userColumns = `id, login, first_name, last_name, display_name, profile, school_id, email,
	password_hash, picture_hash, qr_hash != '', must_change, disabled, login_renamed, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created string
	err := row.Scan(&u.ID, &u.Login, &u.FirstName, &u.LastName, &u.DisplayName, &u.Profile, &u.SchoolID, &u.Email,
		&u.passwordHash, &u.pictureHash, &u.HasCard, &u.MustChange, &u.Disabled, &u.LoginRenamed, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.ErrNotFound
	}
	u.HasPicture = u.pictureHash != ""
	u.HasPassword = u.passwordHash != ""
	u.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return u, err
}

func (s *Service) queryUsers(ctx context.Context, where string, args ...any) ([]User, error) {
	rows, err := s.db.Reader().QueryContext(ctx, "SELECT "+userColumns+" FROM users WHERE deleted = 0 AND "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
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
		return scanUser(s.db.Reader().QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE deleted = 0 AND id = ?", id))
	})
}

// UserByLogin returns the account with this login, whatever its case.
func (s *Service) UserByLogin(ctx context.Context, login string) (User, error) {
	return scanUser(s.db.Reader().QueryRowContext(ctx,
		"SELECT "+userColumns+" FROM users WHERE deleted = 0 AND login = ? COLLATE NOCASE", strings.TrimSpace(login)))
}

// SchoolUsers lists a school's accounts and the parents of its pupils, by name.
func (s *Service) SchoolUsers(ctx context.Context, schoolID string) ([]User, error) {
	return s.queryUsers(ctx, `(school_id = ? OR id IN (
		SELECT g.parent_id FROM guardians g JOIN users c ON c.id = g.child_id
		WHERE g.deleted = 0 AND c.deleted = 0 AND c.school_id = ?))
		ORDER BY profile, last_name, first_name, login`, schoolID, schoolID)
}

// AllUsers lists every account, for the DSI.
func (s *Service) AllUsers(ctx context.Context) ([]User, error) {
	return s.queryUsers(ctx, "1 ORDER BY school_id, profile, last_name, first_name, login")
}

// ClassPupils lists a class's pupils by name.
func (s *Service) ClassPupils(ctx context.Context, classID string) ([]User, error) {
	return store.CachedList(s.db.Cache(), "pupils", classID, func() ([]User, error) {
		return s.queryUsers(ctx, `id IN (SELECT user_id FROM memberships WHERE deleted = 0 AND class_id = ? AND role = 'pupil')
			ORDER BY first_name, last_name`, classID)
	})
}

// ClassTeachers lists a class's teachers.
func (s *Service) ClassTeachers(ctx context.Context, classID string) ([]User, error) {
	return store.CachedList(s.db.Cache(), "teachers", classID, func() ([]User, error) {
		return s.queryUsers(ctx, `id IN (SELECT user_id FROM memberships WHERE deleted = 0 AND class_id = ? AND role = 'teacher')
			ORDER BY last_name, first_name`, classID)
	})
}

// Children lists a parent's children.
func (s *Service) Children(ctx context.Context, parentID string) ([]User, error) {
	return store.CachedList(s.db.Cache(), "children", parentID, func() ([]User, error) {
		return s.queryUsers(ctx, `id IN (SELECT child_id FROM guardians WHERE deleted = 0 AND parent_id = ?)
			ORDER BY first_name`, parentID)
	})
}

// Parents lists a pupil's parents.
func (s *Service) Parents(ctx context.Context, childID string) ([]User, error) {
	return s.queryUsers(ctx, `id IN (SELECT parent_id FROM guardians WHERE deleted = 0 AND child_id = ?)
		ORDER BY last_name, first_name`, childID)
}

// School returns one school.
func (s *Service) School(ctx context.Context, id string) (School, error) {
	return store.Cached(s.db.Cache(), "school", id, func() (School, error) {
		var sc School
		err := s.db.Reader().QueryRowContext(ctx, "SELECT id, name FROM schools WHERE deleted = 0 AND id = ?", id).Scan(&sc.ID, &sc.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return sc, apperr.ErrNotFound
		}
		return sc, err
	})
}

// Schools lists every school by name.
func (s *Service) Schools(ctx context.Context) ([]School, error) {
	rows, err := s.db.Reader().QueryContext(ctx, "SELECT id, name FROM schools WHERE deleted = 0 ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []School
	for rows.Next() {
		var sc School
		if err := rows.Scan(&sc.ID, &sc.Name); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

func (s *Service) queryClasses(ctx context.Context, where string, args ...any) ([]Class, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, school_id, name, level FROM classes WHERE deleted = 0 AND `+where+`
		ORDER BY CASE substr(level, 1, 3) WHEN 'CP' THEN 0 WHEN 'CE1' THEN 1 WHEN 'CE2' THEN 2 WHEN 'CM1' THEN 3 ELSE 4 END, name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Class
	for rows.Next() {
		var c Class
		if err := rows.Scan(&c.ID, &c.SchoolID, &c.Name, &c.Level); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Class returns one class.
func (s *Service) Class(ctx context.Context, id string) (Class, error) {
	cs, err := s.queryClasses(ctx, "id = ?", id)
	if err != nil {
		return Class{}, err
	}
	if len(cs) == 0 {
		return Class{}, apperr.ErrNotFound
	}
	return cs[0], nil
}

// SchoolClasses lists a school's classes, CP first.
func (s *Service) SchoolClasses(ctx context.Context, schoolID string) ([]Class, error) {
	return s.queryClasses(ctx, "school_id = ?", schoolID)
}

// UserClasses lists the classes a pupil or teacher belongs to.
func (s *Service) UserClasses(ctx context.Context, userID string) ([]Class, error) {
	return store.CachedList(s.db.Cache(), "classes", userID, func() ([]Class, error) {
		return s.queryClasses(ctx, "id IN (SELECT class_id FROM memberships WHERE deleted = 0 AND user_id = ?)", userID)
	})
}

// ClassCounts returns, per class id, its number of pupils.
func (s *Service) ClassCounts(ctx context.Context, schoolID string) (map[string]int, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT m.class_id, count(*) FROM memberships m
		JOIN classes c ON c.id = m.class_id JOIN users u ON u.id = m.user_id
		WHERE m.deleted = 0 AND c.deleted = 0 AND u.deleted = 0 AND m.role = 'pupil' AND c.school_id = ?
		GROUP BY m.class_id`, schoolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]int)
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
