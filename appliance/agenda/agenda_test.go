package agenda_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"preau/appliance/apptest"
	"preau/appliance/feature"
)

var paris = feature.Zone

type occurrence struct {
	ID, Title, Start, End, Calendar string
	AllDay                          bool `json:"all_day"`
}

func occurrences(t *testing.T, a *apptest.App, login, from, to string) []occurrence {
	t.Helper()
	resp, body := a.Get(a.ClientAs(login), "/api/v1/events?from="+from+"&to="+to)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET events as %s: %d %s", login, resp.StatusCode, body)
	}
	var out []occurrence
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func post(t *testing.T, a *apptest.App, login, body string) (int, string) {
	t.Helper()
	resp, out := a.Do(a.ClientAs(login), "POST", "/api/v1/events", "application/json", body)
	return resp.StatusCode, out
}

// Each calendar reaches its readers and only them; the other features'
// entries (homework due) show too; bad input is refused with nothing
// written.
func TestCalendarsAndRules(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, cm2 := a.ClassID("CE1"), a.ClassID("CM2")
	from := time.Now().In(paris).Format("2006-01-02")
	to := time.Now().In(paris).AddDate(0, 0, 6).Format("2006-01-02")
	at := func(days, hour int) string {
		return time.Now().In(paris).AddDate(0, 0, days).Truncate(24 * time.Hour).Add(time.Duration(hour) * time.Hour).Format(time.RFC3339)
	}
	for _, c := range []struct {
		login, body string
		status      int
		want        string
	}{
		{"directeur", `{"calendar":"school","title":"Conseil d'école","start":"` + at(2, 17) + `","end":"` + at(2, 19) + `"}`, 201, ""},
		{"enseignant", `{"calendar":"class","class_id":"` + ce1 + `","title":"Bibliothèque","start":"` + at(1, 14) + `","end":"` + at(1, 15) + `"}`, 201, ""},
		{"parent", `{"calendar":"personal","title":"Dentiste","start":"` + at(3, 16) + `","end":"` + at(3, 17) + `"}`, 201, ""},
		{"enseignant", `{"calendar":"school","title":"X","start":"` + at(1, 9) + `","end":"` + at(1, 10) + `"}`, 403, "direction"},
		{"enseignant", `{"calendar":"class","class_id":"` + cm2 + `","title":"X","start":"` + at(1, 9) + `","end":"` + at(1, 10) + `"}`, 403, "vos classes"},
		{"eleve", `{"calendar":"class","class_id":"` + ce1 + `","title":"X","start":"` + at(1, 9) + `","end":"` + at(1, 10) + `"}`, 403, "vos classes"},
		{"enseignant", `{"calendar":"class","class_id":"ailleurs","title":"X","start":"` + at(1, 9) + `","end":"` + at(1, 10) + `"}`, 404, "n'existe pas"},
		{"parent", `{"calendar":"personal","title":"X","start":"` + at(1, 10) + `","end":"` + at(1, 9) + `"}`, 400, "après le début"},
		{"parent", `{"calendar":"personal","title":" ","start":"` + at(1, 9) + `","end":"` + at(1, 10) + `"}`, 400, "titre"},
		{"parent", `{"calendar":"personal","title":"X","start":"demain","end":"` + at(1, 10) + `"}`, 400, "RFC 3339"},
		{"parent", `{"calendar":"personal","title":"X","start":"` + at(1, 9) + `","end":"` + at(1, 10) + `","rrule":"FREQ=SOUVENT"}`, 400, "RRULE"},
	} {
		if status, out := post(t, a, c.login, c.body); status != c.status || !strings.Contains(out, c.want) {
			t.Errorf("%s %s: %d %s, want %d %q", c.login, c.body, status, out, c.status, c.want)
		}
	}
	titles := func(login string) map[string]bool {
		out := map[string]bool{}
		for _, o := range occurrences(t, a, login, from, to) {
			out[o.Title] = true
		}
		return out
	}
	want := map[string][]string{
		"eleve":            {"Conseil d'école", "Bibliothèque"},
		"parent":           {"Conseil d'école", "Bibliothèque", "Dentiste"},
		"isabelle.mercier": {"Conseil d'école"},
		"enseignant":       {"Conseil d'école", "Bibliothèque"},
	}
	for login, titlesWanted := range want {
		got := titles(login)
		for _, title := range []string{"Conseil d'école", "Bibliothèque", "Dentiste"} {
			wanted := false
			for _, w := range titlesWanted {
				wanted = wanted || w == title
			}
			if got[title] != wanted {
				t.Errorf("%s sees %q: %v, want %v", login, title, got[title], wanted)
			}
		}
	}
	// The pupil's agenda shows tomorrow's homework (the demo's) as due.
	due := false
	for _, o := range occurrences(t, a, "eleve", from, to) {
		due = due || (o.Calendar == "homework" && o.AllDay)
	}
	if !due {
		t.Error("the pupil's agenda does not show the homework due")
	}
}

