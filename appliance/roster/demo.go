package roster

import (
	"context"
	"errors"
	"fmt"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/i18n"
)

// The register's part of a demo school: five classes from CP to CM2, their
// teachers and pupils, parents linked to their children, a director, and
// the DSI on central. Every demo account's password is feature.DemoPassword.

var demo = feature.Demo{Seed: seedDemo, Accounts: demoAccounts}

// demoPictures is the demo pupils' picture password, shown on the login
// page in demo mode: soleil, chat, pomme.
var demoPictures = []int{0, 1, 4}

type demoClass struct {
	level, teacherFirst, teacherLast, teacherLogin string
	pupils                                         [][2]string // first, last
}

var demoClasses = []demoClass{
	{"CP", "Hélène", "Roux", "helene.roux", [][2]string{{"Jules", "Bernard"}, {"Chloé", "Petit"}, {"Nathan", "Robert"}, {"Inès", "Richard"}, {"Louis", "Durand"}}},
	{"CE1", "Thomas", "Lefèvre", "enseignant", [][2]string{{"Léa", "Martin"}, {"Hugo", "Moreau"}, {"Manon", "Simon"}, {"Adam", "Laurent"}, {"Jade", "Michel"}, {"Gabriel", "Garcia"}}},
	{"CE2", "Sophie", "Girard", "sophie.girard", [][2]string{{"Emma", "David"}, {"Raphaël", "Bertrand"}, {"Lina", "Roux"}, {"Arthur", "Vincent"}}},
	{"CM1", "Karim", "Benali", "karim.benali", [][2]string{{"Zoé", "Fournier"}, {"Noah", "Morel"}, {"Alice", "Girard"}, {"Paul", "André"}}},
	{"CM2", "Isabelle", "Mercier", "isabelle.mercier", [][2]string{{"Tom", "Martin"}, {"Camille", "Lefebvre"}, {"Yanis", "Mercier"}, {"Rose", "Blanc"}}},
}

// seedDemo writes the demo school: the DSI first on central, then the
// school, its classes and people. A school that already has classes (its
// data came back from central, or an older version seeded it) is left as
// it is.
func seedDemo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	s := NewService(env.DB, env.Auth)
	existing, err := s.SchoolClasses(ctx, school.ID)
	if err != nil || len(existing) > 0 {
		return err
	}
	if school.Central {
		if err := seedDemoDSI(ctx, env.Auth); err != nil {
			return err
		}
	}
	// A school's server made its row at start-up, perhaps under the name
	// central gave it: the demo renames nothing.
	if err := s.EnsureSchool(ctx, school.ID, school.Name); err != nil {
		return err
	}
	login := func(base string) string { return feature.DemoLogin(school.ID, base) }
	var users []NewUser
	pupilLogin := map[string]string{"Léa Martin": "eleve"}
	for _, c := range demoClasses {
		cl, err := s.CreateClass(ctx, school.ID, c.level, c.level)
		if err != nil {
			return fmt.Errorf("demo class %s: %w", c.level, err)
		}
		users = append(users, NewUser{NewUser: auth.NewUser{Login: login(c.teacherLogin), FirstName: c.teacherFirst,
			LastName: c.teacherLast, Profile: auth.Teacher, SchoolID: school.ID, Password: feature.DemoPassword,
			Email: c.teacherLogin + "@ecole.example"}, ClassIDs: []string{cl.ID}})
		for _, p := range c.pupils {
			base, ok := pupilLogin[p[0]+" "+p[1]]
			if !ok {
				base = nameLogin(p[0], p[1])
			}
			n := NewUser{NewUser: auth.NewUser{Login: login(base), FirstName: p[0], LastName: p[1], Profile: auth.Pupil,
				SchoolID: school.ID, Password: feature.DemoPassword}, ClassIDs: []string{cl.ID}}
			if c.level == "CP" || c.level == "CE1" {
				n.Pictures = demoPictures // young pupils log in with pictures
			}
			users = append(users, n)
		}
	}
	users = append(users, NewUser{NewUser: auth.NewUser{Login: login("directeur"), FirstName: "Claire", LastName: "Dubois",
		Profile: auth.Director, SchoolID: school.ID, Password: feature.DemoPassword, Email: "direction@ecole.example"}})
	ids, err := s.CreateUsers(ctx, users)
	if err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	return seedDemoParents(ctx, s, school.ID, users, ids)
}

