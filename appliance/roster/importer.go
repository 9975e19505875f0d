package roster

import (
	"context"
	"errors"
	"sort"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/i18n"
)

// The store side of an import, shared by the web pages and the CLI: load
// what a file is checked against, then write a checked plan in one
// transaction and hand back the first-login secrets.

// Check reads a file and weighs it against the school: what importing it
// would do, line by line. It writes nothing.
func (s *Service) Check(ctx context.Context, schoolID string, data []byte) (Plan, error) {
	sheet, err := ParseCSV(data)
	if err != nil {
		return Plan{}, err
	}
	ex, err := s.loadExisting(ctx, schoolID, sheet)
	if err != nil {
		return Plan{}, err
	}
	return MakePlan(sheet, ex), nil
}

// loadExisting reads what the rows of sheet are checked against: the
// school's classes and people, and the city's logins and parents' addresses
// that the rows name.
func (s *Service) loadExisting(ctx context.Context, schoolID string, sheet Sheet) (Existing, error) {
	ex := Existing{SchoolID: schoolID}
	var err error
	if ex.Asked, err = s.PendingLinkRequests(ctx, schoolID); err != nil {
		return ex, err
	}
	if ex.Classes, err = s.SchoolClasses(ctx, schoolID); err != nil {
		return ex, err
	}
	users, err := s.SchoolUsers(ctx, schoolID)
	if err != nil {
		return ex, err
	}
	members, err := s.Memberships(ctx, schoolID)
	if err != nil {
		return ex, err
	}
	guardians, err := s.Guardianships(ctx, schoolID)
	if err != nil {
		return ex, err
	}
	for _, u := range users {
		p := person(u, members, guardians)
		switch {
		case u.Profile == auth.Pupil && u.SchoolID == schoolID:
			ex.Pupils = append(ex.Pupils, p)
		case u.Profile == auth.Parent:
			ex.Parents = append(ex.Parents, p)
		case (u.Profile == auth.Teacher || u.Profile == auth.Director) && u.SchoolID == schoolID:
			ex.Teachers = append(ex.Teachers, p)
		}
	}
	var emails, logins []string
	for _, r := range sheet.Rows {
		if r.Email != "" {
			emails = append(emails, r.Email)
		}
		if r.Login != "" {
			logins = append(logins, r.Login)
		}
	}
	parents, err := s.ParentsByEmails(ctx, emails)
	if err != nil {
		return ex, err
	}
	ex.ParentsByEmail = make(map[string]Person, len(parents))
	for email, u := range parents {
		ex.ParentsByEmail[email] = person(u, members, guardians)
	}
	taken, err := s.UsersByLogins(ctx, logins)
	if err != nil {
		return ex, err
	}
	ex.Logins = make(map[string]string, len(taken))
	for login, u := range taken {
		ex.Logins[login] = u.ID
	}
	return ex, nil
}

// person is an account as an import sees it; an account made with only a
// display name is matched on it.
func person(u auth.User, members map[string][]auth.Class, guardians map[string][]string) Person {
	p := Person{ID: u.ID, First: u.FirstName, Last: u.LastName, Email: u.Email, SchoolID: u.SchoolID, ChildIDs: guardians[u.ID]}
	if p.First == "" && p.Last == "" {
		p.First = u.DisplayName
	}
	for _, c := range members[u.ID] {
		p.ClassIDs = append(p.ClassIDs, c.ID)
	}
	return p
}

// Picture is one picture of a picture password.
type Picture struct{ Key string } // named by the catalogue: picture.<key>

func picturesOf(seq []int) []Picture {
	out := make([]Picture, len(seq))
	for i, n := range seq {
		out[i] = Picture{Key: auth.Pictures[n].Key}
	}
	return out
}

// Credential is an account's first-login secrets, shown once: only their
// hashes are stored.
type Credential struct {
	ID       string
	Name     string
	Sort     string // last name then first name, to sort cards
	Login    string
	Password string
	Pictures []Picture
	Detail   i18n.Message // class, children or classes, under the name (Key "" for none)
}

// ClassSheet is the credentials of one class's new pupils.
type ClassSheet struct {
	Class auth.Class
	Cards []Credential
}

// Credentials is what an import created, ready to print.
type Credentials struct {
	Classes  []ClassSheet
	Parents  []Credential
	Teachers []Credential
	Updated  int // existing accounts given new children or classes
}

// Created counts the new accounts.
func (c Credentials) Created() int {
	n := len(c.Parents) + len(c.Teachers)
	for _, s := range c.Classes {
		n += len(s.Cards)
	}
	return n
}

// youngLevel reports whether a class holds CP or CE1 pupils, who cannot type
// a password yet and get a picture password too.
func youngLevel(level string) bool {
	for _, l := range strings.Split(level, "-") {
		if l == "CP" || l == "CE1" {
			return true
		}
	}
	return false
}

