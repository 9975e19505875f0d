package stats

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// Service computes the reports, for the pages, the CSV and the API alike.
type Service struct {
	db       *store.DB
	register feature.Register
	now      func() time.Time
}

// NewService reads the counters of db.
func NewService(db *store.DB, register feature.Register) *Service {
	return &Service{db: db, register: register, now: time.Now}
}

// Query is what a report covers: days from From to To, both included
// (YYYY-MM-DD), of one school or, School empty, of the whole city.
type Query struct {
	From, To string
	School   string
}

// MaxDays is the longest period a report covers: a school year and some.
const MaxDays = 400

// Report is a period's figures.
type Report struct {
	Query    Query
	Days     []DayCount // connections per day and profile, by day
	Months   []DayCount // the same per month (Day is YYYY-MM)
	Visitors []DayCount // unique visitors per month and profile (Day is YYYY-MM)
	// UniqueVisitors adds up the months' visitors: a person is counted
	// once in each month they came, at the school and on central apart.
	UniqueVisitors int64
	Connections    int64
	// VisitsPerVisitor is connections per unique visitor.
	VisitsPerVisitor float64
	Profiles         []ProfileCount // connections and visitors per profile
	Services         []ItemCount    // pages served per service, most used first, in the months the period touches
	Hours            [24]int64      // connections per hour of the day, in the months the period touches
	Weekdays         [7]int64       // connections per weekday, Monday first
	Accounts         []Accounts     // per profile, and their total last
	Schools          []SchoolCount  // the city's report: per school
}

// DayCount is a count of a day (or month) and profile.
type DayCount struct {
	Day     string
	Profile string
	Count   int64
}

// ItemCount is a count of a service.
type ItemCount struct {
	Item  string
	Count int64
}

// ProfileCount is a profile's figures over the period.
type ProfileCount struct {
	Profile              string
	Connections, Visitor int64
}

// Accounts is how many accounts of a profile exist and how many of them
// have been used at least once. Profile is "" for the total.
type Accounts struct {
	Profile            string
	Created, Activated int64
}

// Percent is the share of accounts activated, rounded down.
func (a Accounts) Percent() int64 {
	if a.Created == 0 {
		return 0
	}
	return a.Activated * 100 / a.Created
}

// SchoolCount is a school's figures in the city's report.
type SchoolCount struct {
	School                auth.School
	Connections, Visitors int64
	Accounts              Accounts
}

// Errors of a query, said to whoever sent it.
var (
	errDay       = apperr.New(apperr.ErrInvalid, "stats.err.day")
	errOrder     = apperr.New(apperr.ErrInvalid, "stats.err.order")
	errTooLong   = apperr.New(apperr.ErrInvalid, "stats.err.too_long", "Max", MaxDays)
	errForbidden = apperr.New(apperr.ErrForbidden, "stats.err.forbidden")
	errSchool    = apperr.New(apperr.ErrNotFound, "stats.err.no_school")
)

// Check fills a query's missing days (this month so far) and refuses
// what does not make sense or what u may not read: a director reads their
// school's figures only, the DSI any school's or the city's.
func (s *Service) Check(ctx context.Context, u auth.User, q Query) (Query, error) {
	today := s.now().In(feature.Zone)
	if q.From == "" {
		q.From = today.Format("2006-01") + "-01"
	}
	if q.To == "" {
		q.To = today.Format(dayLayout)
	}
	from, err1 := time.Parse(dayLayout, q.From)
	to, err2 := time.Parse(dayLayout, q.To)
	if err1 != nil || err2 != nil {
		return q, errDay
	}
	if to.Before(from) {
		return q, errOrder
	}
	if to.Sub(from) > MaxDays*24*time.Hour {
		return q, errTooLong
	}
	switch u.Profile {
	case auth.Director:
		if q.School != "" && q.School != u.SchoolID {
			return q, errForbidden
		}
		q.School = u.SchoolID
	case auth.DSI:
		if q.School != "" {
			if _, err := s.register.School(ctx, q.School); err != nil {
				return q, errSchool
			}
		}
	default:
		return q, errForbidden
	}
	return q, nil
}

