package mail

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/i18n"
	"preau/appliance/store"
)

// Who may write to whom. The defaults, which a school's director may
// tighten for pupils (Settings):
//   - pupils write to the pupils of their classes and to their teachers;
//   - parents to their children's teachers and to the director;
//   - teachers and the director to anyone of their school (its accounts
//     and its pupils' parents), and to the city's DSI;
//   - the DSI to everyone.
// And anyone may answer whoever wrote to them.

// Settings are a school's rules for its pupils.
type Settings struct {
	// Pupils is whom pupils may write to: "class" (their class and its
	// teachers), "teachers" (their teachers only) or "none".
	Pupils string
	// Moderate holds pupils' messages until one of their teachers lets
	// them go.
	Moderate bool
}

// PupilRules are the values of Settings.Pupils.
var PupilRules = []string{"class", "teachers", "none"}

// Settings reads a school's rules.
func (s *Service) Settings(ctx context.Context, schoolID string) (Settings, error) {
	st := Settings{Pupils: "class"}
	err := s.db.Reader().QueryRowContext(ctx, "SELECT pupils, moderate FROM mail_settings WHERE deleted = 0 AND id = ?", schoolID).Scan(&st.Pupils, &st.Moderate)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return st, err
}

// SetSettings changes the rules of the director's school.
func (s *Service) SetSettings(ctx context.Context, u auth.User, st Settings) error {
	if u.Profile != auth.Director || u.SchoolID == "" {
		return apperr.New(apperr.ErrForbidden, "mail.err.settings")
	}
	if !slices.Contains(PupilRules, st.Pupils) {
		return apperr.New(apperr.ErrInvalid, "mail.err.pupil_rule")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO mail_settings(id, scope, hlc, origin, pupils, moderate) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET pupils = excluded.pupils, moderate = excluded.moderate, hlc = excluded.hlc, origin = excluded.origin, deleted = 0`,
			u.SchoolID, u.SchoolID, tx.HLC, tx.Origin, st.Pupils, st.Moderate)
		return err
	})
}

// Contact is someone or a group one may write to.
type Contact struct {
	Key     string // a user's id, or a group's key (class:ID:parents)
	Name    string // a user's name; a group's name is Label with Args
	Label   string // a group's catalogue key
	Args    []any
	Address string // a user's mail address
	Profile auth.Profile
	Group   bool
	Tint    int // the colour of a person's avatar
}

// reach is everyone a person may write to, and the groups they may use.
type reach struct {
	people map[string]auth.User
	groups []Contact
	all    bool // the DSI: everyone
}

func (r reach) allows(id string) bool {
	_, ok := r.people[id]
	return r.all || ok
}

// reachOf works out whom u may write to.
func (s *Service) reachOf(ctx context.Context, u auth.User) (reach, error) {
	r := reach{people: map[string]auth.User{}}
	add := func(users []auth.User) {
		for _, x := range users {
			if x.ID != u.ID && !x.Disabled {
				r.people[x.ID] = x
			}
		}
	}
	var err error
	switch u.Profile {
	case auth.DSI:
		r.all = true
		r.groups = []Contact{{Key: "city:directors", Label: "mail.group.directors", Group: true}}
		err = s.reachCity(ctx, add, func(auth.User) bool { return true })
	case auth.Teacher, auth.Director:
		r.groups, err = s.reachSchool(ctx, u, add)
	case auth.Parent:
		err = s.reachFamily(ctx, u, add)
	case auth.Pupil:
		r.groups, err = s.reachClass(ctx, u, add)
	}
	return r, err
}

// reachCity adds the city's accounts that keep says to.
func (s *Service) reachCity(ctx context.Context, add func([]auth.User), keep func(auth.User) bool) error {
	users, err := s.auth.AllUsers(ctx)
	add(slices.DeleteFunc(users, func(x auth.User) bool { return !keep(x) }))
	return err
}

// reachSchool: a member of staff's school, its pupils' parents, the DSI;
// the groups of every class (theirs first) and of the school.
func (s *Service) reachSchool(ctx context.Context, u auth.User, add func([]auth.User)) ([]Contact, error) {
	users, err := s.reg.SchoolUsers(ctx, u.SchoolID)
	if err != nil {
		return nil, err
	}
	add(users)
	if err := s.reachCity(ctx, add, func(x auth.User) bool { return x.Profile == auth.DSI }); err != nil {
		return nil, err
	}
	classes, err := s.reg.SchoolClasses(ctx, u.SchoolID)
	if err != nil {
		return nil, err
	}
	mine, _ := s.reg.UserClasses(ctx, u.ID)
	slices.SortStableFunc(classes, func(a, b auth.Class) int {
		return cmp.Compare(boolRank(!containsClass(mine, a.ID)), boolRank(!containsClass(mine, b.ID)))
	})
	var groups []Contact
	for _, c := range classes {
		groups = append(groups,
			Contact{Key: "class:" + c.ID + ":parents", Label: "mail.group.class_parents", Args: []any{"Class", c.Name}, Group: true},
			Contact{Key: "class:" + c.ID + ":pupils", Label: "mail.group.class_pupils", Args: []any{"Class", c.Name}, Group: true})
	}
	return append(groups,
		Contact{Key: "school:" + u.SchoolID + ":staff", Label: "mail.group.school_staff", Group: true},
		Contact{Key: "school:" + u.SchoolID + ":parents", Label: "mail.group.school_parents", Group: true}), nil
}

// reachFamily: a parent's children's teachers and their schools' directors.
func (s *Service) reachFamily(ctx context.Context, u auth.User, add func([]auth.User)) error {
	children, err := s.reg.Children(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, child := range children {
		if _, err := s.classesOf(ctx, child.ID, add); err != nil {
			return err
		}
		staff, err := s.reg.SchoolUsers(ctx, child.SchoolID)
		if err != nil {
			return err
		}
		add(slices.DeleteFunc(staff, func(x auth.User) bool { return x.Profile != auth.Director }))
	}
	return nil
}

// reachClass: a pupil's teachers, and their classmates with their class's
// group when the school lets them.
func (s *Service) reachClass(ctx context.Context, u auth.User, add func([]auth.User)) ([]Contact, error) {
	st, err := s.Settings(ctx, u.SchoolID)
	if err != nil || st.Pupils == "none" {
		return nil, err
	}
	classes, err := s.classesOf(ctx, u.ID, add)
	if err != nil || st.Pupils != "class" {
		return nil, err
	}
	var groups []Contact
	for _, c := range classes {
		pupils, err := s.reg.ClassPupils(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		add(pupils)
		groups = append(groups, Contact{Key: "class:" + c.ID + ":pupils", Label: "mail.group.my_class", Args: []any{"Class", c.Name}, Group: true})
	}
	return groups, nil
}

// classesOf adds the teachers of a pupil's classes, and returns the
// classes.
func (s *Service) classesOf(ctx context.Context, pupilID string, add func([]auth.User)) ([]auth.Class, error) {
	classes, err := s.reg.UserClasses(ctx, pupilID)
	if err != nil {
		return nil, err
	}
	for _, c := range classes {
		teachers, err := s.reg.ClassTeachers(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		add(teachers)
	}
	return classes, nil
}

func staffProfile(p auth.Profile) bool {
	return p == auth.Teacher || p == auth.Director || p == auth.DSI
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func containsClass(list []auth.Class, id string) bool {
	return slices.ContainsFunc(list, func(c auth.Class) bool { return c.ID == id })
}

// Directory lists whom a person may write to whose name, login or group
// holds q (everyone for ""), groups first, at most max.
func (s *Service) Directory(ctx context.Context, u auth.User, lang i18n.Lang, q string, max int) ([]Contact, error) {
	r, err := s.reachOf(ctx, u)
	if err != nil {
		return nil, err
	}
	q = strings.ToLower(strings.TrimSpace(q))
	var out []Contact
	for _, g := range r.groups {
		g.Name = i18n.M(g.Label, g.Args...).In(lang)
		if q == "" || strings.Contains(strings.ToLower(g.Name), q) {
			out = append(out, g)
		}
	}
	var people []Contact
	for _, x := range r.people {
		if q == "" || strings.Contains(strings.ToLower(x.DisplayName+" "+x.Login), q) {
			people = append(people, Contact{Key: x.ID, Name: x.DisplayName, Address: s.Address(x).Email, Profile: x.Profile, Tint: tint(x.ID)})
		}
	}
	// the staff first (a pupil's teacher, a parent's), then by name
	slices.SortFunc(people, func(a, b Contact) int {
		return cmp.Or(cmp.Compare(boolRank(!staffProfile(a.Profile)), boolRank(!staffProfile(b.Profile))),
			cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)))
	})
	out = append(out, people...)
	if len(out) > max {
		out = out[:max]
	}
	return out, nil
}

// members expands a group key into its people, when u may use it.
func (s *Service) members(ctx context.Context, u auth.User, r reach, key string) ([]auth.User, bool, error) {
	if !slices.ContainsFunc(r.groups, func(c Contact) bool { return c.Key == key }) {
		return nil, false, nil
	}
	parts := strings.Split(key, ":")
	var users []auth.User
	switch {
	case key == "city:directors":
		all, err := s.auth.AllUsers(ctx)
		if err != nil {
			return nil, true, err
		}
		users = slices.DeleteFunc(all, func(x auth.User) bool { return x.Profile != auth.Director })
	case len(parts) == 3 && parts[0] == "class" && parts[2] == "pupils":
		pupils, err := s.reg.ClassPupils(ctx, parts[1])
		if err != nil {
			return nil, true, err
		}
		users = pupils
	case len(parts) == 3 && parts[0] == "class" && parts[2] == "parents":
		pupils, err := s.reg.ClassPupils(ctx, parts[1])
		if err != nil {
			return nil, true, err
		}
		for _, p := range pupils {
			parents, err := s.reg.Parents(ctx, p.ID)
			if err != nil {
				return nil, true, err
			}
			users = append(users, parents...)
		}
	case len(parts) == 3 && parts[0] == "school":
		all, err := s.reg.SchoolUsers(ctx, parts[1])
		if err != nil {
			return nil, true, err
		}
		staff := parts[2] == "staff"
		users = slices.DeleteFunc(all, func(x auth.User) bool {
			isStaff := x.Profile == auth.Teacher || x.Profile == auth.Director
			return staff != isStaff || (!staff && x.Profile != auth.Parent)
		})
	}
	return slices.DeleteFunc(users, func(x auth.User) bool { return x.ID == u.ID || x.Disabled }), true, nil
}

// answers reports whether u received a message from the account: anyone
// may answer whoever wrote to them.
func (s *Service) answers(ctx context.Context, u auth.User, senderID string) bool {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM mail_copies c JOIN mail_messages m ON m.id = c.message_id
		WHERE c.deleted = 0 AND c.owner_id = ? AND m.sender_id = ? AND c.folder != ?`, u.ID, senderID, Sent).Scan(&n)
	return err == nil && n > 0
}