// The feed, read by a real iCalendar parser: the weekly swimming repeats
// at 9:30 in Paris across the change of hour, skips its exception, and
// the time zone is described.
func TestFeedIsRFC5545(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	// A weekly lesson from the Tuesday before the change of hour of March
	// 2027, with the week after off.
	start := time.Date(2027, time.March, 23, 9, 30, 0, 0, paris)
	body := `{"calendar":"class","class_id":"` + a.ClassID("CE1") + `","title":"Judo","start":"` + start.Format(time.RFC3339) +
		`","end":"` + start.Add(time.Hour).Format(time.RFC3339) + `","rrule":"FREQ=WEEKLY;COUNT=4"}`
	if status, out := post(t, a, "enseignant", body); status != http.StatusCreated {
		t.Fatalf("judo: %d %s", status, out)
	}
	var judo struct{ ID string }
	for _, o := range occurrences(t, a, "enseignant", "2027-03-22", "2027-04-30") {
		if o.Title == "Judo" {
			judo.ID = o.ID
		}
	}
	if resp, _ := a.PostForm(a.ClientAs("enseignant"), "/agenda/evenements/"+judo.ID+"/sauter", map[string][]string{"date": {"2027-03-30"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("skip: %d", resp.StatusCode)
	}
	var link struct {
		ICS    string `json:"ics_url"`
		CalDAV string `json:"caldav_url"`
	}
	_, out := a.Get(a.ClientAs("parent"), "/api/v1/me/calendar")
	json.Unmarshal([]byte(out), &link)
	if !strings.Contains(link.ICS, "/agenda/flux/") || !strings.HasSuffix(link.CalDAV, "/caldav/parent/") {
		t.Fatalf("links: %+v", link)
	}
	resp, err := http.Get(link.ICS) // no session: the secret is the credential
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %v %v", err, resp)
	}
	cal, err := ical.NewDecoder(resp.Body).Decode()
	resp.Body.Close()
	if err != nil {
		t.Fatalf("the feed does not parse: %v", err)
	}
	var zone *ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			zone = c
		}
	}
	if zone == nil || zone.Props.Get(ical.PropTimezoneID).Value != "Europe/Paris" || len(zone.Children) != 2 {
		t.Fatal("the feed does not describe Europe/Paris")
	}
	var found bool
	for _, ev := range cal.Events() {
		if s, _ := ev.Props.Text(ical.PropSummary); s != "Judo" {
			continue
		}
		found = true
		if ev.Props.Get(ical.PropDateTimeStart).Params.Get(ical.PropTimezoneID) != "Europe/Paris" || ev.Props.Get(ical.PropUID) == nil ||
			ev.Props.Get(ical.PropDateTimeStamp) == nil {
			t.Errorf("DTSTART, UID or DTSTAMP not as RFC 5545 asks: %+v", ev.Props)
		}
		set, err := ev.RecurrenceSet(paris)
		if err != nil || set == nil {
			t.Fatalf("recurrence: %v", err)
		}
		var got []string
		for _, o := range set.All() {
			got = append(got, o.In(paris).Format("2006-01-02 15:04 MST"))
		}
		want := []string{"2027-03-23 09:30 CET", "2027-04-06 09:30 CEST", "2027-04-13 09:30 CEST"}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("occurrences %v, want %v (the exception skipped, 9:30 across the change of hour)", got, want)
		}
	}
	if !found {
		t.Error("the class's judo is not in the parent's feed")
	}
	// Renewing the address ends the old one.
	if resp, _ := a.PostForm(a.ClientAs("parent"), "/agenda/abonnement", map[string][]string{"action": {"nouveau"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatal("renew")
	}
	if resp, _ := http.Get(link.ICS); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the old address still answers: %d", resp.StatusCode)
	}
}

