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

// SeedPupils creates the configured school with n pupils who log in with
// password, then closes the store so that a server process can open it.
// They share one password so that seeding costs one hash, not n; a login
// costs the same verification either way.
func SeedPupils(ctx context.Context, cfg config.Config, n int, password string) error {
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
		users[i] = auth.NewUser{Login: PupilLogin(i), FirstName: "Élève", LastName: fmt.Sprint(i),
			Profile: auth.Pupil, SchoolID: cfg.SchoolID, Password: password}
	}
	_, err = a.CreateUsers(ctx, users, nil)
	return err
}
