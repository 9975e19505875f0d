package roster

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// newService is the register on a fresh store, with the school ecole-a.
func newService(t *testing.T) *Service {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, s := range []store.Schema{auth.Schema, Schema} {
		if err := db.Migrate(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	s := NewService(db, auth.NewService(db, nil, 2, time.Hour))
	if err := s.CreateSchool(ctx, "ecole-a", "École A"); err != nil {
		t.Fatal(err)
	}
	return s
}

// The names typed for a class or a school have a length and refuse
// invisible characters; the refusal is invalid data (400), it never quotes
// the whole value, and nothing is written.
func TestClassAndSchoolText(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	long := strings.Repeat("x", 101)
	if _, err := s.CreateClass(ctx, "ecole-a", long, "CE1"); !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), "le nom de la classe ne doit pas dépasser 100") {
		t.Errorf("class name of 101: %v", err)
	}
	if _, err := s.CreateClass(ctx, "ecole-a", "CE1 \u202EB", "CE1"); !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("class name with an override: %v", err)
	}
	if _, err := s.CreateClass(ctx, "ecole-a", "CE1", long); err == nil || strings.Contains(err.Error(), long[:30]) {
		t.Errorf("unknown level quoted whole: %v", err)
	}
	if cs, _ := s.SchoolClasses(ctx, "ecole-a"); len(cs) != 0 {
		t.Errorf("refused classes written: %+v", cs)
	}
	if err := s.CreateSchool(ctx, "ecole-b", long); !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), "le nom de l'école ne doit pas dépasser 100") {
		t.Errorf("school name of 101: %v", err)
	}
	if err := s.CreateSchool(ctx, "ecole-a", "École\u2067 A"); !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("school renamed with an isolate: %v", err)
	}
	if sc, _ := s.School(ctx, "ecole-a"); sc.Name != "École A" {
		t.Errorf("school renamed to %q", sc.Name)
	}
	if err := ValidSchoolID(long); err == nil || strings.Contains(err.Error(), long[:30]) {
		t.Errorf("invalid school id quoted whole: %v", err)
	}
}

func TestImportUsersLinksAndRollsBack(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	ce1, err := s.CreateClass(ctx, "ecole-a", "CE1", "CE1")
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := s.CreateClass(ctx, "ecole-a", "CP", "CP")
	known, err := s.CreateUser(ctx, NewUser{NewUser: auth.NewUser{Login: "sophie", Display: "Sophie", Profile: auth.Parent, SchoolID: "ecole-a", Email: "Sophie@Famille.fr"}})
	if err != nil {
		t.Fatal(err)
	}
	teacher, _ := s.CreateUser(ctx, NewUser{NewUser: auth.NewUser{Login: "thomas", Display: "Thomas", Profile: auth.Teacher, SchoolID: "ecole-a"}, ClassIDs: []string{ce1.ID}})

	ns := []NewUser{
		{NewUser: auth.NewUser{FirstName: "Léa", LastName: "Martin", Profile: auth.Pupil, SchoolID: "ecole-a"}, ClassIDs: []string{ce1.ID}},
		{NewUser: auth.NewUser{FirstName: "Marc", LastName: "Martin", Profile: auth.Parent, SchoolID: "ecole-a", Password: "premier-mdp"}},
	}
	links := Links{
		Guardians: []Guardianship{{Parent: Ref{New: 1}, Child: Ref{New: 0}}, {Parent: Ref{ID: known.ID}, Child: Ref{New: 0}}},
		Classes:   []ClassJoin{{User: Ref{ID: teacher.ID}, ClassID: cp.ID}},
	}
	ids, err := s.ImportUsers(ctx, ns, links)
	if err != nil {
		t.Fatal(err)
	}
	for _, parent := range []string{ids[1], known.ID} {
		if kids, _ := s.Children(ctx, parent); len(kids) != 1 || kids[0].ID != ids[0] {
			t.Errorf("parent %s: children %v", parent, kids)
		}
	}
	members, err := s.Memberships(ctx, "ecole-a")
	if err != nil || len(members[teacher.ID]) != 2 || len(members[ids[0]]) != 1 {
		t.Errorf("memberships %v, %v", members, err)
	}
	guardians, err := s.Guardianships(ctx, "ecole-a")
	if err != nil || len(guardians[known.ID]) != 1 || guardians[ids[1]][0] != ids[0] {
		t.Errorf("guardianships %v, %v", guardians, err)
	}
	byLogin, err := s.UsersByLogins(ctx, []string{"LEA.MARTIN", "thomas", "personne"})
	if err != nil || len(byLogin) != 2 || byLogin["lea.martin"].ID != ids[0] {
		t.Errorf("by login %v, %v", byLogin, err)
	}
	byEmail, err := s.ParentsByEmails(ctx, []string{"sophie@famille.FR", "autre@x.fr"})
	if err != nil || len(byEmail) != 1 || byEmail["sophie@famille.fr"].ID != known.ID {
		t.Errorf("by e-mail %v, %v", byEmail, err)
	}

	// A link that cannot be made undoes the whole batch.
	all, _ := s.accounts.AllUsers(ctx)
	_, err = s.ImportUsers(ctx, []NewUser{{NewUser: auth.NewUser{FirstName: "Tom", LastName: "Petit", Profile: auth.Pupil, SchoolID: "ecole-a"}}},
		Links{Guardians: []Guardianship{{Parent: Ref{ID: known.ID}, Child: Ref{ID: "nobody"}}}})
	if !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("link to an unknown child: %v", err)
	}
	_, err = s.ImportUsers(ctx, []NewUser{{NewUser: auth.NewUser{FirstName: "Tom", LastName: "Petit", Profile: auth.Pupil, SchoolID: "ecole-a"}}},
		Links{Guardians: []Guardianship{{Parent: Ref{ID: known.ID}, Child: Ref{New: 3}}}})
	if !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("link to a batch index out of range: %v", err)
	}
	if after, _ := s.accounts.AllUsers(ctx); len(after) != len(all) {
		t.Errorf("a failed import kept accounts: %d → %d", len(all), len(after))
	}
}

