package agenda

import (
	"fmt"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"preau/appliance/feature"
)

// Zone is where the schools are (feature.Zone).
var Zone = feature.Zone

// Calendars an event belongs to.
const (
	School   = "school"
	Class    = "class"
	Personal = "personal"
)

// Event is an event of an agenda.
type Event struct {
	ID, UID, Calendar          string
	SchoolID, ClassID, OwnerID string
	AuthorID                   string
	Title, Description, Place  string
	AllDay, Holiday            bool
	Start, End                 time.Time // in Zone; for a day, its midnight, End excluded
	RRule                      string    // RFC 5545, without "RRULE:"; "" for once
	ExDates                    []time.Time
	HLC                        int64 // its version, for CalDAV's ETag
}

// day is how an all-day event's days are written.
const day = "2006-01-02"

// formatTime writes a start or end as stored: a day for an all-day event,
// UTC otherwise.
func formatTime(t time.Time, allDay bool) string {
	if allDay {
		return t.In(Zone).Format(day)
	}
	return t.UTC().Format(time.RFC3339)
}

// parseTime reads one, in Zone.
func parseTime(s string, allDay bool) (time.Time, error) {
	if allDay {
		return time.ParseInLocation(day, s, Zone)
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.In(Zone), err
}

// rule is the event's recurrence, from its start; nil when it happens once.
func (e Event) rule() (*rrule.Set, error) {
	if e.RRule == "" {
		return nil, nil
	}
	opt, err := rrule.StrToROption(e.RRule)
	if err != nil {
		return nil, err
	}
	opt.Dtstart = e.Start
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, err
	}
	set := &rrule.Set{}
	set.RRule(r)
	for _, x := range e.ExDates {
		set.ExDate(x)
	}
	return set, nil
}

// Occurrences lists the event's occurrences that overlap [from, to).
func (e Event) Occurrences(from, to time.Time) ([]feature.Occurrence, error) {
	length := e.End.Sub(e.Start)
	occ := func(start time.Time) feature.Occurrence {
		end := start.Add(length)
		if e.AllDay { // days, not hours: a day of 23 or 25 hours stays a day
			end = start.AddDate(0, 0, int((length+12*time.Hour)/(24*time.Hour)))
		}
		return feature.Occurrence{ID: e.ID, Title: e.Title, Start: start, End: end, AllDay: e.AllDay, Place: e.Place,
			URL: Path + "/evenements/" + e.ID, Calendar: e.Calendar, Holiday: e.Holiday}
	}
	set, err := e.rule()
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", e.ID, err)
	}
	if set == nil {
		if e.Start.Before(to) && e.End.After(from) {
			return []feature.Occurrence{occ(e.Start)}, nil
		}
		return nil, nil
	}
	var out []feature.Occurrence
	for _, start := range set.Between(from.Add(-length), to, true) {
		if o := occ(start); o.End.After(from) && o.Start.Before(to) {
			out = append(out, o)
		}
	}
	return out, nil
}

// checkRule refuses a recurrence rule that does not read as RFC 5545's;
// any that does is kept, a CalDAV client's daily or monthly one too.
func checkRule(s string) error {
	if s == "" {
		return nil
	}
	if strings.ContainsAny(s, "\r\n") {
		return fmt.Errorf("line break in a rule")
	}
	_, err := rrule.StrToROption(s)
	return err
}
