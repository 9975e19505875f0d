package stats_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/stats"
)

// report is the API's answer, as a client reads it.
type report struct {
	From        string `json:"from"`
	To          string `json:"to"`
	School      string `json:"school"`
	Connections []struct {
		Day     string `json:"day"`
		Profile string `json:"profile"`
		Count   int64  `json:"count"`
	} `json:"connections"`
	Months []struct {
		Month   string `json:"month"`
		Profile string `json:"profile"`
		Count   int64  `json:"count"`
	} `json:"connections_by_month"`
	UniqueVisitors int64   `json:"unique_visitors"`
	PerVisitor     float64 `json:"visits_per_visitor"`
	Services       []struct {
		Service string `json:"service"`
		Count   int64  `json:"count"`
	} `json:"services"`
	Hours []struct {
		Hour  int   `json:"hour"`
		Count int64 `json:"count"`
	} `json:"hours"`
	Weekdays []struct {
		Weekday int   `json:"weekday"`
		Count   int64 `json:"count"`
	} `json:"weekdays"`
	Accounts []struct {
		Profile   string `json:"profile"`
		Created   int64  `json:"created"`
		Activated int64  `json:"activated"`
	} `json:"accounts"`
}

// at is a time in the schools' zone.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, feature.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

// school is a school without demo data: three pupils, a teacher, a parent
// and a director, none of whom has signed in.
func school(t *testing.T) *apptest.App {
	t.Helper()
	a := apptest.New(t, apptest.Options{NoDemo: true})
	for _, n := range []auth.NewUser{
		{Login: "p1", Display: "Pupil One", Profile: auth.Pupil}, {Login: "p2", Display: "Pupil Two", Profile: auth.Pupil},
		{Login: "p3", Display: "Pupil Three", Profile: auth.Pupil}, {Login: "t1", Display: "Teacher", Profile: auth.Teacher},
		{Login: "pa1", Display: "Parent", Profile: auth.Parent}, {Login: "d1", Display: "Director", Profile: auth.Director},
	} {
		n.SchoolID, n.Password = a.Config.SchoolID, "motdepasse-long"
		if _, err := a.Auth.CreateUser(t.Context(), n); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// activity is generated activity whose figures are counted by hand below.
func activity(t *testing.T, a *apptest.App) {
	t.Helper()
	rc := stats.RecorderOf(a.Env)
	connect := func(login, when string) {
		rc.SetClock(func() time.Time { return at(when) })
		rc.Connection(a.User(login))
	}
	visit := func(login, when, service string, n int) {
		rc.SetClock(func() time.Time { return at(when) })
		for range n {
			rc.Visit(a.User(login), service)
		}
	}
	connect("t1", "2025-03-03 08:05") // Monday
	connect("p1", "2025-03-03 09:15")
	connect("p2", "2025-03-03 09:40")
	connect("pa1", "2025-03-03 19:30")
	visit("p1", "2025-03-03 09:20", "homework", 3)
	visit("t1", "2025-03-03 10:00", "homework", 1)
	connect("p1", "2025-03-04 09:10") // Tuesday
	connect("pa1", "2025-03-04 20:10")
	visit("pa1", "2025-03-04 20:11", "liaison", 2)
	if err := rc.Flush(t.Context()); err != nil { // two flushes add up
		t.Fatal(err)
	}
	connect("t1", "2025-04-01 08:30") // Tuesday
	visit("pa1", "2025-04-02 12:00", "homework", 1)
	if err := rc.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	rc.SetClock(time.Now)
}

func get(t *testing.T, a *apptest.App, c *http.Client, path string) report {
	t.Helper()
	resp, body := a.Get(c, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	var r report
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
	return r
}

// The figures of generated activity are those counted by hand.
func TestFiguresMatchHandComputed(t *testing.T) {
	a := school(t)
	director := a.ClientAs("d1") // its own session, today: out of the period, but an activation
	activity(t, a)
	r := get(t, a, director, "/api/v1/stats?from=2025-03-01&to=2025-04-30")

	conn := map[string]int64{}
	for _, c := range r.Connections {
		conn[c.Day+" "+c.Profile] = c.Count
	}
	want := map[string]int64{"2025-03-03 teacher": 1, "2025-03-03 pupil": 2, "2025-03-03 parent": 1, "2025-03-04 pupil": 1,
		"2025-03-04 parent": 1, "2025-04-01 teacher": 1}
	if !mapsEqual(conn, want) {
		t.Errorf("connections per day and profile: %v, want %v", conn, want)
	}
	months := map[string]int64{}
	for _, m := range r.Months {
		months[m.Month+" "+m.Profile] = m.Count
	}
	if want := map[string]int64{"2025-03 pupil": 3, "2025-03 teacher": 1, "2025-03 parent": 2, "2025-04 teacher": 1}; !mapsEqual(months, want) {
		t.Errorf("connections per month: %v, want %v", months, want)
	}
	// March: p1, p2, t1, pa1; April: t1, pa1 (a visit without a new session).
	if r.UniqueVisitors != 6 {
		t.Errorf("unique visitors %d, want 6", r.UniqueVisitors)
	}
	if r.PerVisitor != 1.17 { // 7 connections / 6 visitors
		t.Errorf("visits per visitor %v, want 1.17", r.PerVisitor)
	}
	services := map[string]int64{}
	for _, s := range r.Services {
		services[s.Service] = s.Count
	}
	if want := map[string]int64{"homework": 5, "liaison": 2}; !mapsEqual(services, want) || r.Services[0].Service != "homework" {
		t.Errorf("services %v, want %v, most used first", r.Services, want)
	}
	hours := map[int]int64{}
	for _, h := range r.Hours {
		if h.Count > 0 {
			hours[h.Hour] = h.Count
		}
	}
	if want := map[int]int64{8: 2, 9: 3, 19: 1, 20: 1}; !mapsEqual(hours, want) {
		t.Errorf("hours %v, want %v", hours, want)
	}
	days := map[int]int64{}
	for _, d := range r.Weekdays {
		if d.Count > 0 {
			days[d.Weekday] = d.Count
		}
	}
	if want := map[int]int64{1: 4, 2: 3}; !mapsEqual(days, want) {
		t.Errorf("weekdays %v, want %v (Monday 1)", days, want)
	}
	accounts := map[string][2]int64{}
	for _, ac := range r.Accounts {
		accounts[ac.Profile] = [2]int64{ac.Created, ac.Activated}
	}
	wantAcc := map[string][2]int64{"pupil": {3, 2}, "teacher": {1, 1}, "parent": {1, 1}, "director": {1, 1}, "": {6, 5}}
	if !mapsEqual(accounts, wantAcc) {
		t.Errorf("accounts (created, activated) %v, want %v", accounts, wantAcc)
	}

	// A shorter period counts only its days; its month's visitors whole.
	r = get(t, a, director, "/api/v1/stats?from=2025-03-04&to=2025-03-04")
	if len(r.Connections) != 2 || r.UniqueVisitors != 4 {
		t.Errorf("one day: %+v", r)
	}

	// The CSV says the same.
	resp, body := a.Get(director, "/stats.csv?from=2025-03-01&to=2025-04-30")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range [][]string{
		{"figure", "period", "profile", "item", "count"},
		{"connections", "2025-03-03", "pupil", "", "2"},
		{"unique_visitors_total", "2025-03-01/2025-04-30", "", "", "6"},
		{"services", "2025-03-01/2025-04-30", "", "homework", "5"},
		{"hours", "2025-03-01/2025-04-30", "", "09", "3"},
		{"weekdays", "2025-03-01/2025-04-30", "", "1", "4"},
		{"accounts_activated", "", "pupil", "", "2"},
	} {
		if !slices.ContainsFunc(lines, func(l []string) bool { return slices.Equal(l, line) }) {
			t.Errorf("CSV has no line %q:\n%s", line, body)
		}
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Connections are counted where sessions open, visits where a feature's
// page is served whole: not the API, not a redirect, not an error.
func TestConnectionsAndVisitsCountedOnTheirOwn(t *testing.T) {
	a := school(t)
	rc := stats.RecorderOf(a.Env)
	c := a.Client()
	resp, _ := a.Do(c, http.MethodPost, "/api/v1/session", "application/json", `{"login":"t1","password":"motdepasse-long"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	for _, path := range []string{"/accueil", "/accueil", "/devoirs", "/api/v1/homework", "/nulle-part"} {
		a.Get(c, path)
	}
	if err := rc.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(feature.Zone)
	got := map[string]int64{}
	rows, err := a.DB.Reader().QueryContext(t.Context(), `SELECT figure, profile, item, count FROM stats_counts
		WHERE figure = 'connections' AND day = ? OR figure = 'visits' AND day = ?`, now.Format("2006-01-02"), now.Format("2006-01")+"-01")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var figure, profile, item string
		var n int64
		rows.Scan(&figure, &profile, &item, &n)
		got[figure+" "+profile+item] = n
	}
	want := map[string]int64{"connections teacher": 1, "visits dashboard": 2, "visits homework": 1}
	if !mapsEqual(got, want) {
		t.Errorf("counted %v, want %v", got, want)
	}
}

// A director sees their school's figures only; bad periods are refused
// with what to send; nobody but a director or the DSI reads them.
func TestQueriesRefused(t *testing.T) {
	a := school(t)
	director := a.ClientAs("d1")
	for path, status := range map[string]int{
		"/api/v1/stats?school=ecole-b":                      http.StatusForbidden,
		"/api/v1/stats?from=2025-13-01&to=2025-12-31":       http.StatusBadRequest,
		"/api/v1/stats?from=2025-03-02&to=2025-03-01":       http.StatusBadRequest,
		"/api/v1/stats?from=2024-01-01&to=2025-12-31":       http.StatusBadRequest,
		"/stats.csv?from=hier":                              http.StatusBadRequest,
		"/statistiques?du=2025-03-01&au=2025-03-31&ecole=x": http.StatusForbidden,
	} {
		resp, body := a.Get(director, path)
		if resp.StatusCode != status || !strings.Contains(body, "error") && strings.HasPrefix(path, "/api") {
			t.Errorf("%s: %d %s, want %d", path, resp.StatusCode, body, status)
		}
	}
	_, body := a.Get(director, "/api/v1/stats?from=2025-13-01")
	if !strings.Contains(body, "AAAA-MM-JJ") {
		t.Errorf("a bad day does not say what to send: %s", body)
	}
	for _, login := range []string{"p1", "t1", "pa1"} {
		if resp, _ := a.Get(a.ClientAs(login), "/api/v1/stats"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s reads the statistics: %d", login, resp.StatusCode)
		}
	}
}

// The page draws each chart as SVG beside its table, the demo school's
// weeks of activity in them.
func TestPageShowsDemoActivity(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	resp, body := a.Get(a.ClientAs("directeur"), "/statistiques")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	for _, want := range []string{`<svg class="bars" viewBox="0 0 360 180"`, `class="p-pupil"`, "stats-connections", "stats-services",
		"stats-hours", "stats-weekdays", "stats-accounts", `href="/stats.csv?from=`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page has no %s", want)
		}
	}
	if strings.Contains(body, "stats-schools") {
		t.Error("a director sees the city's table of schools")
	}
}