// seedDemoParents gives every pupil a parent; "parent" has two children, in
// CE1 and CM2, to show switching between them.
func seedDemoParents(ctx context.Context, s *Service, schoolID string, users []NewUser, ids []string) error {
	byName := map[string]string{}
	for i, u := range users {
		if u.Profile == auth.Pupil {
			byName[u.FirstName+" "+u.LastName] = ids[i]
		}
	}
	parents := []NewUser{{NewUser: auth.NewUser{Login: feature.DemoLogin(schoolID, "parent"), FirstName: "Sophie", LastName: "Martin",
		Profile: auth.Parent, SchoolID: schoolID, Password: feature.DemoPassword, Email: "sophie.martin@famille.example"},
		ChildIDs: []string{byName["Léa Martin"], byName["Tom Martin"]}}}
	firstNames := []string{"Nadia", "Marc", "Julie", "Samir", "Anne", "Pierre", "Fatou", "Luc"}
	i := 0
	for _, c := range demoClasses {
		for _, p := range c.pupils {
			if p[1] == "Martin" {
				continue
			}
			first := firstNames[i%len(firstNames)]
			parents = append(parents, NewUser{NewUser: auth.NewUser{Login: feature.DemoLogin(schoolID, nameLogin(first, p[1])),
				FirstName: first, LastName: p[1], Profile: auth.Parent, SchoolID: schoolID, Password: feature.DemoPassword},
				ChildIDs: []string{byName[p[0]+" "+p[1]]}})
			i++
		}
	}
	if _, err := s.CreateUsers(ctx, parents); err != nil {
		return fmt.Errorf("demo parents: %w", err)
	}
	return nil
}

// seedDemoDSI creates the account "dsi", unless the city already has one by
// that login (made with preau user add before a first --demo): it is the
// DSI the demo's pages show.
func seedDemoDSI(ctx context.Context, accounts *auth.Service) error {
	if _, err := accounts.UserByLogin(ctx, "dsi"); !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	if _, err := accounts.CreateUser(ctx, auth.NewUser{Login: "dsi", FirstName: "Marc", LastName: "Lambert", Display: "DSI de la ville",
		Profile: auth.DSI, Password: feature.DemoPassword, Email: "dsi@ville.example"}); err != nil {
		return fmt.Errorf("demo DSI: %w", err)
	}
	return nil
}

// nameLogin is the login auth would generate from the names, "prénom.nom".
func nameLogin(first, last string) string { return auth.Slug(first) + "." + auth.Slug(last) }

// demoAccounts lists a demo school's logins to try; central adds its DSI.
func demoAccounts(school feature.DemoSchool) []feature.DemoAccount {
	pupil := feature.DemoAccount{Login: feature.DemoLogin(school.ID, "eleve"), Who: i18n.M("signin.demo.pupil"),
		Pictures: demoPictures}
	if school.Central {
		pupil.Who = i18n.M("signin.demo.pupil_central")
	}
	out := []feature.DemoAccount{
		{Login: feature.DemoLogin(school.ID, "directeur"), Who: i18n.M("signin.demo.director")},
		{Login: feature.DemoLogin(school.ID, "enseignant"), Who: i18n.M("signin.demo.teacher")},
		pupil,
		{Login: feature.DemoLogin(school.ID, "parent"), Who: i18n.M("signin.demo.parent")},
	}
	if school.Central {
		out = append(out, feature.DemoAccount{Login: "dsi", Who: i18n.M("signin.demo.dsi")})
	}
	return out
}
