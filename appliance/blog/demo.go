package blog

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"

	"preau/appliance/feature"
	"preau/appliance/web"
)

// demo writes the demo class's cahier de vie, as its teacher would have
// (data, in the school's language: i18n:data): two posts with photos,
// families allowed to comment, held for approval.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if err != nil || !ok {
		return err
	}
	s := serviceOf(env)
	if posts, err := s.queryPosts(ctx, "class_id = ? LIMIT 1", class.ID); err != nil || len(posts) > 0 {
		return err // come back from central
	}
	if err := s.saveSettings(ctx, class.SchoolID, Settings{ClassID: class.ID, Comments: true, Moderated: true}); err != nil {
		return err
	}
	for _, p := range demoPosts {
		d := Draft{ClassID: class.ID, Title: p.title, Body: p.body, Audience: Class}
		for i, sky := range p.skies {
			picture := demoPicture(sky, i)
			d.Files = append(d.Files, web.Upload{Name: fmt.Sprintf("photo-%d.jpg", i+1), Size: int64(len(picture)),
				Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(picture)), nil }})
		}
		id, err := s.Publish(ctx, teacher, d)
		if err != nil {
			return fmt.Errorf("demo blog post %q: %w", p.title, err)
		}
		// A family's comment waits for the teacher, as they come.
		if parent, err := env.Auth.UserByLogin(ctx, feature.DemoLogin(school.ID, "parent")); err == nil && p.comment != "" {
			if _, err := s.AddComment(ctx, parent, id, p.comment); err != nil {
				return fmt.Errorf("demo blog comment: %w", err)
			}
		}
	}
	return nil
}

type demoPost struct {
	title, body, comment string
	skies                []color.RGBA // one photo each
}

// demoPosts are the demo class's posts, oldest first (i18n:data).
var demoPosts = []demoPost{
	{"Sortie à la ferme", "Ce matin, nous avons rendu visite aux animaux de la ferme de la Source.\n\nLes élèves ont **nourri les chèvres** et ramassé les œufs.",
		"Merci pour ces belles photos, Léa nous a tout raconté !", []color.RGBA{{150, 205, 250, 255}, {250, 200, 120, 255}, {180, 230, 190, 255}}},
	{"Nos semis de printemps", "Les graines de haricots ont germé dans la classe : chacun observe sa plante et dessine ce qui change.", "",
		[]color.RGBA{{200, 230, 255, 255}, {255, 236, 170, 255}}},
}

// demoPicture draws a landscape: a sky, a green hill and a sun, the sun
// moving with n so that each photo differs.
func demoPicture(sky color.RGBA, n int) []byte {
	const w, h = 960, 640
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	hill, sun := color.RGBA{76, 160, 80, 255}, color.RGBA{255, 210, 60, 255}
	sx, sy := 200+n*260, 160
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := sky
			dx, dy := x-w/2, y-h
			if dx*dx/4+dy*dy < 300*300 {
				c = hill
			} else if (x-sx)*(x-sx)+(y-sy)*(y-sy) < 70*70 {
				c = sun
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return b.Bytes()
}
