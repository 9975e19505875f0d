package minisites

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// demoSite is the demo class's mini-site, as its group wrote it (data, in
// the school's language: i18n:data).
var demoSite = struct {
	title   string
	pages   []struct{ title, html string }
	comment string // the teacher's, reopening it after publishing
}{"Les oiseaux de l'école", []struct{ title, html string }{
	{"Les oiseaux de l'école", "<h2>Bienvenue !</h2><p>Nous observons les oiseaux de la cour depuis septembre.</p>"},
	{"La mésange", "<p>La mésange charbonnière a une tête noire et des joues blanches. Elle aime les graines de tournesol.</p>"},
	{"Le rouge-gorge", "<p>Le rouge-gorge vient près de nous quand nous jardinons. Il chante même en hiver.</p>"},
}, "Bravo ! Le site est en ligne. Vous pouvez ajouter la page du merle."}

// demo starts the demo class's site for the demo pupil and two
// classmates, with three pages (the last two under the first) and a
// picture; its teacher published it to the public, then reopened it for
// the group with a word: it is read at its public address and written on.
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
	picture := bird()
	if err := s.AddImage(ctx, teacher, id, home, web.Upload{Name: "mesange.png", Size: int64(len(picture)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(picture)), nil }}); err != nil {
		return fmt.Errorf("demo mini-site picture: %w", err)
	}
	if err := s.Publish(ctx, teacher, id, Public); err != nil {
		return fmt.Errorf("demo mini-site published: %w", err)
	}
	return s.SendBack(ctx, teacher, id, demoSite.comment)
}

// bird is a drawing of a blue tit on a branch: the demo site's picture.
func bird() []byte {
	const w, h = 320, 220
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	sky, branch := color.RGBA{220, 238, 250, 255}, color.RGBA{120, 80, 40, 255}
	blue, yellow, black := color.RGBA{40, 110, 200, 255}, color.RGBA{250, 210, 40, 255}, color.RGBA{20, 20, 30, 255}
	in := func(x, y, cx, cy, rx, ry int) bool {
		dx, dy := float64(x-cx)/float64(rx), float64(y-cy)/float64(ry)
		return dx*dx+dy*dy <= 1
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := sky
			switch {
			case in(x, y, 200, 90, 14, 14):
				c = black
			case in(x, y, 190, 90, 34, 30):
				c = blue
			case in(x, y, 150, 130, 60, 40):
				c = yellow
			case in(x, y, 120, 120, 50, 26):
				c = blue
			case y >= 168 && y < 180 && x >= 30 && x < 300:
				c = branch
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
