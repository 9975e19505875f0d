// Package demo seeds a demonstration school so that `make run` shows a
// living appliance: five classes from CP to CM2, their teachers and pupils,
// parents linked to their children, a director, and the DSI on central.
// Every demo account's password is "demo".
//
// It imports only auth.
package demo

import (
	"context"
	"errors"
	"fmt"

	"preau/appliance/auth"
)

// Password is every demo account's password.
const Password = "demo"

// PupilPictures is the demo pupil's picture password, shown on the login
// page in demo mode: soleil, chat, pomme.
var PupilPictures = []int{0, 1, 4}

// Options says what to seed.
type Options struct {
	SchoolID   string
	SchoolName string
	Central    bool // also seed the city's DSI account
}

type class struct {
	level, teacherFirst, teacherLast, teacherLogin string
	pupils                                         [][2]string // first, last
}

var classes = []class{
	{"CP", "Hélène", "Roux", "helene.roux", [][2]string{{"Jules", "Bernard"}, {"Chloé", "Petit"}, {"Nathan", "Robert"}, {"Inès", "Richard"}, {"Louis", "Durand"}}},
	{"CE1", "Thomas", "Lefèvre", "enseignant", [][2]string{{"Léa", "Martin"}, {"Hugo", "Moreau"}, {"Manon", "Simon"}, {"Adam", "Laurent"}, {"Jade", "Michel"}, {"Gabriel", "Garcia"}}},
	{"CE2", "Sophie", "Girard", "sophie.girard", [][2]string{{"Emma", "David"}, {"Raphaël", "Bertrand"}, {"Lina", "Roux"}, {"Arthur", "Vincent"}}},
	{"CM1", "Karim", "Benali", "karim.benali", [][2]string{{"Zoé", "Fournier"}, {"Noah", "Morel"}, {"Alice", "Girard"}, {"Paul", "André"}}},
	{"CM2", "Isabelle", "Mercier", "isabelle.mercier", [][2]string{{"Tom", "Martin"}, {"Camille", "Lefebvre"}, {"Yanis", "Mercier"}, {"Rose", "Blanc"}}},
}

// Seed creates the demo school once; later calls find it and do nothing.
func Seed(ctx context.Context, a *auth.Service, o Options) error {
	if o.Central {
		if err := seedDSI(ctx, a); err != nil {
			return err
		}
	}
	if _, err := a.UserByLogin(ctx, "directeur"); err == nil {
		return nil
	} else if !errors.Is(err, auth.ErrNotFound) {
		return err
	}
	if err := a.CreateSchool(ctx, o.SchoolID, o.SchoolName); err != nil {
		return err
	}
	var users []auth.NewUser
	pupilLogin := map[string]string{"Léa Martin": "eleve", "Tom Martin": "tom.martin"}
	for _, c := range classes {
		cl, err := a.CreateClass(ctx, o.SchoolID, c.level, c.level)
		if err != nil {
			return fmt.Errorf("demo class %s: %w", c.level, err)
		}
		users = append(users, auth.NewUser{Login: c.teacherLogin, FirstName: c.teacherFirst, LastName: c.teacherLast,
			Profile: auth.Teacher, SchoolID: o.SchoolID, Password: Password, ClassIDs: []string{cl.ID},
			Email: c.teacherLogin + "@ecole.example"})
		for _, p := range c.pupils {
			n := auth.NewUser{Login: pupilLogin[p[0]+" "+p[1]], FirstName: p[0], LastName: p[1], Profile: auth.Pupil,
				SchoolID: o.SchoolID, Password: Password, ClassIDs: []string{cl.ID}}
			if c.level == "CP" || c.level == "CE1" {
				n.Pictures = PupilPictures // young pupils log in with pictures
			}
			users = append(users, n)
		}
	}
	users = append(users, auth.NewUser{Login: "directeur", FirstName: "Claire", LastName: "Dubois", Profile: auth.Director,
		SchoolID: o.SchoolID, Password: Password, Email: "direction@ecole.example"})
	ids, err := a.CreateUsers(ctx, users)
	if err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	return seedParents(ctx, a, o.SchoolID, users, ids)
}

// seedParents gives every pupil a parent; "parent" has two children, in CE1
// and CM2, to show switching between them.
func seedParents(ctx context.Context, a *auth.Service, schoolID string, users []auth.NewUser, ids []string) error {
	byName := map[string]string{}
	for i, u := range users {
		if u.Profile == auth.Pupil {
			byName[u.FirstName+" "+u.LastName] = ids[i]
		}
	}
	parents := []auth.NewUser{{Login: "parent", FirstName: "Sophie", LastName: "Martin", Profile: auth.Parent, SchoolID: schoolID,
		Password: Password, Email: "sophie.martin@famille.example",
		ChildIDs: []string{byName["Léa Martin"], byName["Tom Martin"]}}}
	firstNames := []string{"Nadia", "Marc", "Julie", "Samir", "Anne", "Pierre", "Fatou", "Luc"}
	i := 0
	for _, c := range classes {
		for _, p := range c.pupils {
			if p[1] == "Martin" {
				continue
			}
			parents = append(parents, auth.NewUser{FirstName: firstNames[i%len(firstNames)], LastName: p[1], Profile: auth.Parent,
				SchoolID: schoolID, Password: Password, ChildIDs: []string{byName[p[0]+" "+p[1]]}})
			i++
		}
	}
	_, err := a.CreateUsers(ctx, parents)
	return err
}

func seedDSI(ctx context.Context, a *auth.Service) error {
	if _, err := a.UserByLogin(ctx, "dsi"); err == nil {
		return nil
	}
	_, err := a.CreateUser(ctx, auth.NewUser{Login: "dsi", FirstName: "Marc", LastName: "Lambert", Display: "DSI de la ville",
		Profile: auth.DSI, Password: Password, Email: "dsi@ville.example"})
	return err
}

// Accounts lists the demo logins printed at start-up.
func Accounts(central bool) [][2]string {
	pupil := "élève de CE1 (images : soleil, chat, pomme)"
	if central {
		pupil = "élève de CE1 (les images ne servent qu'à l'école)"
	}
	out := [][2]string{
		{"directeur", "directrice de l'école"},
		{"enseignant", "enseignant du CE1"},
		{"eleve", pupil},
		{"parent", "parent de Léa (CE1) et de Tom (CM2)"},
	}
	if central {
		out = append(out, [2]string{"dsi", "DSI de la ville"})
	}
	return out
}
