package auth

import (
	"context"
	"errors"
	"testing"

	"preau/appliance/apperr"
)

func TestImportUsersLinksAndRollsBack(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	ce1, err := s.CreateClass(ctx, "ecole-a", "CE1", "CE1")
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := s.CreateClass(ctx, "ecole-a", "CP", "CP")
	known, err := s.CreateUser(ctx, NewUser{Login: "sophie", Display: "Sophie", Profile: Parent, SchoolID: "ecole-a", Email: "Sophie@Famille.fr"})
	if err != nil {
		t.Fatal(err)
	}
	teacher, _ := s.CreateUser(ctx, NewUser{Login: "thomas", Display: "Thomas", Profile: Teacher, SchoolID: "ecole-a", ClassIDs: []string{ce1.ID}})

	ns := []NewUser{
		{FirstName: "Léa", LastName: "Martin", Profile: Pupil, SchoolID: "ecole-a", ClassIDs: []string{ce1.ID}},
		{FirstName: "Marc", LastName: "Martin", Profile: Parent, SchoolID: "ecole-a", Password: "premier-mdp"},
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
	all, _ := s.AllUsers(ctx)
	_, err = s.ImportUsers(ctx, []NewUser{{FirstName: "Tom", LastName: "Petit", Profile: Pupil, SchoolID: "ecole-a"}},
		Links{Guardians: []Guardianship{{Parent: Ref{ID: known.ID}, Child: Ref{ID: "nobody"}}}})
	if !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("link to an unknown child: %v", err)
	}
	_, err = s.ImportUsers(ctx, []NewUser{{FirstName: "Tom", LastName: "Petit", Profile: Pupil, SchoolID: "ecole-a"}},
		Links{Guardians: []Guardianship{{Parent: Ref{ID: known.ID}, Child: Ref{New: 3}}}})
	if !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("link to a batch index out of range: %v", err)
	}
	if after, _ := s.AllUsers(ctx); len(after) != len(all) {
		t.Errorf("a failed import kept accounts: %d → %d", len(all), len(after))
	}
}
