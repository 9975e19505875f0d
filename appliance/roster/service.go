package roster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/text"
)

// Service is the school register: schools, classes, who is in each class,
// who is whose parent, and the import of a school's people. The pages, the
// API and `preau user add|import` share it, and it holds the register's
// rules: who may create whom, with what password, where. An account's
// credentials and sessions are auth's; the register composes them, creating
// an account and its place in the register in one transaction. Every other
// feature reads it through feature.Register.
type Service struct {
	db       *store.DB
	accounts *auth.Service
}

var _ feature.Register = (*Service)(nil)

// NewService builds the register on the node's store and accounts. It
// keeps nothing of its own (its reads share the store's cache), so that a
// command may build one as the server does.
func NewService(db *store.DB, accounts *auth.Service) *Service {
	return &Service{db: db, accounts: accounts}
}

// ValidSchoolID checks a school id: it is also a scope and appears in URLs
// and configuration, so lowercase letters, digits, - and _ only.
func ValidSchoolID(id string) error {
	if id == "" || len(id) > 64 || id == store.GlobalScope {
		return apperr.New(apperr.ErrInvalid, "roster.err.school_id_length", "ID", text.Short(id))
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return apperr.New(apperr.ErrInvalid, "roster.err.school_id_chars", "ID", text.Short(id))
		}
	}
	return nil
}

// CreateSchool adds a school, or renames it when it exists.
func (s *Service) CreateSchool(ctx context.Context, id, name string) error {
	if err := ValidSchoolID(id); err != nil {
		return err
	}
	name, err := text.Name("field.school_name", name)
	if err != nil {
		return err
	}
	if id == "" || name == "" {
		return apperr.New(apperr.ErrInvalid, "roster.err.school_id_name")
	}
	return s.writeSchool(ctx, id, name)
}

// EnsureSchool creates a school under name unless it exists: a school's
// server makes its own row the first time, and renames nothing central
// named since.
func (s *Service) EnsureSchool(ctx context.Context, id, name string) error {
	if _, err := s.School(ctx, id); !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	return s.CreateSchool(ctx, id, name)
}

// Levels are the classes of French primary school, in order.
var Levels = feature.Levels

// ValidLevel accepts a level or a double level ("CE2-CM1").
func ValidLevel(level string) bool {
	parts := strings.Split(level, "-")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		ok := false
		for _, l := range Levels {
			ok = ok || p == l
		}
		if !ok {
			return false
		}
	}
	return true
}

// CreateClass adds a class to a school.
func (s *Service) CreateClass(ctx context.Context, schoolID, name, level string) (auth.Class, error) {
	c := auth.Class{ID: store.NewID(), SchoolID: schoolID, Level: strings.ToUpper(strings.TrimSpace(level))}
	var err error
	if c.Name, err = text.Name("field.class_name", name); err != nil {
		return c, err
	}
	if c.Name == "" {
		return c, apperr.New(apperr.ErrInvalid, "roster.err.class_name_required")
	}
	if !ValidLevel(c.Level) {
		return c, apperr.New(apperr.ErrInvalid, "roster.err.unknown_level", "Value", text.Short(level))
	}
	if _, err := s.School(ctx, schoolID); err != nil {
		return c, fmt.Errorf("school %q: %w", schoolID, err)
	}
	return c, s.insertClass(ctx, c)
}

// AddToClass puts a pupil or teacher in a class (idempotent).
func (s *Service) AddToClass(ctx context.Context, classID, userID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error { return joinClass(ctx, tx, classID, userID) })
}

// LinkChild makes parent a guardian of child (idempotent), whichever school
// each belongs to: the DSI's act, and tests'. A director's links go through
// an import, which asks a parent of another school instead.
func (s *Service) LinkChild(ctx context.Context, parentID, childID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error { return addGuardian(ctx, tx, parentID, childID) })
}

// NewUser is an account to create with its place in the register.
type NewUser struct {
	auth.NewUser
	ClassIDs []string // the classes a pupil or teacher joins
	ChildIDs []string // a parent's children
}

// CreateUser creates an account in its classes and family, in one
// transaction. It checks what the register's integrity needs (the classes
// and children exist) and nothing of who asks: the demo, imports and tests
// call it; people's requests go through Add.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (auth.User, error) {
	ids, err := s.CreateUsers(ctx, []NewUser{n})
	if err != nil {
		return auth.User{}, err
	}
	return s.accounts.User(ctx, ids[0])
}

// CreateUsers is CreateUser for several accounts, all in one transaction.
func (s *Service) CreateUsers(ctx context.Context, ns []NewUser) ([]string, error) {
	return s.ImportUsers(ctx, ns, Links{})
}

// Ref names an account in an import: an existing one by ID or, when ID is
// empty, the one the import creates at index New of its batch.
type Ref struct {
	ID  string
	New int
}

func (r Ref) resolve(ids []string) (string, error) {
	if r.ID != "" {
		return r.ID, nil
	}
	if r.New < 0 || r.New >= len(ids) {
		return "", fmt.Errorf("%w: account %d missing from the imported batch", apperr.ErrInvalid, r.New)
	}
	return ids[r.New], nil
}

// Guardianship makes Parent a guardian of Child.
type Guardianship struct{ Parent, Child Ref }

// ClassJoin puts a pupil or teacher in a class.
type ClassJoin struct {
	User    Ref
	ClassID string
}

// Links are what an import adds beyond each new account's own ClassIDs and
// ChildIDs: links whose ends may be new in the same batch (a parent and the
// child imported with them) or exist already (a known parent gets a new
// child, a known teacher a new class).
type Links struct {
	Guardians []Guardianship
	Classes   []ClassJoin
	By        string // who imports: named on the requests sent to parents of other schools
}

// ImportUsers creates the accounts of ns in their classes and families, and
// adds links, in one transaction: all or nothing. It returns the new
// accounts' ids, in the order of ns. A parent whose account belongs to
// another school than the child's is asked rather than linked.
func (s *Service) ImportUsers(ctx context.Context, ns []NewUser, links Links) ([]string, error) {
	accounts := make([]auth.NewUser, len(ns))
	for i, n := range ns {
		accounts[i] = n.NewUser
	}
	return s.accounts.CreateUsers(ctx, accounts, func(tx *store.Tx, ids []string) error {
		for i, n := range ns {
			for _, c := range n.ClassIDs {
				if err := joinClass(ctx, tx, c, ids[i]); err != nil {
					return fmt.Errorf("%s : %w", displayName(n.NewUser), err)
				}
			}
			for _, child := range n.ChildIDs {
				if _, err := linkOrAsk(ctx, tx, ids[i], child, links.By); err != nil {
					return fmt.Errorf("%s : %w", displayName(n.NewUser), err)
				}
			}
		}
		for _, g := range links.Guardians {
			parent, err := g.Parent.resolve(ids)
			if err != nil {
				return err
			}
			child, err := g.Child.resolve(ids)
			if err != nil {
				return err
			}
			if _, err := linkOrAsk(ctx, tx, parent, child, links.By); err != nil {
				return err
			}
		}
		for _, c := range links.Classes {
			user, err := c.User.resolve(ids)
			if err != nil {
				return err
			}
			if err := joinClass(ctx, tx, c.ClassID, user); err != nil {
				return err
			}
		}
		return nil
	})
}

// displayName names an account to create in an error about it.
func displayName(n auth.NewUser) string {
	if n.Display != "" {
		return n.Display
	}
	return strings.TrimSpace(n.FirstName + " " + n.LastName)
}