// newSecrets gives a new account its generated first password, and a
// picture password to a young pupil. A young pupil logs in with pictures,
// so they are not sent to the password change page they could not use.
func newSecrets(n *auth.NewUser, classes []auth.Class) {
	n.Password, n.MustChange = auth.GeneratePassword(), true
	if n.Profile == auth.Pupil && len(classes) > 0 && youngLevel(classes[0].Level) {
		n.Pictures, n.MustChange = auth.RandomSequence(), false
	}
}

// Apply confirms a plan with no problem: it creates its accounts and links in
// one transaction (all or nothing) and returns their first-login secrets.
// by is who imports ("" for the command line), named on the requests sent
// to parents of other schools.
func (s *Service) Apply(ctx context.Context, schoolID, by string, p Plan) (Credentials, error) {
	if !p.OK() {
		return Credentials{}, apperr.New(apperr.ErrInvalid, "roster.err.lines_in_error")
	}
	var batch []NewUser
	index := map[int]int{} // line → its account's index in batch
	for i, l := range p.Lines {
		if l.Outcome != Create {
			continue
		}
		n := NewUser{NewUser: auth.NewUser{Login: strings.ToLower(l.Login), FirstName: l.First, LastName: l.Last, Profile: l.Profile,
			SchoolID: schoolID, Email: l.Email}}
		for _, c := range l.Classes {
			n.ClassIDs = append(n.ClassIDs, c.ID)
		}
		newSecrets(&n.NewUser, l.Classes)
		index[i] = len(batch)
		batch = append(batch, n)
	}
	links, err := planLinks(p, index)
	if err != nil {
		return Credentials{}, err
	}
	links.By = by
	ids, err := s.ImportUsers(ctx, batch, links)
	if err != nil {
		return Credentials{}, err
	}
	return s.credentials(ctx, schoolID, p, batch, index, ids)
}

// planLinks lists the links of the plan's parents and of the existing
// teachers who join classes.
func planLinks(p Plan, index map[int]int) (Links, error) {
	var links Links
	for i, l := range p.Lines {
		user := Ref{ID: l.ExistingID}
		switch l.Outcome {
		case Create:
			user = Ref{New: index[i]}
		case Update:
			for _, c := range l.Classes {
				links.Classes = append(links.Classes, ClassJoin{User: user, ClassID: c.ID})
			}
		default:
			continue
		}
		for _, ref := range l.ChildRefs {
			child := Ref{ID: ref.ID}
			if ref.ID == "" {
				n, ok := index[ref.Line]
				if !ok {
					return links, errors.New("import: a parent names a pupil line that creates no account")
				}
				child.New = n
			}
			links.Guardians = append(links.Guardians, Guardianship{Parent: user, Child: child})
		}
	}
	return links, nil
}

// credentials sorts the new accounts' secrets: per class (the school's
// order), then parents, then teachers, each by name.
func (s *Service) credentials(ctx context.Context, schoolID string, p Plan, batch []NewUser, index map[int]int, ids []string) (Credentials, error) {
	creds := Credentials{Updated: p.Update}
	classes, err := s.SchoolClasses(ctx, schoolID)
	if err != nil {
		return creds, err
	}
	byClass := map[string][]Credential{}
	for i, l := range p.Lines {
		n, ok := index[i]
		if !ok {
			continue
		}
		u, err := s.accounts.User(ctx, ids[n])
		if err != nil {
			return creds, err
		}
		c := credential(u, batch[n].Password, batch[n].Pictures)
		switch l.Profile {
		case auth.Pupil:
			c.Detail = i18n.M("roster.cred.classes", "Names", classNames(l.Classes))
			byClass[l.Classes[0].ID] = append(byClass[l.Classes[0].ID], c)
		case auth.Parent:
			c.Detail = i18n.M("roster.cred.parent_of", "Names", childNames(l.ChildRefs))
			creds.Parents = append(creds.Parents, c)
		default:
			c.Detail = i18n.M("roster.cred.classes", "Names", classNames(l.Classes))
			creds.Teachers = append(creds.Teachers, c)
		}
	}
	for _, cl := range classes {
		if cards := byClass[cl.ID]; len(cards) > 0 {
			creds.Classes = append(creds.Classes, ClassSheet{Class: cl, Cards: sortCards(cards)})
		}
	}
	sortCards(creds.Parents)
	sortCards(creds.Teachers)
	return creds, nil
}

// credential is an account's card with the secrets just given to it.
func credential(u auth.User, password string, seq []int) Credential {
	c := Credential{ID: u.ID, Name: u.DisplayName, Sort: fold(u.LastName + " " + u.FirstName + " " + u.DisplayName),
		Login: u.Login, Password: password}
	if seq != nil {
		c.Pictures = picturesOf(seq)
	}
	return c
}

func sortCards(cs []Credential) []Credential {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Sort < cs[j].Sort })
	return cs
}
