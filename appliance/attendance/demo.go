package attendance

import (
	"context"
	"fmt"
	"time"

	"preau/appliance/feature"
)

// demo takes the demo CE1's registers of the last school day: Léa, the
// demo parent's child, absent in the morning, which her parent has to
// justify.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if !ok || err != nil {
		return err
	}
	s := serviceOf(env)
	if abs, err := s.query(ctx, "class_id = ? LIMIT 1", class.ID); err != nil || len(abs) > 0 {
		return err // seeded before the mark existed, or come back from central
	}
	pupils, err := env.Register.ClassPupils(ctx, class.ID)
	if err != nil || len(pupils) < 2 {
		return err
	}
	last := s.now().AddDate(0, 0, -1)
	for last.Weekday() == time.Saturday || last.Weekday() == time.Sunday {
		last = last.AddDate(0, 0, -1)
	}
	lea := pupils[0]
	for _, p := range pupils {
		parents, err := env.Register.Parents(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, parent := range parents {
			if parent.Login == feature.DemoLogin(school.ID, "parent") {
				lea = p
			}
		}
	}
	for _, roll := range []Roll{
		{ClassID: class.ID, Day: last.Format(day), HalfDay: AM, Absent: []string{lea.ID}},
		{ClassID: class.ID, Day: last.Format(day), HalfDay: PM},
	} {
		if err := s.Take(ctx, teacher, roll); err != nil {
			return fmt.Errorf("demo register: %w", err)
		}
	}
	return nil
}
