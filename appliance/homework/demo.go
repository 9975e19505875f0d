package homework

import (
	"context"
	"fmt"
	"io"
	"strings"

	"preau/appliance/feature"
)

// demo writes a week of the demo CE1's cahier de textes, as its teacher
// would have typed it (data, in the school's language: i18n:data).
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if !ok || err != nil {
		return err
	}
	s := serviceOf(env)
	// Seeded before the mark existed, or come back from central: there.
	if es, err := s.entries(ctx, []string{class.ID}, "0000-00-00"); err != nil || len(es) > 0 {
		return err
	}
	today := s.now()
	for _, e := range demoEntries {
		d := Draft{ClassID: class.ID, Due: today.AddDate(0, 0, e.in).Format(day), Title: e.title, Body: e.body, Done: e.done}
		var files []Upload
		if e.file != "" {
			files = append(files, Upload{Name: e.fileName, Type: "text/plain", Size: int64(len(e.file)),
				Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(e.file)), nil }})
		}
		if _, err := s.Create(ctx, teacher, d, files...); err != nil {
			return fmt.Errorf("demo homework %q: %w", e.title, err)
		}
	}
	return nil
}

// demoEntries are the demo's pages (i18n:data).
var demoEntries = []struct {
	in                int // days from today
	title, body, done string
	fileName, file    string // an attached file, if any
}{
	{1, "Lire la page 12 du livre de lecture", "Lire deux fois à voix haute, puis raconter l'histoire à un adulte.", "Découverte du son « ou ».", "", ""},
	{1, "Cahier du jour : finir l'exercice 3", "", "Les nombres jusqu'à 100.", "", ""},
	{3, "Apprendre la poésie « Le chat »", "Les deux premières strophes.", "", "le-chat.txt",
		"Le chat\n\nLe chat ouvrit les yeux,\nLe soleil y entra.\nLe chat ferma les yeux,\nLe soleil y resta.\n"},
}
