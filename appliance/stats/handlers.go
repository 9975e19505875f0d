package stats

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/i18n"
	"preau/appliance/web"
)

// queryOf reads a report's query from a page's form (du, au, ecole) or
// from the CSV's and the API's (from, to, school).
func queryOf(r *http.Request) Query {
	q := r.URL.Query()
	if web.IsAPI(r) || r.URL.Path == CSVPath {
		return Query{From: q.Get("from"), To: q.Get("to"), School: q.Get("school")}
	}
	return Query{From: q.Get("du"), To: q.Get("au"), School: q.Get("ecole")}
}

// statsPage is what the page shows.
type statsPage struct {
	Report  Report
	DSI     bool
	Schools []auth.School // the DSI's choice of school
	Name    string        // the school's name, or "" for the city
	Presets []preset
	CSV     string // the CSV export's link, for the same period

	ByMonth     bool // the connections chart shows months: the period is long
	Connections Chart
	Rows        []periodRow // the table beside it
	Profiles    []string    // the profiles with connections, in the table's columns
	Services    Chart
	Hours       Chart
	HourRows    []ItemCount // hours with connections
	Weekdays    Chart
	DayRows     []ItemCount // weekdays with connections, Monday first; Item is the catalogue's number (date.weekday.N, 0 Sunday)
	PeakHour    int         // -1 when nothing was counted
	// PeakWeekdayKey names the busiest weekday (date.weekday.N), "" when
	// nothing was counted.
	PeakWeekdayKey string
}

// periodRow is a day or month of the connections table.
type periodRow struct {
	Label  string
	Counts []int64 // per profile of the page's Profiles
	Total  int64
}

