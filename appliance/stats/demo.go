package stats

import (
	"context"
	"math/rand/v2"
	"time"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// demoDays is how far back the demo school's activity goes.
const demoDays = 35

// demo writes four weeks and more of plausible activity for the demo
// school, as its node would have counted it: pupils in class hours on
// school days (not Wednesday), teachers before and after class, parents
// in the evening and on days off; four accounts in five activated.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	users, err := env.Register.SchoolUsers(ctx, school.ID)
	if err != nil {
		return err
	}
	rc := NewRecorder(env.DB, env.Log, school.ID)
	if env.Config.Role == config.RoleCentral {
		rc.source = Central // central's own count of the school: its parents from home
	}
	var counted int
	if err := env.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM stats_counts WHERE school_id = ? AND source = ?",
		school.ID, rc.source).Scan(&counted); err != nil || counted > 0 {
		return err // counted already: seeded before, or real activity
	}
	rnd := rand.New(rand.NewPCG(uint64(len(school.ID)), 14))
	today := rc.now().In(feature.Zone)
	counts := map[key]int64{}
	for back := demoDays; back >= 1; back-- {
		t := today.AddDate(0, 0, -back)
		demoDay(counts, school.ID, t, rnd)
	}
	activated := map[string]string{}
	perProfile := map[auth.Profile]int{}
	for i, u := range users {
		if u.Profile == auth.DSI || u.SchoolID != school.ID {
			continue
		}
		perProfile[u.Profile]++
		if i%5 != 4 {
			activated[u.ID] = school.ID
		}
	}
	return rc.db.Write(ctx, func(tx *store.Tx) error {
		if err := rc.write(ctx, tx, today, counts, nil, activated); err != nil {
			return err
		}
		// Unique visitors of each month: most of each profile's accounts.
		share := map[string]float64{"pupil": .85, "teacher": 1, "parent": .6, "director": 1}
		start := today.AddDate(0, 0, -demoDays)
		for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, feature.Zone); !m.After(today); m = m.AddDate(0, 1, 0) {
			for _, p := range Profiles {
				n := int64(float64(perProfile[auth.Profile(p)]) * share[p])
				if err := rc.setCount(ctx, tx, school.ID, m.Format(monthLayout)+"-01", Visitors, p, n); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// demoDay adds a day's connections, hours and visits to counts.
func demoDay(counts map[key]int64, school string, t time.Time, rnd *rand.Rand) {
	day, month := t.Format(dayLayout), t.Format(monthLayout)+"-01"
	wd := t.Weekday()
	class := wd != time.Wednesday && wd != time.Saturday && wd != time.Sunday
	add := func(profile string, n int, hours []int) {
		for range n {
			counts[key{school, day, Connections, profile, ""}]++
			h := hours[rnd.IntN(len(hours))]
			counts[key{school, month, Hours, "", twoDigits(h)}]++
		}
	}
	if class {
		add("pupil", 35+rnd.IntN(25), []int{9, 9, 10, 10, 11, 14, 14, 15, 15, 16})
		add("teacher", 5+rnd.IntN(4), []int{8, 8, 12, 13, 17, 18, 20})
		add("director", 1+rnd.IntN(3), []int{8, 9, 13, 17})
	} else if wd == time.Wednesday {
		add("teacher", 2+rnd.IntN(3), []int{10, 14, 18})
	}
	add("parent", 6+rnd.IntN(18), []int{7, 8, 12, 18, 19, 19, 20, 20, 21})
	services := []struct {
		name   string
		weight int
	}{{"dashboard", 30}, {"homework", 22}, {"liaison", 14}, {"pages", 10}, {"forum", 8}, {"mail", 8}, {"blog", 6},
		{"agenda", 5}, {"documents", 4}, {"news", 3}, {"attendance", 3}, {"classroom", 2}}
	scale := 1
	if class {
		scale = 3
	}
	for _, s := range services {
		if n := s.weight * scale * (70 + rnd.IntN(60)) / 100; n > 0 {
			counts[key{school, month, Visits, "", s.name}] += int64(n)
		}
	}
}

func twoDigits(h int) string { return string([]byte{byte('0' + h/10), byte('0' + h%10)}) }
