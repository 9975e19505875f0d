package feature

import (
	"slices"
	"strings"
)

// What the city publishes (its library's documents, its list of sites) is
// global, and may be meant for some schools only: such a row keeps the
// schools it is meant for in a column, their ids separated by spaces, ""
// for every school. Every node holds the row; a school shows it only when
// it is one of them.

// Targets is a list of schools a city row is meant for, nil for all.
type Targets []string

// ParseTargets reads a row's column.
func ParseTargets(column string) Targets { return strings.Fields(column) }

// String is the column's value: the ids sorted, without repeats.
func (t Targets) String() string {
	ids := slices.Clone(t)
	slices.Sort(ids)
	return strings.Join(slices.Compact(ids), " ")
}

// Includes reports whether a school is one the row is meant for.
func (t Targets) Includes(schoolID string) bool { return len(t) == 0 || slices.Contains(t, schoolID) }
