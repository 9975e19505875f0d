package roster

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The register's SQL, all of it: schools, classes, who is in each class and
// who is whose parent, the requests to link a parent of another school, and
// the accounts these join. A port of central to PostgreSQL rewrites this
// file.

// Schema is the register's part of the database. Its tables were made by
// auth's migrations 0001, 0003 and 0005, before the register had a package
// of its own: the files stay there, applied under the component "auth" as
// every data directory already has them, and none runs again. The
// register's later migrations go in roster/migrations, numbered under the
// component "roster".
var Schema = store.Schema{
	Name:       "roster",
	Replicated: []string{"schools", "classes", "memberships", "guardians", "guardian_requests"},
	// A parent has one account city-wide: every school of their children
	// receives it, whichever school created it. Writing a link carries the
	// account along, and a school's audience takes in the parents of its
	// pupils.
	Carries: map[string][]store.Carry{"guardians": {{Column: "parent_id", Table: "users"}}},
	Audience: map[string]string{
		"users": `id IN (SELECT g.parent_id FROM guardians g JOIN users c ON c.id = g.child_id
			WHERE g.deleted = 0 AND c.school_id = :school)`,
	},
	PushChecks: pushChecks,
	Labels: map[string]store.Label{
		"schools": {Row: "roster.label.school"},
		"classes": {Row: "roster.label.class", Columns: []store.ColumnLabel{{Column: "level", Label: "roster.level"}}},
		"memberships": {Row: "roster.label.membership", Columns: []store.ColumnLabel{
			{Column: "role", Label: "roster.label.role", Values: map[string]string{"pupil": "profile.pupil", "teacher": "profile.teacher"}},
		}},
		"guardians": {Row: "roster.label.guardian"},
		"guardian_requests": {Row: "roster.label.request", Columns: []store.ColumnLabel{
			{Column: "status", Label: "roster.label.answer", Values: map[string]string{LinkPending: "roster.label.pending",
				LinkAccepted: "roster.label.accepted", LinkRefused: "roster.label.refused"}},
		}},
	},
}

// School returns one school.
func (s *Service) School(ctx context.Context, id string) (auth.School, error) {
	return store.Cached(s.db.Cache(), "school", id, func() (auth.School, error) {
		var sc auth.School
		err := s.db.Reader().QueryRowContext(ctx, "SELECT id, name FROM schools WHERE deleted = 0 AND id = ?", id).Scan(&sc.ID, &sc.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return sc, apperr.ErrNotFound
		}
		return sc, err
	})
}