// Recipients resolves what a person writes to (user ids, group keys,
// addresses) into accounts, each checked against the rules: an unknown or
// forbidden one is an error naming it, and nothing is sent. groups are the
// names of the groups used, for the To header.
func (s *Service) Recipients(ctx context.Context, u auth.User, lang i18n.Lang, keys []string) (users []auth.User, groups []string, err error) {
	r, err := s.reachOf(ctx, u)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	take := func(x auth.User) {
		if !seen[x.ID] {
			seen[x.ID] = true
			users = append(users, x)
		}
	}
	for _, key := range keys {
		key = strings.TrimSpace(key)
		if key == "" {
			continue
		}
		members, isGroup, err := s.members(ctx, u, r, key)
		if err != nil {
			return nil, nil, err
		}
		if isGroup {
			i := slices.IndexFunc(r.groups, func(c Contact) bool { return c.Key == key })
			groups = append(groups, i18n.M(r.groups[i].Label, r.groups[i].Args...).In(lang))
			for _, x := range members {
				take(x)
			}
			continue
		}
		x, err := s.account(ctx, key)
		if err != nil {
			remote, ok := s.remoteSender(ctx, u, key)
			if !ok {
				return nil, nil, err
			}
			x = remote
		}
		if x.ID == u.ID {
			take(x) // writing to oneself
			continue
		}
		if !r.allows(x.ID) && !s.answers(ctx, u, x.ID) {
			return nil, nil, apperr.New(apperr.ErrForbidden, "mail.err.not_allowed", "Name", x.DisplayName)
		}
		take(x)
	}
	if len(users) == 0 {
		return nil, nil, apperr.New(apperr.ErrInvalid, "mail.err.no_recipient")
	}
	return users, groups, nil
}