// CalDAV with a real client: the parent creates, lists, changes and
// deletes an event of their own calendar; writing to the school's is
// refused; a wrong password gets nothing.
func TestCalDAVRoundTrip(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ctx := t.Context()
	client := func(login, password string) *caldav.Client {
		c, err := caldav.NewClient(webdav.HTTPClientWithBasicAuth(http.DefaultClient, login, password), a.URL+"/caldav/")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := client("parent", "demo")
	principal, err := c.FindCurrentUserPrincipal(ctx)
	if err != nil || principal != "/caldav/parent/" {
		t.Fatalf("principal %q: %v", principal, err)
	}
	home, err := c.FindCalendarHomeSet(ctx, principal)
	if err != nil {
		t.Fatal(err)
	}
	cals, err := c.FindCalendars(ctx, home)
	if err != nil || len(cals) != 4 {
		t.Fatalf("calendars %+v: %v", cals, err)
	}
	personal := home + "personnel/"

	start := time.Now().In(paris).AddDate(0, 0, 2).Truncate(time.Hour)
	event := func(summary string) *ical.Calendar {
		cal := ical.NewCalendar()
		cal.Props.SetText(ical.PropVersion, "2.0")
		cal.Props.SetText(ical.PropProductID, "-//test//FR")
		ev := ical.NewEvent()
		ev.Props.SetText(ical.PropUID, "rdv-1@client")
		ev.Props.SetDateTime(ical.PropDateTimeStamp, time.Now().UTC())
		ev.Props.SetText(ical.PropSummary, summary)
		ev.Props.SetDateTime(ical.PropDateTimeStart, start)
		ev.Props.SetDateTime(ical.PropDateTimeEnd, start.Add(time.Hour))
		cal.Children = append(cal.Children, ev.Component)
		return cal
	}
	if _, err := c.PutCalendarObject(ctx, personal+"rdv-1@client.ics", event("Orthophoniste")); err != nil {
		t.Fatalf("create: %v", err)
	}
	objs, err := c.QueryCalendar(ctx, personal, &caldav.CalendarQuery{CompFilter: caldav.CompFilter{Name: ical.CompCalendar,
		Comps: []caldav.CompFilter{{Name: ical.CompEvent}}}})
	if err != nil || len(objs) != 1 {
		t.Fatalf("list: %d %v", len(objs), err)
	}
	if s, _ := objs[0].Data.Events()[0].Props.Text(ical.PropSummary); s != "Orthophoniste" {
		t.Errorf("listed %q", s)
	}
	if _, err := c.PutCalendarObject(ctx, personal+"rdv-1@client.ics", event("Orthophoniste (déplacé)")); err != nil {
		t.Fatalf("change: %v", err)
	}
	got := false
	for _, o := range occurrences(t, a, "parent", start.Format("2006-01-02"), start.Format("2006-01-02")) {
		got = got || o.Title == "Orthophoniste (déplacé)"
	}
	if !got {
		t.Error("the change made over CalDAV does not show in Préau")
	}
	if err := c.RemoveAll(ctx, personal+"rdv-1@client.ics"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if objs, _ := c.QueryCalendar(ctx, personal, &caldav.CalendarQuery{CompFilter: caldav.CompFilter{Name: ical.CompCalendar}}); len(objs) != 0 {
		t.Errorf("%d objects after the delete", len(objs))
	}
	// The school's calendar reads, and refuses a write.
	if _, err := c.PutCalendarObject(ctx, home+"ecole/x.ics", event("Intrus")); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("a write to the school's calendar: %v", err)
	}
	if _, err := client("parent", "faux").FindCurrentUserPrincipal(ctx); err == nil {
		t.Error("a wrong password is let in")
	}
	// Another person's calendars are not reachable with one's own login.
	if _, err := c.FindCalendars(ctx, "/caldav/enseignant/agendas/"); err == nil {
		t.Error("the parent reads the teacher's calendars")
	}
}
