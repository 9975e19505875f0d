// Package demo seeds a demonstration school so that `make run` shows a
// living appliance: five classes from CP to CM2, their teachers and pupils,
// parents linked to their children, a director, and the DSI on central.
// Every demo account's password is "demo".
//
// Several demo schools make a demo city: the school "demo" (the default
// school.id, which central's --demo seeds too) has the logins the README
// lists; another school's logins carry its id, so that no two schools of a
// city share a login and sync renames none.
//
// It imports auth and roster, and store for its marker table.
package demo

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/roster"
	"preau/appliance/store"
)

// SchoolID is the school whose demo accounts have bare logins: the default
// school.id.
const SchoolID = "demo"

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the demo's part of the database: which schools this node has
// seeded. Nothing of it replicates.
var Schema = store.Schema{Name: "demo", FS: store.Sub(migrations, "migrations")}

// Password is every demo account's password.
const Password = "demo"

// PupilPictures is the demo pupil's picture password, shown on the login
// page in demo mode: soleil, chat, pomme.
var PupilPictures = []int{0, 1, 4}

// Options says what to seed.
type Options struct {
	SchoolID   string
	SchoolName string
	Central    bool // central's demo school: seeding it brings the city's DSI account
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

// Seed creates the demo school once per node: a later call finds its mark
// and does nothing, whatever became of the accounts it made. A school that
// already has classes is not seeded either (seeded before the mark existed,
// or its data came back from central), only marked.
func Seed(ctx context.Context, db *store.DB, accounts *auth.Service, a *roster.Service, o Options) error {
	var marked int
	if err := db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM demo_seeds WHERE school_id = ?", o.SchoolID).Scan(&marked); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if marked > 0 {
		return nil
	}
	existing, err := a.SchoolClasses(ctx, o.SchoolID)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(existing) == 0 {
		if err := seed(ctx, accounts, a, o); err != nil {
			return err
		}
	}
	return db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO demo_seeds(school_id, seeded_at) VALUES (?, ?)",
			o.SchoolID, time.Now().UTC().Format(time.RFC3339))
		return err
	})
}

