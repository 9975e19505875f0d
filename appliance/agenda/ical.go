package agenda

import (
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"preau/appliance/apperr"
	"preau/appliance/feature"
)

// prodID names Préau in the calendars it writes.
const prodID = "-//Préau//Agenda//FR"

// newCalendar is an empty VCALENDAR with Europe/Paris' time zone, which
// every timed event refers to: a weekly lesson stays at 8:30 across the
// changes of hour.
func newCalendar(name string) *ical.Calendar {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, prodID)
	if name != "" {
		cal.Props.SetText("X-WR-CALNAME", name)
	}
	cal.Props.SetText("X-WR-TIMEZONE", Zone.String())
	cal.Children = append(cal.Children, vtimezone())
	return cal
}

// vtimezone is Europe/Paris as RFC 5545 describes a zone: summer time
// from the last Sunday of March, winter time from the last Sunday of
// October.
func vtimezone() *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, Zone.String())
	for _, part := range []struct{ name, from, to, tzname, start, rule string }{
		{ical.CompTimezoneDaylight, "+0100", "+0200", "CEST", "19700329T020000", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"},
		{ical.CompTimezoneStandard, "+0200", "+0100", "CET", "19701025T030000", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"},
	} {
		c := ical.NewComponent(part.name)
		set := func(name, value string) {
			p := ical.NewProp(name)
			p.Value = value
			c.Props.Set(p)
		}
		set(ical.PropTimezoneOffsetFrom, part.from)
		set(ical.PropTimezoneOffsetTo, part.to)
		set(ical.PropTimezoneName, part.tzname)
		set(ical.PropDateTimeStart, part.start)
		set(ical.PropRecurrenceRule, part.rule)
		tz.Children = append(tz.Children, c)
	}
	return tz
}

// setWhen sets a date or a date-time property: a DATE for an all-day
// event, a local time with its TZID otherwise.
func setWhen(props ical.Props, name string, t time.Time, allDay bool) {
	p := ical.NewProp(name)
	if allDay {
		p.SetDate(t.In(Zone))
	} else {
		p.SetDateTime(t.In(Zone))
	}
	props.Add(p)
}

// vevent is an event as iCalendar says it.
func vevent(e Event, stamp time.Time) *ical.Component {
	c := ical.NewComponent(ical.CompEvent)
	c.Props.SetText(ical.PropUID, e.UID)
	c.Props.SetDateTime(ical.PropDateTimeStamp, stamp.UTC())
	c.Props.SetText(ical.PropSummary, e.Title)
	if e.Description != "" {
		c.Props.SetText(ical.PropDescription, e.Description)
	}
	if e.Place != "" {
		c.Props.SetText(ical.PropLocation, e.Place)
	}
	setWhen(c.Props, ical.PropDateTimeStart, e.Start, e.AllDay)
	setWhen(c.Props, ical.PropDateTimeEnd, e.End, e.AllDay)
	if e.RRule != "" {
		p := ical.NewProp(ical.PropRecurrenceRule)
		p.Value = e.RRule
		c.Props.Set(p)
	}
	for _, x := range e.ExDates {
		setWhen(c.Props, ical.PropExceptionDates, x, e.AllDay)
	}
	c.Props.SetText(ical.PropCategories, e.Calendar)
	return c
}

// occurrenceEvent is what another feature shows in the agenda, as a
// single event of the feed.
func occurrenceEvent(o feature.Occurrence, stamp time.Time) *ical.Component {
	return vevent(Event{UID: o.Calendar + "-" + o.ID + "-" + o.Start.In(Zone).Format(day) + "@preau", Title: o.Title, Place: o.Place,
		AllDay: o.AllDay, Start: o.Start, End: o.End, Calendar: o.Calendar}, stamp)
}

// fromICal reads the event of a calendar object a CalDAV client sends.
func fromICal(cal *ical.Calendar) (Draft, error) {
	events := cal.Events()
	if len(events) != 1 {
		return Draft{}, apperr.New(apperr.ErrInvalid, "agenda.err.one_event")
	}
	ev := events[0]
	var d Draft
	d.UID, _ = ev.Props.Text(ical.PropUID)
	d.Title, _ = ev.Props.Text(ical.PropSummary)
	d.Description, _ = ev.Props.Text(ical.PropDescription)
	d.Place, _ = ev.Props.Text(ical.PropLocation)
	start := ev.Props.Get(ical.PropDateTimeStart)
	if start == nil {
		return d, apperr.New(apperr.ErrInvalid, "agenda.err.when_required")
	}
	d.AllDay = start.ValueType() == ical.ValueDate || len(start.Value) == len("20060102")
	var err error
	if d.Start, err = start.DateTime(Zone); err != nil {
		return d, apperr.New(apperr.ErrInvalid, "agenda.err.when_required")
	}
	switch {
	case ev.Props.Get(ical.PropDateTimeEnd) != nil:
		d.End, err = ev.Props.Get(ical.PropDateTimeEnd).DateTime(Zone)
	case ev.Props.Get(ical.PropDuration) != nil:
		var dur time.Duration
		dur, err = ev.Props.Get(ical.PropDuration).Duration()
		d.End = d.Start.Add(dur)
	case d.AllDay:
		d.End = d.Start.AddDate(0, 0, 1)
	default:
		d.End = d.Start.Add(time.Hour)
	}
	if err != nil {
		return d, apperr.New(apperr.ErrInvalid, "agenda.err.when_required")
	}
	if r := ev.Props.Get(ical.PropRecurrenceRule); r != nil {
		d.RRule = r.Value
	}
	for _, p := range ev.Props.Values(ical.PropExceptionDates) {
		for _, v := range strings.Split(p.Value, ",") {
			q := p
			q.Value = v
			if t, err := q.DateTime(Zone); err == nil {
				d.ExDates = append(d.ExDates, t)
			}
		}
	}
	return d, nil
}
