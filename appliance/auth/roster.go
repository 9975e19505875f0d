package auth

import (
	"context"
	"fmt"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// What the school register (package roster) needs beyond single accounts:
// whole-school views of memberships and guardianships in one query each, and
// an import that creates accounts and links them to existing ones in one
// transaction.

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
		return "", fmt.Errorf("%w : compte %d absent du lot importé", apperr.ErrInvalid, r.New)
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

// ImportUsers creates the accounts of ns and adds links, in one transaction:
// all or nothing. It returns the new accounts' ids, in the order of ns.
func (s *Service) ImportUsers(ctx context.Context, ns []NewUser, links Links) ([]string, error) {
	return s.createUsers(ctx, ns, func(tx *store.Tx, ids []string) error {
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
			var profile Profile
			if err := tx.QueryRowContext(ctx, "SELECT profile FROM users WHERE deleted = 0 AND id = ?", user).Scan(&profile); err != nil {
				return fmt.Errorf("%w : compte inconnu", apperr.ErrInvalid)
			}
			role := "teacher"
			if profile == Pupil {
				role = "pupil"
			}
			if err := addMembership(ctx, tx, c.ClassID, user, role); err != nil {
				return err
			}
		}
		return nil
	})
}

// ValidLogin reports whether a login may be chosen: 2 to 64 lower-case
// letters, digits, dots, dashes or underscores.
func ValidLogin(login string) bool { return validLogin(login) }

// Memberships maps each pupil or teacher to their classes in one school, or
// in every school when schoolID is empty.
func (s *Service) Memberships(ctx context.Context, schoolID string) (map[string][]Class, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT m.user_id, c.id, c.school_id, c.name, c.level
		FROM memberships m JOIN classes c ON c.id = m.class_id
		WHERE m.deleted = 0 AND c.deleted = 0 AND (? = '' OR c.school_id = ?) ORDER BY c.name`, schoolID, schoolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string][]Class)
	for rows.Next() {
		var user string
		var c Class
		if err := rows.Scan(&user, &c.ID, &c.SchoolID, &c.Name, &c.Level); err != nil {
			return nil, err
		}
		out[user] = append(out[user], c)
	}
	return out, rows.Err()
}

// Guardianships maps each parent to the ids of their children in one school,
// or in every school when schoolID is empty.
func (s *Service) Guardianships(ctx context.Context, schoolID string) (map[string][]string, error) {
	return s.pairs(ctx, `SELECT g.parent_id, g.child_id FROM guardians g JOIN users c ON c.id = g.child_id
		WHERE g.deleted = 0 AND c.deleted = 0 AND (? = '' OR c.school_id = ?) ORDER BY c.first_name, c.last_name`, schoolID, schoolID)
}

// pairs runs a query of two text columns and groups the second by the first.
func (s *Service) pairs(ctx context.Context, query string, args ...any) (map[string][]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string][]string)
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return nil, err
		}
		out[key] = append(out[key], value)
	}
	return out, rows.Err()
}

// UsersByLogins returns the accounts holding these logins anywhere in the
// city, keyed by lower-case login.
func (s *Service) UsersByLogins(ctx context.Context, logins []string) (map[string]User, error) {
	us, err := s.usersWhereIn(ctx, "login COLLATE NOCASE", logins)
	out := make(map[string]User, len(us))
	for _, u := range us {
		out[strings.ToLower(u.Login)] = u
	}
	return out, err
}

// ParentsByEmails returns the parent accounts with these e-mail addresses
// anywhere in the city (one person, one account), keyed by lower-case
// address.
func (s *Service) ParentsByEmails(ctx context.Context, emails []string) (map[string]User, error) {
	us, err := s.usersWhereIn(ctx, "lower(email)", emails)
	out := make(map[string]User, len(us))
	for _, u := range us {
		if u.Profile == Parent {
			out[strings.ToLower(u.Email)] = u
		}
	}
	return out, err
}

// usersWhereIn lists the accounts whose column expression is one of the
// lower-cased values, asking in chunks to stay under SQLite's limit on
// parameters.
func (s *Service) usersWhereIn(ctx context.Context, expr string, values []string) ([]User, error) {
	const chunk = 500
	var out []User
	for start := 0; start < len(values); start += chunk {
		part := values[start:min(start+chunk, len(values))]
		args := make([]any, len(part))
		for i, v := range part {
			args[i] = strings.ToLower(strings.TrimSpace(v))
		}
		us, err := s.queryUsers(ctx, expr+" IN (?"+strings.Repeat(", ?", len(part)-1)+")", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
	}
	return out, nil
}