// preset is a ready-made period.
type preset struct {
	Key, From, To string
	Current       bool
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	rep, err := h.s.Report(r.Context(), u, queryOf(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := statsPage{Report: rep, DSI: u.Profile == auth.DSI, Presets: h.presets(rep.Query)}
	if p.DSI {
		if p.Schools, err = h.Register.Schools(r.Context()); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	if rep.Query.School != "" {
		if sc, err := h.Register.School(r.Context(), rep.Query.School); err == nil {
			p.Name = sc.Name
		}
	}
	v := url.Values{"from": {rep.Query.From}, "to": {rep.Query.To}}
	if rep.Query.School != "" && p.DSI {
		v.Set("school", rep.Query.School)
	}
	p.CSV = CSVPath + "?" + v.Encode()
	p.draw(i18n.For(web.Lang(r)))
	h.Render(w, r, "stats/stats", web.T(r, "stats.title"), p)
}

// presets are this month, last month and the school year so far.
func (h *handlers) presets(q Query) []preset {
	today := h.s.now().In(feature.Zone)
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, feature.Zone)
	year := today.Year()
	if today.Month() < time.September {
		year--
	}
	out := []preset{
		{Key: "this_month", From: month.Format(dayLayout), To: today.Format(dayLayout)},
		{Key: "last_month", From: month.AddDate(0, -1, 0).Format(dayLayout), To: month.AddDate(0, 0, -1).Format(dayLayout)},
		{Key: "school_year", From: fmt.Sprintf("%d-09-01", year), To: today.Format(dayLayout)},
	}
	for i := range out {
		out[i].Current = out[i].From == q.From && out[i].To == q.To
	}
	return out
}

// draw builds the page's charts and tables in the reader's language.
func (p *statsPage) draw(l *i18n.Localizer) {
	rtl := l.Dir() == "rtl"
	rep := p.Report
	for _, pr := range Profiles {
		if slices.ContainsFunc(rep.Profiles, func(pc ProfileCount) bool { return pc.Profile == pr && pc.Connections > 0 }) {
			p.Profiles = append(p.Profiles, pr)
		}
	}
	from, _ := time.Parse(dayLayout, rep.Query.From)
	to, _ := time.Parse(dayLayout, rep.Query.To)
	p.ByMonth = to.Sub(from) > 62*24*time.Hour
	counts := map[string]map[string]int64{}
	add := func(period, profile string, n int64) {
		if counts[period] == nil {
			counts[period] = map[string]int64{}
		}
		counts[period][profile] += n
	}
	var periods []time.Time
	if p.ByMonth {
		for _, d := range rep.Months {
			add(d.Day, d.Profile, d.Count)
		}
		for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
			periods = append(periods, m)
		}
	} else {
		for _, d := range rep.Days {
			add(d.Day, d.Profile, d.Count)
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			periods = append(periods, d)
		}
	}
	var cols []Column
	for i, t := range periods {
		key, label := t.Format(dayLayout), strconv.Itoa(t.Day())
		long := l.T("stats.day_label", "Day", strconv.Itoa(t.Day()), "Month", l.T("stats.month_short."+strconv.Itoa(int(t.Month()))))
		if p.ByMonth {
			key, label = t.Format(monthLayout), l.T("stats.month_short."+strconv.Itoa(int(t.Month())))
			long = l.T("date.month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
		}
		col := Column{Label: label, ShowLabel: p.ByMonth || len(periods) <= 8 || t.Weekday() == time.Monday || i == 0}
		row := periodRow{Label: long}
		for _, pr := range p.Profiles {
			n := counts[key][pr]
			col.Parts = append(col.Parts, Part{Class: "p-" + pr, Count: n,
				Title: l.T("stats.bar", "What", long+" — "+l.T("profile."+pr), "Count", l.Number(int(n)))})
			row.Counts = append(row.Counts, n)
			row.Total += n
		}
		cols = append(cols, col)
		if row.Total > 0 {
			p.Rows = append(p.Rows, row)
		}
	}
	p.Connections = Columns(cols, rtl)

	var svc []Column
	for i, s := range rep.Services[:min(len(rep.Services), 8)] {
		name := l.T("stats.service." + s.Item)
		svc = append(svc, Column{Label: strconv.Itoa(i + 1), ShowLabel: true, Parts: []Part{{Class: "service", Count: s.Count, Title: l.T("stats.bar", "What", name, "Count", l.Number(int(s.Count)))}}})
	}
	p.Services = Columns(svc, rtl)

	var hours []Column
	p.PeakHour = -1
	for hr := 6; hr <= 21; hr++ {
		n := rep.Hours[hr]
		hours = append(hours, Column{Label: strconv.Itoa(hr), ShowLabel: hr%3 == 0,
			Parts: []Part{{Class: "hour", Count: n, Title: l.T("stats.bar", "What", l.T("stats.hour", "Hour", hr), "Count", l.Number(int(n)))}}})
	}
	for hr, n := range rep.Hours {
		if n > 0 {
			p.HourRows = append(p.HourRows, ItemCount{Item: strconv.Itoa(hr), Count: n})
			if p.PeakHour < 0 || n > rep.Hours[p.PeakHour] {
				p.PeakHour = hr
			}
		}
	}
	p.Hours = Columns(hours, rtl)

	var days []Column
	peak := -1
	for d, n := range rep.Weekdays {
		name := l.T("date.weekday." + strconv.Itoa((d+1)%7))
		days = append(days, Column{Label: l.T("stats.weekday_short." + strconv.Itoa(d+1)), ShowLabel: true,
			Parts: []Part{{Class: "weekday", Count: n, Title: l.T("stats.bar", "What", name, "Count", l.Number(int(n)))}}})
		if n > 0 {
			p.DayRows = append(p.DayRows, ItemCount{Item: strconv.Itoa((d + 1) % 7), Count: n})
			if peak < 0 || n > rep.Weekdays[peak] {
				peak = d
			}
		}
	}
	if peak >= 0 {
		p.PeakWeekdayKey = "date.weekday." + strconv.Itoa((peak+1)%7)
	}
	p.Weekdays = Columns(days, rtl)
}

// csv writes the report as one figure per line: figure, period, profile,
// item, count. Columns and codes are the API's, the same in every
// language, for a spreadsheet to filter.
func (h *handlers) csv(w http.ResponseWriter, r *http.Request) {
	rep, err := h.s.Report(r.Context(), web.CurrentUser(r), queryOf(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	name := "statistiques-" + rep.Query.From + "-" + rep.Query.To + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	cw := csv.NewWriter(w)
	for _, line := range CSV(rep) {
		cw.Write(line)
	}
	cw.Flush()
}

// CSV is a report's lines, its header first.
func CSV(rep Report) [][]string {
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	out := [][]string{{"figure", "period", "profile", "item", "count"}}
	for _, d := range rep.Days {
		out = append(out, []string{"connections", d.Day, d.Profile, "", n(d.Count)})
	}
	for _, d := range rep.Months {
		out = append(out, []string{"connections_month", d.Day, d.Profile, "", n(d.Count)})
	}
	for _, d := range rep.Visitors {
		out = append(out, []string{"unique_visitors", d.Day, d.Profile, "", n(d.Count)})
	}
	period := rep.Query.From + "/" + rep.Query.To
	out = append(out, []string{"unique_visitors_total", period, "", "", n(rep.UniqueVisitors)},
		[]string{"visits_per_visitor", period, "", "", strconv.FormatFloat(rep.VisitsPerVisitor, 'f', 2, 64)})
	for _, s := range rep.Services {
		out = append(out, []string{"services", period, "", s.Item, n(s.Count)})
	}
	for hr, c := range rep.Hours {
		out = append(out, []string{"hours", period, "", fmt.Sprintf("%02d", hr), n(c)})
	}
	for d, c := range rep.Weekdays {
		out = append(out, []string{"weekdays", period, "", strconv.Itoa(d + 1), n(c)})
	}
	for _, a := range rep.Accounts {
		out = append(out, []string{"accounts_created", "", a.Profile, "", n(a.Created)},
			[]string{"accounts_activated", "", a.Profile, "", n(a.Activated)})
	}
	for _, s := range rep.Schools {
		out = append(out, []string{"school_connections", period, "", s.School.ID, n(s.Connections)},
			[]string{"school_unique_visitors", period, "", s.School.ID, n(s.Visitors)},
			[]string{"school_accounts_created", "", "", s.School.ID, n(s.Accounts.Created)},
			[]string{"school_accounts_activated", "", "", s.School.ID, n(s.Accounts.Activated)})
	}
	return out
}

// The API's shapes.
type (
	dayJSON struct {
		Day     string `json:"day"`
		Profile string `json:"profile"`
		Count   int64  `json:"count"`
	}
	monthJSON struct {
		Month   string `json:"month"`
		Profile string `json:"profile"`
		Count   int64  `json:"count"`
	}
	serviceJSON struct {
		Service string `json:"service"`
		Count   int64  `json:"count"`
	}
	hourJSON struct {
		Hour  int   `json:"hour"`
		Count int64 `json:"count"`
	}
	weekdayJSON struct {
		Weekday int   `json:"weekday"` // 1 Monday … 7 Sunday (ISO 8601)
		Count   int64 `json:"count"`
	}
	accountsJSON struct {
		Profile   string `json:"profile"` // "" for the total
		Created   int64  `json:"created"`
		Activated int64  `json:"activated"`
	}
	schoolJSON struct {
		SchoolID          string `json:"school_id"`
		Name              string `json:"name"`
		Connections       int64  `json:"connections"`
		UniqueVisitors    int64  `json:"unique_visitors"`
		AccountsCreated   int64  `json:"accounts_created"`
		AccountsActivated int64  `json:"accounts_activated"`
	}
	reportJSON struct {
		From             string         `json:"from"`
		To               string         `json:"to"`
		School           string         `json:"school"` // "" for the city
		Connections      []dayJSON      `json:"connections"`
		Months           []monthJSON    `json:"connections_by_month"`
		UniqueVisitors   int64          `json:"unique_visitors"`
		Visitors         []monthJSON    `json:"unique_visitors_by_month"`
		VisitsPerVisitor float64        `json:"visits_per_visitor"`
		Services         []serviceJSON  `json:"services"`
		Hours            []hourJSON     `json:"hours"`
		Weekdays         []weekdayJSON  `json:"weekdays"`
		Accounts         []accountsJSON `json:"accounts"`
		Schools          []schoolJSON   `json:"schools,omitempty"`
	}
)

// api: GET /api/v1/stats?from=&to=[&school=] → the report.
func (h *handlers) api(w http.ResponseWriter, r *http.Request) {
	rep, err := h.s.Report(r.Context(), web.CurrentUser(r), queryOf(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, JSON(rep))
}

// JSON is a report as the API sends it.
func JSON(rep Report) any {
	out := reportJSON{From: rep.Query.From, To: rep.Query.To, School: rep.Query.School, UniqueVisitors: rep.UniqueVisitors,
		VisitsPerVisitor: float64(int(rep.VisitsPerVisitor*100+0.5)) / 100,
		Connections:      []dayJSON{}, Months: []monthJSON{}, Visitors: []monthJSON{}, Services: []serviceJSON{}, Accounts: []accountsJSON{}}
	for _, d := range rep.Days {
		out.Connections = append(out.Connections, dayJSON(d))
	}
	for _, d := range rep.Months {
		out.Months = append(out.Months, monthJSON{Month: d.Day, Profile: d.Profile, Count: d.Count})
	}
	for _, d := range rep.Visitors {
		out.Visitors = append(out.Visitors, monthJSON{Month: d.Day, Profile: d.Profile, Count: d.Count})
	}
	for _, s := range rep.Services {
		out.Services = append(out.Services, serviceJSON{Service: s.Item, Count: s.Count})
	}
	for hr, n := range rep.Hours {
		out.Hours = append(out.Hours, hourJSON{Hour: hr, Count: n})
	}
	for d, n := range rep.Weekdays {
		out.Weekdays = append(out.Weekdays, weekdayJSON{Weekday: d + 1, Count: n})
	}
	for _, a := range rep.Accounts {
		out.Accounts = append(out.Accounts, accountsJSON(a))
	}
	for _, s := range rep.Schools {
		out.Schools = append(out.Schools, schoolJSON{SchoolID: s.School.ID, Name: s.School.Name, Connections: s.Connections,
			UniqueVisitors: s.Visitors, AccountsCreated: s.Accounts.Created, AccountsActivated: s.Accounts.Activated})
	}
	return out
}
