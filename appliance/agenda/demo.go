package agenda

import (
	"context"
	"fmt"
	"time"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// demo fills the demo school's agenda, as its director and the CE1's
// teacher would have (data, in the school's language: i18n:data): the
// Christmas holidays, a weekly swimming lesson with a week off, a school
// fête.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if !ok || err != nil {
		return err
	}
	director, err := env.Auth.UserByLogin(ctx, feature.DemoLogin(school.ID, "directeur"))
	if err != nil || director.Profile != auth.Director {
		return nil // the director renamed: the rest of the demo stands
	}
	s := NewService(env)
	if events, err := s.query(ctx, "school_id = ? LIMIT 1", school.ID); err != nil || len(events) > 0 {
		return err // seeded before the mark existed, or come back from central
	}
	now := s.now().In(Zone)
	at := func(days, hour, minute int) time.Time {
		d := now.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, Zone)
	}
	// The next Tuesday's swimming, weekly until the Christmas holidays, the
	// second week off.
	tuesday := (int(time.Tuesday) - int(now.Weekday()) + 7) % 7
	swim := at(tuesday, 9, 30)
	year := now.Year()
	if now.Month() >= time.July {
		year++
	}
	christmas := time.Date(now.Year(), time.December, 19, 0, 0, 0, 0, Zone)
	for _, e := range []struct {
		by auth.User
		d  Draft
	}{
		{director, Draft{Calendar: School, Title: demoTitles[0], AllDay: true, Holiday: true, Start: christmas, End: christmas.AddDate(0, 0, 16)}},
		{teacher, Draft{Calendar: Class, ClassID: class.ID, Title: demoTitles[1], Place: demoTitles[2], Start: swim, End: swim.Add(90 * time.Minute),
			RRule: "FREQ=WEEKLY;UNTIL=" + christmas.UTC().Format("20060102T150405Z"), ExDates: []time.Time{swim.AddDate(0, 0, 7)}}},
		{director, Draft{Calendar: School, Title: demoTitles[3], Place: demoTitles[4], Start: time.Date(year, time.June, 20, 10, 0, 0, 0, Zone),
			End: time.Date(year, time.June, 20, 16, 0, 0, 0, Zone)}},
	} {
		if _, err := s.Create(ctx, e.by, e.d); err != nil {
			return fmt.Errorf("demo agenda %q: %w", e.d.Title, err)
		}
	}
	return nil
}

// demoTitles are the demo's events' words (i18n:data).
var demoTitles = []string{"Vacances de Noël", "Piscine", "Piscine municipale", "Fête de l'école", "Cour de l'école"}
