package mail

import (
	"context"
	"errors"
	"fmt"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/i18n"
)

// demo writes what a school's mail holds after a few weeks, as people
// would have typed it (data, in the school's language: i18n:data): the CE1
// teacher to the class's parents, a parent's answer, the director to the
// staff, and a pupil's message to the teacher.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	if school.Central {
		return nil // central's demo school is the city's: its schools write
	}
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if !ok || err != nil {
		return err
	}
	s := Of(env).S
	// Seeded before the mark existed, or come back from central: there.
	var n int
	if err := env.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM mail_messages WHERE scope = ?", school.ID).Scan(&n); err != nil || n > 0 {
		return err
	}
	var people [3]auth.User
	for i, login := range []string{"parent", "directeur", "eleve"} {
		u, err := env.Auth.UserByLogin(ctx, feature.DemoLogin(school.ID, login))
		if errors.Is(err, apperr.ErrNotFound) {
			return nil // the demo's people are not the demo's any more: nothing to write
		}
		if err != nil {
			return err
		}
		people[i] = u
	}
	parent, director, pupil := people[0], people[1], people[2]
	lang := i18n.Lang("fr")
	send := func(from auth.User, d Draft) (string, error) {
		out, err := s.Send(ctx, from, lang, d)
		if err != nil {
			return "", fmt.Errorf("demo mail %q: %w", d.Subject, err)
		}
		return out.CopyID, nil
	}
	t := demoTexts
	if _, err := send(teacher, Draft{To: []string{"class:" + class.ID + ":parents"}, Subject: t.welcome, Text: t.welcomeText + teacher.DisplayName,
		Attachments: []Attachment{{Name: t.listName, Type: "text/plain; charset=utf-8", Data: []byte(t.list)}}}); err != nil {
		return err
	}
	inbox, err := s.List(ctx, parent, Inbox, 0, 1)
	if err != nil || len(inbox.Items) == 0 {
		return err
	}
	if _, err := send(parent, Draft{To: []string{teacher.ID}, Subject: "Re: " + t.welcome, ReplyTo: inbox.Items[0].CopyID, Text: t.answer}); err != nil {
		return err
	}
	if _, err := send(director, Draft{To: []string{"school:" + school.ID + ":staff"}, Subject: t.council, Text: t.councilText}); err != nil {
		return err
	}
	_, err = send(pupil, Draft{To: []string{teacher.ID}, Subject: t.drawing, Text: t.drawingText})
	return err
}

// demoTexts are what the demo's people wrote (i18n:data).
var demoTexts = struct {
	welcome, welcomeText, listName, list, answer, council, councilText, drawing, drawingText string
}{
	welcome: "Bienvenue dans la messagerie de la classe",
	welcomeText: "Bonjour à toutes et à tous,\n\nVous pouvez désormais m'écrire ici pour toute question sur la classe. " +
		"Je réponds en général le soir. Vous trouverez ci-joint la liste des fournitures.\n\nBonne semaine,\n",
	listName:    "Liste des fournitures.txt",
	list:        "Un cahier de 96 pages, grands carreaux\nUne trousse complète\nUne boîte de mouchoirs\nUn tablier pour la peinture\n",
	answer:      "Bonjour,\n\nMerci ! Mon enfant aura un rendez-vous chez le médecin mardi à 15 h : je passerai le chercher à 14 h 45.\n\nCordialement",
	council:     "Conseil des maîtres jeudi",
	councilText: "Bonjour à tous,\n\nLe conseil des maîtres aura lieu jeudi à 17 h en salle des maîtres. Ordre du jour : la kermesse et les sorties de fin d'année.",
	drawing:     "Mon dessin",
	drawingText: "Bonjour, j'ai fini le dessin de l'arbre ! Je te le montre demain.",
}
