package liaison

import (
	"context"
	"fmt"

	"preau/appliance/feature"
)

// demo writes two notes of the demo CE1's teacher to its families, as
// they would have typed them (data, in the school's language: i18n:data):
// an outing to sign, with a reply allowed, and a piece of news.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if !ok || err != nil {
		return err
	}
	s := serviceOf(env)
	// Seeded before the mark existed, or come back from central: there.
	if notes, err := s.classNotes(ctx, []string{class.ID}); err != nil || len(notes) > 0 {
		return err
	}
	for _, n := range demoNotes {
		d := Draft{ClassID: class.ID, Title: n.title, Body: n.body, Signature: n.signature, AllowReply: n.reply}
		if n.in > 0 {
			d.Day = s.now().AddDate(0, 0, n.in).Format(day)
		}
		if _, err := s.Create(ctx, teacher, d); err != nil {
			return fmt.Errorf("demo liaison %q: %w", n.title, err)
		}
	}
	return nil
}

// demoNotes are the demo's notes, oldest first (i18n:data).
var demoNotes = []struct {
	title, body      string
	signature, reply bool
	in               int // the day it is about, in days from today; 0 for none
}{
	{"Photo de classe", "Le photographe passera mardi matin. Pensez à une tenue qui vous plaît !", false, false, 0},
	{"Sortie à la médiathèque", "Nous irons à la médiathèque à pied jeudi matin. Merci de prévoir une casquette et une petite bouteille d'eau.\n" +
		"Nous cherchons deux parents pour nous accompagner : répondez à ce mot si vous êtes disponible.", true, true, 7},
}
