package pages

import (
	"context"
	"fmt"

	"preau/appliance/feature"
)

// demoPages are the demo class's pages, as its teacher wrote them (data,
// in the school's language: i18n:data).
var demoPages = []struct{ title, kind, html string }{
	{"Les petites bêtes du jardin", Wiki, "<h2>La coccinelle</h2><p>Elle a des points noirs sur le dos. Elle mange les pucerons.</p><ul><li>6 pattes</li><li>2 paires d'ailes</li></ul>"},
	{"Journal de décembre", Journal, "<h2>Le marché de Noël</h2><p>Samedi, la classe a vendu ses décorations. Merci aux familles !</p>"},
}

// demo writes the demo class's pages: the HTML readers see, and its
// first version. Their Yjs document starts empty: the first editor's
// browser fills it from the HTML (see assets/src/pages.js).
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if err != nil || !ok {
		return err
	}
	s := NewService(env.DB, env.Register)
	if ps, err := s.classPages(ctx, class.ID); err != nil || len(ps) > 0 {
		return err
	}
	for _, d := range demoPages {
		id, err := s.Create(ctx, teacher, Draft{Title: d.title, ClassID: class.ID, Kind: d.kind})
		if err == nil {
			_, err = s.SaveHTML(ctx, teacher, id, d.html)
		}
		if err != nil {
			return fmt.Errorf("demo page %q: %w", d.title, err)
		}
	}
	return nil
}
