package stats_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/stats"
	"preau/appliance/store"
)

// cityYear fills central with a year of counters of 125 schools, as their
// nodes and central would have written them: each school counts its four
// profiles' connections on school days and two on the others, and each
// month sixteen hours, twelve services and four profiles' visitors;
// central counts, every day, each school's parents and teachers from home,
// and each month their six hours and eight services. It returns how many
// rows were written.
func cityYear(b *testing.B, a *apptest.App, first time.Time) int {
	b.Helper()
	ctx := context.Background()
	services := []string{"dashboard", "homework", "liaison", "pages", "forum", "mail", "blog", "agenda", "documents", "news", "attendance", "classroom"}
	rnd := rand.New(rand.NewPCG(1, 2))
	n := 0
	for s := range 125 {
		school := fmt.Sprintf("ecole-%03d", s)
		if err := a.Register.CreateSchool(ctx, school, "École "+school); err != nil {
			b.Fatal(err)
		}
		err := a.DB.Write(ctx, func(tx *store.Tx) error {
			st, err := tx.PrepareContext(ctx, `INSERT INTO stats_counts(id, scope, hlc, origin, school_id, source, day, figure, profile, item, count)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer st.Close()
			put := func(source, day, figure, profile, item string, count int) error {
				n++
				_, err := st.ExecContext(ctx, stats.CountID(source, school, day, figure, profile, item), school, tx.HLC, tx.Origin, school, source,
					day, figure, profile, item, count)
				return err
			}
			for d := range 365 {
				t := first.AddDate(0, 0, d)
				day := t.Format("2006-01-02")
				class := t.Weekday() != time.Wednesday && t.Weekday() != time.Saturday && t.Weekday() != time.Sunday
				profiles := stats.Profiles
				if !class {
					profiles = stats.Profiles[1:3]
				}
				for _, p := range profiles {
					if err := put(school, day, stats.Connections, p, "", 1+rnd.IntN(60)); err != nil {
						return err
					}
				}
				for _, p := range []string{"parent", "teacher"} {
					if err := put(stats.Central, day, stats.Connections, p, "", 1+rnd.IntN(20)); err != nil {
						return err
					}
				}
				if t.Day() != 1 {
					continue
				}
				for _, p := range stats.Profiles {
					if err := put(school, day, stats.Visitors, p, "", 10+rnd.IntN(150)); err != nil {
						return err
					}
				}
				for h := range 16 {
					if err := put(school, day, stats.Hours, "", fmt.Sprintf("%02d", 6+h), 1+rnd.IntN(900)); err != nil {
						return err
					}
				}
				for _, sv := range services {
					if err := put(school, day, stats.Visits, "", sv, 1+rnd.IntN(6000)); err != nil {
						return err
					}
				}
				for h := range 6 {
					if err := put(stats.Central, day, stats.Hours, "", fmt.Sprintf("%02d", 16+h), 1+rnd.IntN(300)); err != nil {
						return err
					}
				}
				for _, sv := range services[:8] {
					if err := put(stats.Central, day, stats.Visits, "", sv, 1+rnd.IntN(1500)); err != nil {
						return err
					}
				}
			}
			for _, p := range stats.Profiles {
				if err := put(school, "", stats.Created, p, "", 100); err != nil {
					return err
				}
				if err := put(school, "", stats.Activated, p, "", 80); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return n
}

// The city's report over a year of 125 schools, as the DSI's page asks
// for it (issue 14: at most 1 s).
func BenchmarkCityYear(b *testing.B) {
	a := apptest.New(b, apptest.Options{Role: "central", NoDemo: true})
	first := time.Date(2025, time.September, 1, 0, 0, 0, 0, time.UTC)
	rows := cityYear(b, a, first)
	dsi, err := a.Auth.CreateUser(context.Background(), auth.NewUser{Login: "dsi.bench", Display: "DSI", Profile: auth.DSI, Password: "motdepasse-long"})
	if err != nil {
		b.Fatal(err)
	}
	s := stats.NewService(a.DB, a.Register)
	q := stats.Query{From: "2025-09-01", To: "2026-08-31"}
	var rep stats.Report
	for b.Loop() {
		if rep, err = s.Report(context.Background(), dsi, q); err != nil {
			b.Fatal(err)
		}
	}
	if len(rep.Schools) != 125 || rep.Connections == 0 || len(rep.Services) != 12 {
		b.Fatalf("the city's report: %d schools, %d connections, %d services", len(rep.Schools), rep.Connections, len(rep.Services))
	}
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/report")
}