// seed writes the demo school: the DSI first on central, then the school,
// its classes and people.
func seed(ctx context.Context, accounts *auth.Service, a *roster.Service, o Options) error {
	if o.Central {
		if err := seedDSI(ctx, accounts); err != nil {
			return err
		}
	}
	// A school's server made its row at start-up, perhaps under the name
	// central gave it: the demo renames nothing.
	if _, err := a.School(ctx, o.SchoolID); errors.Is(err, apperr.ErrNotFound) {
		if err := a.CreateSchool(ctx, o.SchoolID, o.SchoolName); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	login := func(base string) string { return Login(o.SchoolID, base) }
	var users []roster.NewUser
	pupilLogin := map[string]string{"Léa Martin": "eleve"}
	for _, c := range classes {
		cl, err := a.CreateClass(ctx, o.SchoolID, c.level, c.level)
		if err != nil {
			return fmt.Errorf("demo class %s: %w", c.level, err)
		}
		users = append(users, roster.NewUser{NewUser: auth.NewUser{Login: login(c.teacherLogin), FirstName: c.teacherFirst,
			LastName: c.teacherLast, Profile: auth.Teacher, SchoolID: o.SchoolID, Password: Password,
			Email: c.teacherLogin + "@ecole.example"}, ClassIDs: []string{cl.ID}})
		for _, p := range c.pupils {
			base, ok := pupilLogin[p[0]+" "+p[1]]
			if !ok {
				base = nameLogin(p[0], p[1])
			}
			n := roster.NewUser{NewUser: auth.NewUser{Login: login(base), FirstName: p[0], LastName: p[1], Profile: auth.Pupil,
				SchoolID: o.SchoolID, Password: Password}, ClassIDs: []string{cl.ID}}
			if c.level == "CP" || c.level == "CE1" {
				n.Pictures = PupilPictures // young pupils log in with pictures
			}
			users = append(users, n)
		}
	}
	users = append(users, roster.NewUser{NewUser: auth.NewUser{Login: login("directeur"), FirstName: "Claire", LastName: "Dubois",
		Profile: auth.Director, SchoolID: o.SchoolID, Password: Password, Email: "direction@ecole.example"}})
	ids, err := a.CreateUsers(ctx, users)
	if err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	return seedParents(ctx, a, o.SchoolID, users, ids)
}

// seedParents gives every pupil a parent; "parent" has two children, in CE1
// and CM2, to show switching between them.
func seedParents(ctx context.Context, a *roster.Service, schoolID string, users []roster.NewUser, ids []string) error {
	byName := map[string]string{}
	for i, u := range users {
		if u.Profile == auth.Pupil {
			byName[u.FirstName+" "+u.LastName] = ids[i]
		}
	}
	parents := []roster.NewUser{{NewUser: auth.NewUser{Login: Login(schoolID, "parent"), FirstName: "Sophie", LastName: "Martin",
		Profile: auth.Parent, SchoolID: schoolID, Password: Password, Email: "sophie.martin@famille.example"},
		ChildIDs: []string{byName["Léa Martin"], byName["Tom Martin"]}}}
	firstNames := []string{"Nadia", "Marc", "Julie", "Samir", "Anne", "Pierre", "Fatou", "Luc"}
	i := 0
	for _, c := range classes {
		for _, p := range c.pupils {
			if p[1] == "Martin" {
				continue
			}
			first := firstNames[i%len(firstNames)]
			parents = append(parents, roster.NewUser{NewUser: auth.NewUser{Login: Login(schoolID, nameLogin(first, p[1])), FirstName: first,
				LastName: p[1], Profile: auth.Parent, SchoolID: schoolID, Password: Password}, ChildIDs: []string{byName[p[0]+" "+p[1]]}})
			i++
		}
	}
	if _, err := a.CreateUsers(ctx, parents); err != nil {
		return fmt.Errorf("demo parents: %w", err)
	}
	return nil
}

// seedDSI creates the account "dsi", unless the city already has one by
// that login (made with preau user add before a first --demo): it is the
// DSI the demo's pages show.
func seedDSI(ctx context.Context, a *auth.Service) error {
	if _, err := a.UserByLogin(ctx, "dsi"); !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	if _, err := a.CreateUser(ctx, auth.NewUser{Login: "dsi", FirstName: "Marc", LastName: "Lambert", Display: "DSI de la ville",
		Profile: auth.DSI, Password: Password, Email: "dsi@ville.example"}); err != nil {
		return fmt.Errorf("demo DSI: %w", err)
	}
	return nil
}

// nameLogin is the login auth would generate from the names, "prénom.nom".
func nameLogin(first, last string) string { return auth.Slug(first) + "." + auth.Slug(last) }

// Login is the login of a demo account at a school, base being its login
// at the school "demo": "directeur" there, "directeur.ecole-a" at the school
// ecole-a. A school id too long for the login is cut and ends with a hash of
// it, so that two schools still differ.
func Login(schoolID, base string) string {
	if schoolID == SchoolID {
		return base
	}
	suffix := schoolID
	if room := auth.MaxLogin - len(base) - 1; len(suffix) > room {
		sum := sha256.Sum256([]byte(schoolID))
		suffix = suffix[:room-9] + "-" + hex.EncodeToString(sum[:4])
	}
	return base + "." + suffix
}

// Accounts lists a demo school's logins to try, for the login page and the
// start-up banner; central adds its DSI.
func Accounts(schoolID string, central bool) [][2]string {
	pupil := "élève de CE1 (images : soleil, chat, pomme)"
	if central {
		pupil = "élève de CE1 (les images ne servent qu'à l'école)"
	}
	out := [][2]string{
		{Login(schoolID, "directeur"), "directrice de l'école"},
		{Login(schoolID, "enseignant"), "enseignant du CE1"},
		{Login(schoolID, "eleve"), pupil},
		{Login(schoolID, "parent"), "parent de Léa (CE1) et de Tom (CM2)"},
	}
	if central {
		out = append(out, [2]string{"dsi", "DSI de la ville"})
	}
	return out
}
