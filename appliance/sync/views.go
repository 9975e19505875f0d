package sync

import (
	"fmt"
	"math"
	"slices"
	"time"

	"preau/appliance/store"
)

// What the sync pages show, worded for a director or the DSI: dates as
// people say them, and a kept version named as people know the row rather
// than by its table and id, with the labels of the schema that declares the
// table. The templates call these methods.

// LastSyncText is when the school last synchronised: "aujourd'hui à 14:05".
func (s Status) LastSyncText() string {
	if s.LastSync == nil {
		return ""
	}
	t, err := time.Parse(time.RFC3339, *s.LastSync)
	if err != nil {
		return *s.LastSync
	}
	return frenchWhen(t, time.Now())
}

// LastHeardText is when the school last heard from central, a live
// request's blank line included: "à l'instant", "il y a 5 min", or "jamais".
func (s Status) LastHeardText() string {
	if s.LastHeard == nil {
		return "jamais"
	}
	t, err := time.Parse(time.RFC3339, *s.LastHeard)
	if err != nil {
		return *s.LastHeard
	}
	return frenchSince(t, time.Now())
}

// LastSeenText is when central last heard from the school, or "jamais".
func (s SchoolState) LastSeenText() string {
	if s.LastSeen.IsZero() {
		return "jamais"
	}
	return frenchSince(s.LastSeen, time.Now())
}

// frenchSince says how long ago t was while it is recent, "à l'instant" or
// "il y a 12 min", then as frenchWhen does.
func frenchSince(t, now time.Time) string {
	switch d := now.Sub(t); {
	case d < time.Minute:
		return "à l'instant"
	case d < time.Hour:
		return fmt.Sprintf("il y a %d min", int(d.Minutes()))
	}
	return frenchWhen(t, now)
}

// frenchWhen writes t relative to now: "aujourd'hui à 14:05", "hier à
// 09:10", or "03/11/2026 à 17:45".
func frenchWhen(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	day := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.Local) }
	date := t.Format("02/01/2006")
	switch math.Round(day(now).Sub(day(t)).Hours() / 24) {
	case 0:
		date = "aujourd'hui"
	case 1:
		date = "hier"
	}
	return date + " à " + t.Format("15:04")
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
var deletedLabel = store.ColumnLabel{Column: "deleted", Label: "Supprimé", Flag: true}

// Kept lists the conflicts' losing versions, newest first as stored, named
// by the labels their table's schema gives.
func (p statusPage) Kept() []keptVersion {
	out := make([]keptVersion, 0, len(p.Conflicts))
	for _, c := range p.Conflicts {
		v := c.Loser.Values
		k := keptVersion{ID: c.ID, When: frenchWhen(c.At, time.Now()), What: c.Label.Row, Restored: c.Restored}
		if k.What == "" {
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
			if s := fieldText(f, v[f.Column], len(c.Columns) > 0); s != "" {
				k.Fields = append(k.Fields, keptField{f.Label, s})
			}
		}
		out = append(out, k)
	}
	return out
}

// fieldText writes a column's value for people: yes or no for flags, a
// code by its name; "" leaves the field out. A flag that lost a conflict of
// its own is worth its line even when it is off (lost).
func fieldText(f store.ColumnLabel, x any, lost bool) string {
	switch v := x.(type) {
	case nil:
		return ""
	case int64:
		if f.Flag {
			if v == 0 && lost {
				return "non"
			}
			if v == 0 { // the usual case, not worth a line
				return ""
			}
			return "oui"
		}
		return fmt.Sprint(v)
	case string:
		if name, ok := f.Values[v]; ok {
			return name
		}
		return v
	case []byte:
		return ""
	}
	return fmt.Sprint(x)
}
