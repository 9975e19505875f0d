package feature

import (
	"preau/appliance/auth"
	"preau/appliance/web"
)

// ClassCard is a class as its card shows it (the partial "class-card" of
// ui/layout/partials.html), on a teacher's home page and on the list of
// their classes alike: plain values, so that the card is drawn once for
// everyone who sees the class ({{drawn}}).
type ClassCard struct {
	Class    auth.Class
	Pupils   int      // how many
	Faces    []string // the initials of its first pupils (CardFaces at most)
	Teachers []string // its teachers' names, shown when it has several
	Level    int      // its title's heading level: 2 under the page's title, 3 under a section's
}

// CardFaces is how many pupils' initials a class card shows.
const CardFaces = 8

// NewClassCard is the card of a class whose pupils are all at hand.
func NewClassCard(c auth.Class, pupils, teachers []auth.User, level int) ClassCard {
	card := ClassCard{Class: c, Pupils: len(pupils), Level: level}
	for _, p := range pupils[:min(len(pupils), CardFaces)] {
		card.Faces = append(card.Faces, web.Initials(p.DisplayName))
	}
	for _, t := range teachers {
		card.Teachers = append(card.Teachers, t.DisplayName)
	}
	return card
}
