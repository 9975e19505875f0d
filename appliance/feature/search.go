package feature

import (
	"context"
	"slices"

	"preau/appliance/auth"
)

// The search feature keeps one index of what every feature shows, and
// finds in it only what the caller may see. A feature takes part with a
// SearchSource: the table whose changes the index follows, and how to
// read what the index keeps of a row. Who may see an entry is written as
// its audiences; a person sees it when they hold one of them (see
// Audiences), and the index keeps each entry's words under its audiences,
// so that visibility is part of the full-text query rather than a filter
// after it.

// SearchSource is a feature's part of the search.
type SearchSource struct {
	Kind  string // what its entries are: "homework", "news"… (a catalogue key search.kind.<Kind>)
	Icon  string // the results' icon, assets/icons/<Icon>.svg
	Table string // the replicated table whose changed rows are indexed again
	// Entries reads what the index keeps of rows by id. A row that is
	// deleted, or that no one should find, is left out: the index forgets it.
	Entries func(env *Env, ctx context.Context, ids []string) ([]SearchEntry, error)
}

// SearchEntry is one row as the index keeps it.
type SearchEntry struct {
	ID        string
	Title     string
	Body      string // the text searched beside the title (a document's text)
	URL       string // where it is shown
	Audiences []string
}

// Audiences: who may see an entry. An entry lists one or more; a person
// sees it when they hold one of them.

// ClassAudience is everyone who reads a class's pages: its pupils, their
// parents, its teachers and the director.
func ClassAudience(classID string) string { return audience("class", classID) }

// ClassStaffAudience is a class's teachers and its school's director.
func ClassStaffAudience(classID string) string { return audience("class-staff", classID) }

// FamilyAudience is a pupil and their parents.
func FamilyAudience(pupilID string) string { return audience("family", pupilID) }

// SchoolAudience is everyone of a school: its pupils, its staff and its
// pupils' parents; "global" for the whole city.
func SchoolAudience(schoolID string) string { return audience("school", schoolID) }

// SchoolStaffAudience is a school's teachers and director ("global": the
// city's, and its DSI).
func SchoolStaffAudience(schoolID string) string { return audience("school-staff", schoolID) }

// SchoolParentsAudience is the parents of a school's pupils, and its staff.
func SchoolParentsAudience(schoolID string) string { return audience("school-parents", schoolID) }

// LevelAudience is the pupils of a level (CP … CM2) in a school
// ("global": in every school), and their parents.
func LevelAudience(schoolID, level string) string { return audience("level", schoolID+"/"+level) }

// DSIAudience is the city's DSI.
var DSIAudience = audience("dsi", Global)

// PersonAudience is one person alone.
func PersonAudience(userID string) string { return audience("person", userID) }

// Global is the scope and the audience of what the city publishes.
const Global = "global"

// audience is written kind:id; the search reads the kind (an entry of
// homework is only ever for a class: no need to ask for other kinds).
func audience(kind, id string) string { return kind + ":" + id }

// Audiences are those u holds.
func Audiences(ctx context.Context, reg Register, u auth.User) ([]string, error) {
	out := []string{PersonAudience(u.ID), SchoolAudience(Global)}
	add := func(as ...string) {
		for _, a := range as {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	var classes []auth.Class // a parent's children's, read with them
	switch u.Profile {
	case auth.Pupil:
		add(FamilyAudience(u.ID), SchoolAudience(u.SchoolID))
	case auth.Parent:
		add(SchoolParentsAudience(Global))
		children, err := reg.Children(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range children {
			add(FamilyAudience(c.ID), SchoolAudience(c.SchoolID), SchoolParentsAudience(c.SchoolID))
			cs, err := reg.UserClasses(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			classes = append(classes, cs...)
		}
	case auth.Teacher, auth.Director:
		add(SchoolAudience(u.SchoolID), SchoolStaffAudience(u.SchoolID), SchoolParentsAudience(u.SchoolID), SchoolStaffAudience(Global))
	case auth.DSI:
		add(SchoolStaffAudience(Global), SchoolParentsAudience(Global), DSIAudience)
	}
	if u.Profile != auth.Parent {
		var err error
		if classes, err = ReadableClasses(ctx, reg, u); err != nil {
			return nil, err
		}
	}
	for _, c := range classes {
		add(ClassAudience(c.ID))
		if u.Profile == auth.Teacher || u.Profile == auth.Director {
			add(ClassStaffAudience(c.ID))
			continue
		}
		for _, l := range LevelsOf(c) {
			add(LevelAudience(c.SchoolID, l), LevelAudience(Global, l))
		}
	}
	return out, nil
}