func TestCanAdminister(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	s.CreateSchool(ctx, "ecole-b", "École B")
	c, _ := s.CreateClass(ctx, "ecole-a", "CE1", "CE1")
	dirA, _ := s.accounts.CreateUser(ctx, auth.NewUser{Display: "Dir A", Profile: auth.Director, SchoolID: "ecole-a"})
	dirB, _ := s.accounts.CreateUser(ctx, auth.NewUser{Display: "Dir B", Profile: auth.Director, SchoolID: "ecole-b"})
	pupil, _ := s.CreateUser(ctx, NewUser{NewUser: auth.NewUser{Display: "Élève", Profile: auth.Pupil, SchoolID: "ecole-a"}, ClassIDs: []string{c.ID}})
	// A parent registered at school B whose child is at school A.
	parent, _ := s.CreateUser(ctx, NewUser{NewUser: auth.NewUser{Display: "auth.Parent", Profile: auth.Parent, SchoolID: "ecole-b"}, ChildIDs: []string{pupil.ID}})
	dsi, _ := s.accounts.CreateUser(ctx, auth.NewUser{Display: "auth.DSI", Profile: auth.DSI})
	teacher, _ := s.CreateUser(ctx, NewUser{NewUser: auth.NewUser{Display: "Prof", Profile: auth.Teacher, SchoolID: "ecole-a"}, ClassIDs: []string{c.ID}})
	cases := []struct {
		actor, target auth.User
		want          bool
	}{
		// The parent belongs to school B: its director administers them, and
		// being linked to a pupil of A gives A's director no power over them.
		{dirA, pupil, true}, {dirA, parent, false}, {dirB, pupil, false}, {dirB, parent, true},
		{dirA, dsi, false}, {dsi, pupil, true}, {teacher, pupil, false}, {pupil, pupil, false},
	}
	for i, c := range cases {
		if got, _ := s.CanAdminister(ctx, c.actor, c.target); got != c.want {
			t.Errorf("case %d: %s administers %s = %v, want %v", i, c.actor.DisplayName, c.target.DisplayName, got, c.want)
		}
	}
	if ok, _ := s.TeachesPupil(ctx, teacher.ID, pupil.ID); !ok {
		t.Error("teacher should teach the pupil of their class")
	}
	if ok, _ := s.TeachesPupil(ctx, dirB.ID, pupil.ID); ok {
		t.Error("director B does not teach the pupil")
	}
}

// A class's cached pupils follow a new pupil, and a caller changing the list
// it got changes nothing.
func TestCachedListsFollowWrites(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	c, err := s.CreateClass(ctx, "ecole-a", "CE1 B", "CE1")
	if err != nil {
		t.Fatal(err)
	}
	pupil := func(first string) auth.User {
		t.Helper()
		u, err := s.CreateUser(ctx, NewUser{NewUser: auth.NewUser{FirstName: first, LastName: "Martin", Profile: auth.Pupil, SchoolID: "ecole-a"}, ClassIDs: []string{c.ID}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	names := func() []string {
		t.Helper()
		ps, err := s.ClassPupils(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.FirstName)
		}
		return out
	}
	pupil("Léa")
	if got := names(); len(got) != 1 || got[0] != "Léa" {
		t.Fatalf("pupils = %v, want [Léa]", got)
	}
	ps, _ := s.ClassPupils(ctx, c.ID)
	ps[0].FirstName = "Changé"
	if got := names(); got[0] != "Léa" {
		t.Fatalf("a caller's change reached the cache: %v", got)
	}
	pupil("Adam")
	if got := names(); len(got) != 2 || got[0] != "Adam" {
		t.Fatalf("pupils after a new one = %v, want [Adam Léa]", got)
	}
	if classes, _ := s.UserClasses(ctx, ps[0].ID); len(classes) != 1 || classes[0].ID != c.ID {
		t.Fatalf("classes of a pupil = %v", classes)
	}
}
