package sync_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/stats"
)

// The usage statistics reach central as counts and nothing else: a school
// pushes its counters, central adds those it counted itself (a parent
// from home), the DSI reads the school's figures, the director at the
// school reads both sides' after the next sync, and no row that left the
// school, nor any central holds, names a person.
func TestStatisticsSyncAsCountsOnly(t *testing.T) {
	p := newPair(t, "ecole-s")
	ctx := t.Context()
	_, teacher, pupil, parent := p.family(t, "CP", "s")
	pupil2 := p.user(t, "eleve2.s", auth.Pupil, nil, nil)
	director := p.user(t, "dir.s", auth.Director, nil, nil)
	syncOnce(t, p.school) // the accounts reach central

	day := time.Date(2025, time.March, 3, 9, 30, 0, 0, feature.Zone)
	atSchool := stats.RecorderOf(p.school.Env)
	atSchool.SetClock(func() time.Time { return day })
	for _, u := range []auth.User{teacher, pupil, pupil2, pupil} {
		atSchool.Connection(u)
	}
	atSchool.Visit(pupil, "homework")
	if err := atSchool.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	atCentral := stats.RecorderOf(p.central.Env)
	atCentral.SetClock(func() time.Time { return day.Add(10 * time.Hour) })
	atCentral.Connection(parent) // from home, on central
	if err := atCentral.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	syncOnce(t, p.school) // and back: central's count of the school

	dsi, err := p.central.Auth.UserByLogin(ctx, "dsi")
	if err != nil {
		t.Fatal(err)
	}
	q := stats.Query{From: "2025-03-01", To: "2025-03-31"}
	city, err := stats.NewService(p.central.DB, p.central.Register).Report(ctx, dsi, q)
	if err != nil {
		t.Fatal(err)
	}
	// 4 sessions at the school (the same pupil twice), 1 on central; 3
	// visitors at the school and 1 on central.
	if city.Connections != 5 || city.UniqueVisitors != 4 || len(city.Services) != 1 || city.Services[0].Count != 1 {
		t.Errorf("the city's figures: %d connections, %d visitors, services %v; want 5, 4, homework 1", city.Connections, city.UniqueVisitors, city.Services)
	}
	var row *stats.SchoolCount
	for i := range city.Schools {
		if city.Schools[i].School.ID == "ecole-s" {
			row = &city.Schools[i]
		}
	}
	if row == nil || row.Connections != 5 || row.Visitors != 4 {
		t.Errorf("the school's line in the city's table: %+v", row)
	}
	local, err := stats.NewService(p.school.DB, p.school.Register).Report(ctx, director, q)
	if err != nil {
		t.Fatal(err)
	}
	if local.Connections != 5 {
		t.Errorf("the director sees %d connections, not the school's and central's 5", local.Connections)
	}

	// Nothing that names a person: not in what central holds of the
	// statistics, not in what the school logged to send.
	people := []auth.User{teacher, pupil, pupil2, parent, director}
	for _, node := range []struct {
		name string
		db   interface {
			QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		}
	}{{"central", p.central.DB.Reader()}, {"school", p.school.DB.Reader()}} {
		for _, table := range stats.Schema.Replicated {
			for _, line := range statsRows(t, node.db, table) {
				for _, u := range people {
					for _, v := range []string{u.ID, u.Login, u.DisplayName} {
						if strings.Contains(line, v) {
							t.Errorf("%s's %s holds a row naming %s: %s", node.name, table, u.Login, line)
						}
					}
				}
			}
		}
	}
	for _, table := range []string{"stats_seen", "stats_activated", "stats_key"} {
		if p.central.DB.IsReplicated(table) {
			t.Errorf("%s replicates", table)
		}
	}
	// Central knows who activated their account on central only.
	for _, u := range people {
		var n int
		p.central.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM stats_activated WHERE user_id = ?", u.ID).Scan(&n)
		if want := map[bool]int{true: 1, false: 0}[u.ID == parent.ID]; n != want {
			t.Errorf("central's activations of %s: %d, want %d", u.Login, n, want)
		}
	}
	var logged int
	p.school.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM changes WHERE tbl IN ('stats_seen', 'stats_activated', 'stats_key')").Scan(&logged)
	if logged != 0 {
		t.Errorf("the school logged %d changes of its visitors to send", logged)
	}
	// The finest a pupil's count goes is a school's day: no class, no hour, no service.
	for _, line := range statsRows(t, p.central.DB.Reader(), "stats_counts") {
		if strings.Contains(line, "pupil") && !strings.Contains(line, "connections") && !strings.Contains(line, "visitors") &&
			!strings.Contains(line, "accounts_") {
			t.Errorf("a pupils' count finer than a day of the school: %s", line)
		}
	}
}

// statsRows is every row of a table as one line of its values.
func statsRows(t *testing.T, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, table string) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, c := range cols {
			fmt.Fprintf(&b, "%s=%v ", c, vals[i])
		}
		out = append(out, b.String())
	}
	return out
}