// Report computes the figures of q for u (see Check). Its reads run side
// by side, each on a reader of its own.
func (s *Service) Report(ctx context.Context, u auth.User, q Query) (Report, error) {
	q, err := s.Check(ctx, u, q)
	if err != nil {
		return Report{Query: q}, err
	}
	rep := Report{Query: q}
	var days, hours, services, visitors, accounts, schools []row
	reads := []struct {
		out  *[]row
		sql  string
		args []any
	}{
		{&days, "SELECT day, profile, '', sum(count) FROM stats_counts WHERE deleted = 0 AND figure = 'connections' AND day BETWEEN ? AND ?" +
			" %s GROUP BY day, profile", []any{q.From, q.To}},
		// Hours and services are counted per month: the months the
		// period touches, whole.
		{&hours, "SELECT '', '', item, sum(count) FROM stats_counts WHERE deleted = 0 AND figure = 'hours' AND day BETWEEN ? AND ? %s GROUP BY item",
			[]any{q.From[:7] + "-01", q.To}},
		{&services, "SELECT '', '', item, sum(count) FROM stats_counts WHERE deleted = 0 AND figure = 'visits' AND day BETWEEN ? AND ? %s GROUP BY item",
			[]any{q.From[:7] + "-01", q.To}},
		{&visitors, "SELECT day, profile, school_id, sum(count) FROM stats_counts WHERE deleted = 0 AND figure = 'visitors' AND day BETWEEN ? AND ?" +
			" %s GROUP BY day, profile, school_id", []any{q.From[:7] + "-01", q.To}},
		// Per school, per profile, the larger of the school's and central's
		// counts of activated accounts: the same account may have been
		// used at both, so they cannot be added.
		{&accounts, "SELECT school_id, profile, figure, max(count) FROM stats_counts WHERE deleted = 0 AND figure IN ('accounts_created', 'accounts_activated')" +
			" AND day = '' %s GROUP BY school_id, profile, figure", nil},
	}
	if q.School == "" {
		reads = append(reads, struct {
			out  *[]row
			sql  string
			args []any
		}{&schools, "SELECT school_id, '', '', sum(count) FROM stats_counts WHERE deleted = 0 AND figure = 'connections' AND day BETWEEN ? AND ?" +
			" %s GROUP BY school_id", []any{q.From, q.To}})
	}
	var wg sync.WaitGroup
	errs := make([]error, len(reads))
	for i, rd := range reads {
		wg.Go(func() {
			where, args := "", rd.args
			if q.School != "" {
				where, args = "AND school_id = ?", append(slices.Clip(args), q.School)
			}
			*rd.out, errs[i] = s.rows(ctx, strings.Replace(rd.sql, "%s", where, 1), args...)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return rep, err
		}
	}
	rep.fill(days, hours, services, visitors, accounts)
	if q.School == "" {
		if err := s.bySchool(ctx, &rep, schools, visitors, accounts); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// row is a line of a report's read: two keys, an item and a count.
type row struct {
	a, b, item string
	n          int64
}

func (s *Service) rows(ctx context.Context, query string, args ...any) ([]row, error) {
	return store.Query(ctx, s.db.Reader(), func(sc store.Scanner) (row, error) {
		var r row
		err := sc.Scan(&r.a, &r.b, &r.item, &r.n)
		return r, err
	}, query, args...)
}

// fill computes the report's figures from its reads.
func (rep *Report) fill(days, hours, services, visitors, accounts []row) {
	perProfile := map[string]*ProfileCount{}
	profile := func(p string) *ProfileCount {
		if perProfile[p] == nil {
			perProfile[p] = &ProfileCount{Profile: p}
		}
		return perProfile[p]
	}
	months := map[[2]string]int64{}
	for _, r := range days {
		rep.Days = append(rep.Days, DayCount{Day: r.a, Profile: r.b, Count: r.n})
		rep.Connections += r.n
		profile(r.b).Connections += r.n
		months[[2]string{r.a[:7], r.b}] += r.n
		if t, err := time.Parse(dayLayout, r.a); err == nil {
			rep.Weekdays[(int(t.Weekday())+6)%7] += r.n
		}
	}
	slices.SortFunc(rep.Days, byDayProfile)
	for k, n := range months {
		rep.Months = append(rep.Months, DayCount{Day: k[0], Profile: k[1], Count: n})
	}
	slices.SortFunc(rep.Months, byDayProfile)
	monthVisitors := map[[2]string]int64{}
	for _, r := range visitors {
		monthVisitors[[2]string{r.a[:7], r.b}] += r.n
		rep.UniqueVisitors += r.n
		profile(r.b).Visitor += r.n
	}
	for k, n := range monthVisitors {
		rep.Visitors = append(rep.Visitors, DayCount{Day: k[0], Profile: k[1], Count: n})
	}
	slices.SortFunc(rep.Visitors, byDayProfile)
	if rep.UniqueVisitors > 0 {
		rep.VisitsPerVisitor = float64(rep.Connections) / float64(rep.UniqueVisitors)
	}
	for _, p := range Profiles {
		if pc := perProfile[p]; pc != nil {
			rep.Profiles = append(rep.Profiles, *pc)
		}
	}
	for _, r := range hours {
		if h, err := strconv.Atoi(r.item); err == nil && h >= 0 && h < 24 {
			rep.Hours[h] += r.n
		}
	}
	for _, r := range services {
		rep.Services = append(rep.Services, ItemCount{Item: r.item, Count: r.n})
	}
	slices.SortFunc(rep.Services, func(a, b ItemCount) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Item, b.Item)
	})
	rep.Accounts = accountsOf(accounts, "")
}

// accountsOf adds up the accounts of a school (or of all, school ""),
// per profile, with their total last.
func accountsOf(accounts []row, school string) []Accounts {
	per := map[string]*Accounts{}
	total := Accounts{}
	for _, r := range accounts {
		if school != "" && r.a != school {
			continue
		}
		a := per[r.b]
		if a == nil {
			a = &Accounts{Profile: r.b}
			per[r.b] = a
		}
		if r.item == Created {
			a.Created += r.n
			total.Created += r.n
		} else {
			a.Activated += r.n
			total.Activated += r.n
		}
	}
	var out []Accounts
	for _, p := range Profiles {
		if a := per[p]; a != nil && a.Created > 0 {
			out = append(out, *a)
		}
	}
	if total.Created == 0 {
		return out
	}
	return append(out, total)
}

// bySchool fills the city's report's table of schools: every school the
// register knows, with nothing counted or not.
func (s *Service) bySchool(ctx context.Context, rep *Report, connections, visitors, accounts []row) error {
	schools, err := s.register.Schools(ctx)
	if err != nil {
		return err
	}
	conn, vis := map[string]int64{}, map[string]int64{}
	for _, r := range connections {
		conn[r.a] += r.n
	}
	for _, r := range visitors {
		vis[r.item] += r.n
	}
	for _, sc := range schools {
		sc := SchoolCount{School: sc, Connections: conn[sc.ID], Visitors: vis[sc.ID]}
		if acc := accountsOf(accounts, sc.School.ID); len(acc) > 0 {
			sc.Accounts = acc[len(acc)-1]
		}
		rep.Schools = append(rep.Schools, sc)
	}
	slices.SortStableFunc(rep.Schools, func(a, b SchoolCount) int { return int(b.Connections - a.Connections) })
	return nil
}

func byDayProfile(a, b DayCount) int {
	if c := strings.Compare(a.Day, b.Day); c != 0 {
		return c
	}
	return slices.Index(Profiles, a.Profile) - slices.Index(Profiles, b.Profile)
}
