package stats

import (
	"context"
	"slices"
	"strconv"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// MaxCount is the most a pushed counter may hold: a school of a few
// hundred people does not open a million sessions in a day.
const MaxCount = 1_000_000

// checkCountRow is the rule central applies to a counter a school pushes:
// its own school's, counted at the school (central's counts are central's
// to write), a known figure with its key in shape, under its natural id so
// it can be no other row, and a plausible count. It carries no column that
// could name a person: the schema has none.
func checkCountRow(ctx context.Context, p store.Pushed) error {
	r := p.Row
	if r.Str("school_id") != p.School || r.Str("source") != p.School {
		return apperr.New(apperr.ErrForbidden, "stats.push.school")
	}
	figure, day, profile, item := r.Str("figure"), r.Str("day"), r.Str("profile"), r.Str("item")
	if !validKey(figure, day, profile, item) {
		return apperr.New(apperr.ErrForbidden, "stats.push.key")
	}
	if r.ID() != CountID(p.School, p.School, day, figure, profile, item) {
		return apperr.New(apperr.ErrForbidden, "stats.push.natural")
	}
	if n, _ := r.Values["count"].(int64); n < 0 || n > MaxCount {
		return apperr.New(apperr.ErrForbidden, "stats.push.count")
	}
	return nil
}

// validKey reports whether a counter's key has its figure's shape.
func validKey(figure, day, profile, item string) bool {
	switch figure {
	case Connections:
		return validDay(day) && slices.Contains(Profiles, profile) && item == ""
	case Hours:
		h, err := strconv.Atoi(item)
		return validMonth(day) && profile == "" && len(item) == 2 && err == nil && h >= 0 && h < 24
	case Visits:
		return validMonth(day) && profile == "" && validService(item)
	case Visitors:
		return validMonth(day) && slices.Contains(Profiles, profile) && item == ""
	case Created, Activated:
		return day == accountsDay && slices.Contains(Profiles, profile) && item == ""
	}
	return false
}

func validDay(day string) bool {
	_, err := time.Parse(dayLayout, day)
	return err == nil
}

// validMonth: a month's figures are on its first day.
func validMonth(day string) bool { return validDay(day) && day[8:] == "01" }

// validService: a feature's name, as the root names them.
func validService(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