// Schools lists every school by name.
func (s *Service) Schools(ctx context.Context) ([]auth.School, error) {
	rows, err := s.db.Reader().QueryContext(ctx, "SELECT id, name FROM schools WHERE deleted = 0 ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auth.School
	for rows.Next() {
		var sc auth.School
		if err := rows.Scan(&sc.ID, &sc.Name); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// writeSchool adds a school, or renames it when it exists.
func (s *Service) writeSchool(ctx context.Context, id, name string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO schools(id, scope, hlc, origin, name) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET name = excluded.name, hlc = excluded.hlc, origin = excluded.origin, deleted = 0`,
			id, id, tx.HLC, tx.Origin, name)
		return err
	})
}

func (s *Service) queryClasses(ctx context.Context, where string, args ...any) ([]auth.Class, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, school_id, name, level FROM classes WHERE deleted = 0 AND `+where+`
		ORDER BY CASE substr(level, 1, 3) WHEN 'CP' THEN 0 WHEN 'CE1' THEN 1 WHEN 'CE2' THEN 2 WHEN 'CM1' THEN 3 ELSE 4 END, name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auth.Class
	for rows.Next() {
		var c auth.Class
		if err := rows.Scan(&c.ID, &c.SchoolID, &c.Name, &c.Level); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Class returns one class.
func (s *Service) Class(ctx context.Context, id string) (auth.Class, error) {
	cs, err := s.queryClasses(ctx, "id = ?", id)
	if err != nil {
		return auth.Class{}, err
	}
	if len(cs) == 0 {
		return auth.Class{}, apperr.ErrNotFound
	}
	return cs[0], nil
}

// SchoolClasses lists a school's classes, CP first.
func (s *Service) SchoolClasses(ctx context.Context, schoolID string) ([]auth.Class, error) {
	return s.queryClasses(ctx, "school_id = ?", schoolID)
}

// UserClasses lists the classes a pupil or teacher belongs to.
func (s *Service) UserClasses(ctx context.Context, userID string) ([]auth.Class, error) {
	return store.CachedList(s.db.Cache(), "classes", userID, func() ([]auth.Class, error) {
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

// insertClass writes a new class, refusing a name the school has already.
func (s *Service) insertClass(ctx context.Context, c auth.Class) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM classes WHERE deleted = 0 AND school_id = ? AND name = ? COLLATE NOCASE",
			c.SchoolID, c.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.ErrInvalid, "roster.err.class_exists", "Name", c.Name)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO classes(id, scope, hlc, origin, school_id, name, level) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.SchoolID, tx.HLC, tx.Origin, c.SchoolID, c.Name, c.Level)
		return err
	})
}

// queryUsers lists live accounts matching where, read by auth's scanner.
func (s *Service) queryUsers(ctx context.Context, where string, args ...any) ([]auth.User, error) {
	rows, err := s.db.Reader().QueryContext(ctx, "SELECT "+auth.UserColumns+" FROM users WHERE deleted = 0 AND "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auth.User
	for rows.Next() {
		u, err := auth.ScanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SchoolUsers lists a school's accounts and the parents of its pupils, by name.
func (s *Service) SchoolUsers(ctx context.Context, schoolID string) ([]auth.User, error) {
	return s.queryUsers(ctx, `(school_id = ? OR id IN (
		SELECT g.parent_id FROM guardians g JOIN users c ON c.id = g.child_id
		WHERE g.deleted = 0 AND c.deleted = 0 AND c.school_id = ?))
		ORDER BY profile, last_name, first_name, login`, schoolID, schoolID)
}

// ClassPupils lists a class's pupils by name.
func (s *Service) ClassPupils(ctx context.Context, classID string) ([]auth.User, error) {
	return store.CachedList(s.db.Cache(), "pupils", classID, func() ([]auth.User, error) {
		return s.queryUsers(ctx, `id IN (SELECT user_id FROM memberships WHERE deleted = 0 AND class_id = ? AND role = 'pupil')
			ORDER BY first_name, last_name`, classID)
	})
}

// ClassTeachers lists a class's teachers.
func (s *Service) ClassTeachers(ctx context.Context, classID string) ([]auth.User, error) {
	return store.CachedList(s.db.Cache(), "teachers", classID, func() ([]auth.User, error) {
		return s.queryUsers(ctx, `id IN (SELECT user_id FROM memberships WHERE deleted = 0 AND class_id = ? AND role = 'teacher')
			ORDER BY last_name, first_name`, classID)
	})
}

// Children lists a parent's children.
func (s *Service) Children(ctx context.Context, parentID string) ([]auth.User, error) {
	return store.CachedList(s.db.Cache(), "children", parentID, func() ([]auth.User, error) {
		return s.queryUsers(ctx, `id IN (SELECT child_id FROM guardians WHERE deleted = 0 AND parent_id = ?)
			ORDER BY first_name`, parentID)
	})
}

// Parents lists a pupil's parents.
func (s *Service) Parents(ctx context.Context, childID string) ([]auth.User, error) {
	return s.queryUsers(ctx, `id IN (SELECT parent_id FROM guardians WHERE deleted = 0 AND child_id = ?)
		ORDER BY last_name, first_name`, childID)
}

// TeachesPupil reports whether a teacher has the pupil in one of their classes.
func (s *Service) TeachesPupil(ctx context.Context, teacherID, pupilID string) (bool, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM memberships t JOIN memberships p ON p.class_id = t.class_id
		WHERE t.deleted = 0 AND p.deleted = 0 AND t.role = 'teacher' AND p.role = 'pupil' AND t.user_id = ? AND p.user_id = ?`,
		teacherID, pupilID).Scan(&n)
	return n > 0, err
}

// Memberships maps each pupil or teacher to their classes in one school, or
// in every school when schoolID is empty.
func (s *Service) Memberships(ctx context.Context, schoolID string) (map[string][]auth.Class, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT m.user_id, c.id, c.school_id, c.name, c.level
		FROM memberships m JOIN classes c ON c.id = m.class_id
		WHERE m.deleted = 0 AND c.deleted = 0 AND (? = '' OR c.school_id = ?) ORDER BY c.name`, schoolID, schoolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string][]auth.Class)
	for rows.Next() {
		var user string
		var c auth.Class
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

// PendingLinkRequests lists, per parent id, the children a school asked to
// link them to, still waiting for the parent's answer: an import does not
// ask again.
func (s *Service) PendingLinkRequests(ctx context.Context, schoolID string) (map[string][]string, error) {
	return s.pairs(ctx, `SELECT parent_id, child_id FROM guardian_requests
		WHERE deleted = 0 AND status = 'pending' AND school_id = ?`, schoolID)
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

// joinClasses puts accounts in classes inside tx: the pupils as pupils, the
// others as teachers.
func joinClass(ctx context.Context, tx *store.Tx, classID, userID string) error {
	var profile auth.Profile
	if err := tx.QueryRowContext(ctx, "SELECT profile FROM users WHERE deleted = 0 AND id = ?", userID).Scan(&profile); err != nil {
		return apperr.New(apperr.ErrInvalid, "roster.err.unknown_account")
	}
	role := "teacher"
	if profile == auth.Pupil {
		role = "pupil"
	}
	return addMembership(ctx, tx, classID, userID, role)
}

func addMembership(ctx context.Context, tx *store.Tx, classID, userID, role string) error {
	var scope string
	if err := tx.QueryRowContext(ctx, "SELECT scope FROM classes WHERE deleted = 0 AND id = ?", classID).Scan(&scope); err != nil {
		return apperr.New(apperr.ErrInvalid, "roster.err.unknown_class")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships(id, scope, hlc, origin, class_id, user_id, role) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET deleted = 0, role = excluded.role, hlc = excluded.hlc, origin = excluded.origin`,
		store.NaturalID("membership", classID, userID), scope, tx.HLC, tx.Origin, classID, userID, role)
	return err
}

func addGuardian(ctx context.Context, tx *store.Tx, parentID, childID string) error {
	var scope string
	if err := tx.QueryRowContext(ctx, "SELECT scope FROM users WHERE deleted = 0 AND profile = 'pupil' AND id = ?", childID).Scan(&scope); err != nil {
		return apperr.New(apperr.ErrInvalid, "roster.err.unknown_pupil")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO guardians(id, scope, hlc, origin, parent_id, child_id) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET deleted = 0, hlc = excluded.hlc, origin = excluded.origin`,
		store.NaturalID("guardian", parentID, childID), scope, tx.HLC, tx.Origin, parentID, childID)
	return err
}

// linkOrAsk links parent to child when the parent's account belongs to the
// child's school, and otherwise asks the parent (a pending request), unless
// they are linked already. It reports whether it only asked.
func linkOrAsk(ctx context.Context, tx *store.Tx, parentID, childID, askedBy string) (asked bool, err error) {
	var parentSchool, childSchool string
	var profile auth.Profile
	if err := tx.QueryRowContext(ctx, "SELECT school_id, profile FROM users WHERE deleted = 0 AND id = ?", parentID).
		Scan(&parentSchool, &profile); err != nil {
		return false, apperr.New(apperr.ErrInvalid, "roster.err.unknown_parent")
	}
	if profile != auth.Parent {
		return false, apperr.New(apperr.ErrInvalid, "roster.err.only_parent_link")
	}
	if err := tx.QueryRowContext(ctx, "SELECT school_id FROM users WHERE deleted = 0 AND profile = 'pupil' AND id = ?", childID).
		Scan(&childSchool); err != nil {
		return false, apperr.New(apperr.ErrInvalid, "roster.err.unknown_pupil")
	}
	if parentSchool == childSchool {
		return false, addGuardian(ctx, tx, parentID, childID)
	}
	var linked int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM guardians WHERE deleted = 0 AND parent_id = ? AND child_id = ?",
		parentID, childID).Scan(&linked); err != nil || linked > 0 {
		return false, err
	}
	// Asking again after a refusal asks anew; a pending request stays as it is.
	_, err = tx.ExecContext(ctx, `INSERT INTO guardian_requests(id, scope, hlc, origin, parent_id, child_id, school_id, requested_by,
		status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
		ON CONFLICT(id) DO UPDATE SET status = 'pending', answered_at = '', requested_by = excluded.requested_by,
		created_at = excluded.created_at, deleted = 0, hlc = excluded.hlc, origin = excluded.origin
		WHERE guardian_requests.status != 'pending' OR guardian_requests.deleted = 1`,
		store.NaturalID("guardian-request", parentID, childID), childSchool, tx.HLC, tx.Origin, parentID, childID, childSchool,
		askedBy, time.Now().UTC().Format(time.RFC3339))
	return true, err
}

// pendingRequest is a parent's request as stored, before its child and
// school are read.
type pendingRequest struct{ id, child, school, status, created, answered string }

// pendingRequests lists a parent's requests waiting for an answer, oldest first.
func (s *Service) pendingRequests(ctx context.Context, parentID string) ([]pendingRequest, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, child_id, school_id, status, created_at, answered_at
		FROM guardian_requests WHERE deleted = 0 AND status = 'pending' AND parent_id = ? ORDER BY created_at, id`, parentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []pendingRequest
	for rows.Next() {
		var r pendingRequest
		if err := rows.Scan(&r.id, &r.child, &r.school, &r.status, &r.created, &r.answered); err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// answerRequest records a parent's answer inside one transaction; an
// acceptance links them to the child in it.
func (s *Service) answerRequest(ctx context.Context, parentID, requestID string, accept bool) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		var childID, status string
		err := tx.QueryRowContext(ctx, "SELECT child_id, status FROM guardian_requests WHERE deleted = 0 AND id = ? AND parent_id = ?",
			requestID, parentID).Scan(&childID, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoRequest
		}
		if err != nil {
			return err
		}
		if status != LinkPending {
			return ErrRequestAnswered
		}
		answer := LinkRefused
		if accept {
			answer = LinkAccepted
			if err := addGuardian(ctx, tx, parentID, childID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, "UPDATE guardian_requests SET status = ?, answered_at = ?, hlc = ?, origin = ? WHERE id = ?",
			answer, time.Now().UTC().Format(time.RFC3339), tx.HLC, tx.Origin, requestID)
		return err
	})
}

// UsersByLogins returns the accounts holding these logins anywhere in the
// city, keyed by lower-case login.
func (s *Service) UsersByLogins(ctx context.Context, logins []string) (map[string]auth.User, error) {
	us, err := s.usersWhereIn(ctx, "login COLLATE NOCASE", logins)
	out := make(map[string]auth.User, len(us))
	for _, u := range us {
		out[strings.ToLower(u.Login)] = u
	}
	return out, err
}

// ParentsByEmails returns the parent accounts with these e-mail addresses
// anywhere in the city (one person, one account), keyed by lower-case
// address.
func (s *Service) ParentsByEmails(ctx context.Context, emails []string) (map[string]auth.User, error) {
	us, err := s.usersWhereIn(ctx, "lower(email)", emails)
	out := make(map[string]auth.User, len(us))
	for _, u := range us {
		if u.Profile == auth.Parent {
			out[strings.ToLower(u.Email)] = u
		}
	}
	return out, err
}

// usersWhereIn lists the accounts whose column expression is one of the
// lower-cased values, asking in chunks to stay under SQLite's limit on
// parameters.
func (s *Service) usersWhereIn(ctx context.Context, expr string, values []string) ([]auth.User, error) {
	const chunk = 500
	var out []auth.User
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
