package feature

import "preau/appliance/auth"

// ClassCard is a class as its card shows it (the partial "class-card" of
// ui/layout/partials.html), on a teacher's home page and on the list of
// their classes alike.
type ClassCard struct {
	Class    auth.Class
	Pupils   int         // how many
	Faces    []auth.User // its first pupils, whose initials the card shows (CardFaces at most)
	Teachers []auth.User // shown when it has several
	Level    int         // its title's heading level: 2 under the page's title, 3 under a section's
}

// CardFaces is how many pupils' initials a class card shows.
const CardFaces = 8

// NewClassCard is the card of a class whose pupils are all at hand.
func NewClassCard(c auth.Class, pupils, teachers []auth.User, level int) ClassCard {
	return ClassCard{Class: c, Pupils: len(pupils), Faces: pupils[:min(len(pupils), CardFaces)], Teachers: teachers, Level: level}
}