// elsewhere is the school of an account this node does not hold: someone
// of another school who wrote to the person answering them.
const elsewhere = "\x00elsewhere"

// remoteSender is the account of another school that key (an address or
// an id) names, when it wrote to u: u may answer, and central delivers.
// Only a school's node lacks accounts; central holds them all.
func (s *Service) remoteSender(ctx context.Context, u auth.User, key string) (auth.User, bool) {
	if s.school == "" {
		return auth.User{}, false
	}
	var id, from string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT m.sender_id, m.from_addr FROM mail_copies c JOIN mail_messages m ON m.id = c.message_id
		WHERE c.deleted = 0 AND c.owner_id = ? AND (m.sender_id = ? OR lower(m.from_addr) LIKE '%<' || lower(?) || '>')
		ORDER BY c.received_at DESC LIMIT 1`, u.ID, key, key).Scan(&id, &from)
	if err != nil {
		return auth.User{}, false
	}
	name := from
	if i := strings.LastIndex(from, " <"); i > 0 {
		name = from[:i]
	}
	return auth.User{ID: id, DisplayName: name, SchoolID: elsewhere}, true
}

// account finds an account by id or by address of the mail domain.
func (s *Service) account(ctx context.Context, key string) (auth.User, error) {
	if login, domain, ok := strings.Cut(key, "@"); ok {
		if !strings.EqualFold(domain, s.domain) {
			return auth.User{}, apperr.New(apperr.ErrInvalid, "mail.err.outside", "Address", key)
		}
		x, err := s.auth.UserByLogin(ctx, login)
		if err != nil || x.Disabled {
			return auth.User{}, apperr.New(apperr.ErrInvalid, "mail.err.unknown", "Address", key)
		}
		return x, nil
	}
	x, err := s.auth.User(ctx, key)
	if err != nil || x.Disabled {
		return auth.User{}, apperr.New(apperr.ErrInvalid, "mail.err.unknown", "Address", key)
	}
	return x, nil
}
