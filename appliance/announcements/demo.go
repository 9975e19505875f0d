package announcements

import (
	"context"
	"time"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// demoAnnouncement is what the demo city's DSI announces to every school,
// in the city's language (data: i18n:data).
var demoAnnouncement = struct{ title, body string }{
	title: "Travaux sur le réseau de la ville cette semaine",
	body:  "Préau peut être injoignable depuis la maison quelques minutes par soir ; dans l'école, il reste joignable, et ce qui y est écrit part ensuite.",
}

// demo announces a maintenance window to every school, as the DSI would
// have written it on central; at a school, the row is written as sync
// brings it. Once: a demo that restarts keeps what it has.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	s := newService(env)
	if list, err := s.all(ctx); err != nil || len(list) > 0 {
		return err
	}
	now := s.now()
	a := Announcement{ID: store.NewID(), Kind: Maintenance, Title: demoAnnouncement.title, Body: demoAnnouncement.body,
		Starts: now.Truncate(time.Minute), Ends: now.Add(7 * 24 * time.Hour).Truncate(time.Minute), CreatedAt: now}
	if dsi, err := env.Auth.UserByLogin(ctx, "dsi"); err == nil && dsi.Profile == auth.DSI {
		a.AuthorID = dsi.ID
	}
	return s.insert(ctx, a)
}
