package sync

import (
	"fmt"
	"math"
	"slices"
	"time"

	"preau/appliance/i18n"
	"preau/appliance/store"
)

// What the sync pages show, worded for a director or the DSI in their
// language: dates as people say them, and a kept version named as people
// know the row rather than by its table and id, with the labels (catalogue
// keys) of the schema that declares the table. The templates call these
// methods with the page's language.

// LastSyncText is when the school last synchronised: "aujourd'hui à 14:05".
func (s Status) LastSyncText(lang i18n.Lang) string {
	if s.LastSync == nil {
		return ""
	}
	t, err := time.Parse(time.RFC3339, *s.LastSync)
	if err != nil {
		return *s.LastSync
	}
	return when(i18n.For(lang), t, time.Now())
}

// LastHeardText is when the school last heard from central, a live
// request's blank line included: "à l'instant", "il y a 5 min", or "jamais".
func (s Status) LastHeardText(lang i18n.Lang) string {
	l := i18n.For(lang)
	if s.LastHeard == nil {
		return l.T("sync.never")
	}
	t, err := time.Parse(time.RFC3339, *s.LastHeard)
	if err != nil {
		return *s.LastHeard
	}
	return since(l, t, time.Now())
}

// LastSeenText is when central last heard from the school, or "jamais".
func (s SchoolState) LastSeenText(lang i18n.Lang) string {
	l := i18n.For(lang)
	if s.LastSeen.IsZero() {
		return l.T("sync.never")
	}
	return since(l, s.LastSeen, time.Now())
}

// since says how long ago t was while it is recent, "à l'instant" or "il y
// a 12 min", then as when does.
func since(l *i18n.Localizer, t, now time.Time) string {
	switch d := now.Sub(t); {
	case d < time.Minute:
		return l.T("sync.just_now")
	case d < time.Hour:
		return l.N("sync.minutes_ago", int(d.Minutes()))
	}
	return when(l, t, now)
}

// when writes t relative to now: "aujourd'hui à 14:05", "hier à 09:10",
// or "3 novembre 2026 à 17:45".
func when(l *i18n.Localizer, t, now time.Time) string {
	t, now = t.Local(), now.Local()
	day := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.Local) }
	date := l.ShortDate(t)
	switch math.Round(day(now).Sub(day(t)).Hours() / 24) {
	case 0:
		date = l.T("sync.today")
	case 1:
		date = l.T("sync.yesterday")
	}
	return l.T("date.at", "Date", date, "Time", l.Time(t))
}

// keptVersion is a version that lost a conflict, as the page shows it.
type keptVersion struct {
	ID       string
	When     string
	What     string // the kind of row: "Compte", "Classe"…
	Name     string // the row's name, when it has one
	Fields   []keptField
	Restored bool
}

type keptField struct{ Label, Value string }

// deletedLabel is the one column every replicated table has worth showing.
var deletedLabel = store.ColumnLabel{Column: "deleted", Label: "sync.label.deleted", Flag: true}

// Kept lists the conflicts' losing versions, newest first as stored, named
// by the labels their table's schema gives, in lang.
func (p statusPage) Kept(lang i18n.Lang) []keptVersion {
	l := i18n.For(lang)
	out := make([]keptVersion, 0, len(p.Conflicts))
	for _, c := range p.Conflicts {
		v := c.Loser.Values
		k := keptVersion{ID: c.ID, When: when(l, c.At, time.Now()), What: l.T(c.Label.Row), Restored: c.Restored}
		if c.Label.Row == "" {
			k.What = c.Table
		}
		for _, col := range []string{"display_name", "name", "title"} {
			if s, ok := v[col].(string); ok && s != "" && k.Name == "" {
				k.Name = s
			}
		}
		for _, f := range append(slices.Clip(c.Label.Columns), deletedLabel) {
			if len(c.Columns) > 0 && !slices.Contains(c.Columns, f.Column) {
				continue // the columns that lost, not the row's others
			}
			if s := fieldText(l, f, v[f.Column], len(c.Columns) > 0); s != "" {
				k.Fields = append(k.Fields, keptField{l.T(f.Label), s})
			}
		}
		out = append(out, k)
	}
	return out
}

// fieldText writes a column's value for people: yes or no for flags, a
// code by its name; "" leaves the field out. A flag that lost a conflict of
// its own is worth its line even when it is off (lost).
func fieldText(l *i18n.Localizer, f store.ColumnLabel, x any, lost bool) string {
	switch v := x.(type) {
	case nil:
		return ""
	case int64:
		if f.Flag {
			if v == 0 && lost {
				return l.T("sync.no")
			}
			if v == 0 { // the usual case, not worth a line
				return ""
			}
			return l.T("sync.yes")
		}
		return fmt.Sprint(v)
	case string:
		if key, ok := f.Values[v]; ok {
			return l.T(key)
		}
		return v
	case []byte:
		return ""
	}
	return fmt.Sprint(x)
}
