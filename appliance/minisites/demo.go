package minisites

import (
	"context"
	"fmt"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// demoSite is the demo class's mini-site, as its group wrote it (data, in
// the school's language: i18n:data).
var demoSite = struct {
	title string
	pages []struct{ title, html string }
}{"Les oiseaux de l'école", []struct{ title, html string }{
	{"Les oiseaux de l'école", "<h2>Bienvenue !</h2><p>Nous observons les oiseaux de la cour depuis septembre.</p>"},
	{"La mésange", "<p>La mésange charbonnière a une tête noire et des joues blanches. Elle aime les graines de tournesol.</p>"},
	{"Le rouge-gorge", "<p>Le rouge-gorge vient près de nous quand nous jardinons. Il chante même en hiver.</p>"},
}}

// demo starts the demo class's site for the demo pupil and a classmate,
// with three pages (the last two under the first); it stays a draft.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if err != nil || !ok || env.Pages == nil {
		return err
	}
	s := newService(env)
	if list, err := s.sites(ctx, "class_id = ?", class.ID); err != nil || len(list) > 0 {
		return err
	}
	pupils, err := env.Register.ClassPupils(ctx, class.ID)
	if err != nil || len(pupils) == 0 {
		return err
	}
	group := []string{pupils[0].ID}
	if pupil, err := env.Auth.UserByLogin(ctx, feature.DemoLogin(school.ID, "eleve")); err == nil && pupil.Profile == auth.Pupil {
		group = append(group, pupil.ID)
	}
	if len(pupils) > 1 {
		group = append(group, pupils[1].ID)
	}
	id, err := s.Create(ctx, teacher, New{Title: demoSite.title, ClassID: class.ID, Theme: "forest", Pupils: group})
	if err != nil {
		return fmt.Errorf("demo mini-site: %w", err)
	}
	v, err := s.Get(ctx, teacher, id)
	if err != nil || len(v.Menu) == 0 {
		return fmt.Errorf("demo mini-site: %v", err)
	}
	home := v.Menu[0].ID
	if err := env.Pages.SaveOwnedHTML(ctx, id, home, teacher.ID, demoSite.pages[0].html); err != nil {
		return err
	}
	for _, p := range demoSite.pages[1:] {
		pageID, err := s.AddPage(ctx, teacher, id, p.title, home)
		if err == nil {
			err = env.Pages.SaveOwnedHTML(ctx, id, pageID, teacher.ID, p.html)
		}
		if err != nil {
			return fmt.Errorf("demo mini-site page %q: %w", p.title, err)
		}
	}
	return nil
}
