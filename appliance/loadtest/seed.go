package loadtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"preau/appliance"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/roster"
)

// PupilLogin is the login SeedPupils gives pupil i.
func PupilLogin(i int) string { return fmt.Sprintf("eleve%03d", i) }

// TeacherLogin is the login SeedTeachers gives teacher i.
func TeacherLogin(i int) string { return fmt.Sprintf("prof%03d", i) }

// SeedPupils creates the configured school with n pupils who log in with
// password, then closes the store so that a server process can open it.
func SeedPupils(ctx context.Context, cfg config.Config, n int, password string) error {
	return seedSchool(ctx, cfg, auth.Pupil, "Élève", PupilLogin, n, password)
}

// SeedTeachers is SeedPupils with teachers: the people who read their
// school mail in a mail client.
func SeedTeachers(ctx context.Context, cfg config.Config, n int, password string) error {
	return seedSchool(ctx, cfg, auth.Teacher, "Professeur", TeacherLogin, n, password)
}

// seedSchool creates the configured school with n accounts of a profile.
// They share one password so that seeding costs one hash, not n; a login
// costs the same verification either way.
func seedSchool(ctx context.Context, cfg config.Config, p auth.Profile, first string, login func(int) string, n int, password string) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := appliance.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	a := auth.NewService(db, log, cfg.HashConcurrency, cfg.SessionTTL)
	if err := roster.NewService(db, a).CreateSchool(ctx, cfg.SchoolID, cfg.SchoolName); err != nil {
		return err
	}
	users := make([]auth.NewUser, n)
	for i := range users {
		users[i] = auth.NewUser{Login: login(i), FirstName: first, LastName: fmt.Sprint(i),
			Profile: p, SchoolID: cfg.SchoolID, Password: password}
	}
	_, err = a.CreateUsers(ctx, users, nil)
	return err
}
