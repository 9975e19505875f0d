package news

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

// demo publishes the demo school's news, as its director and the CE1's
// teacher would have typed them (data, in the school's language:
// i18n:data); on central, the city's too.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	s := newService(env)
	if school.Central {
		dsi, err := env.Auth.UserByLogin(ctx, "dsi")
		if err == nil && dsi.Profile == auth.DSI {
			if _, err := s.Publish(ctx, dsi, Draft{Title: demoCityNews.title, Body: demoCityNews.body, Audience: demoCityNews.audience}); err != nil {
				return fmt.Errorf("demo city news: %w", err)
			}
		}
	}
	director, err := env.Auth.UserByLogin(ctx, feature.DemoLogin(school.ID, "directeur"))
	if err != nil {
		return nil // not the demo's school, or its director renamed: nothing to publish
	}
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if err != nil {
		return err
	}
	if items, err := s.query(ctx, "school_id = ? LIMIT 1", school.ID); err != nil || len(items) > 0 {
		return err // seeded before the mark existed, or come back from central
	}
	for _, n := range demoNews {
		author, d := director, Draft{Title: n.title, Body: n.body, Audience: n.audience}
		if n.audience == Class {
			if !ok {
				continue
			}
			author, d.ClassID = teacher, class.ID
			picture := radishes()
			d.Image = &web.Upload{Name: "radis.png", Size: int64(len(picture)),
				Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(picture)), nil }}
		}
		if _, err := s.Publish(ctx, author, d); err != nil {
			return fmt.Errorf("demo news %q: %w", n.title, err)
		}
	}
	return nil
}

type demoItem struct{ title, body, audience string }

// demoCityNews is the city's, for the staff of every school (i18n:data).
var demoCityNews = demoItem{"Maintenance du réseau des écoles",
	"Le lien internet des écoles sera coupé mercredi de 12 h à 14 h. Préau continue de fonctionner dans chaque école.", Staff}

// demoNews are the demo school's news, oldest first (i18n:data).
var demoNews = []demoItem{
	{"Réunion des délégués de parents", "Les délégués de parents se réuniront lundi à 18 h dans la salle polyvalente.", Parents},
	{"Conseil des maîtres", "Conseil des maîtres jeudi à 16 h 45 : l'ordre du jour est dans la salle des maîtres.", Staff},
	{"Le potager du CE1", "Les radis ont poussé ! Les élèves les ont récoltés ce matin et les goûteront à la cantine.", Class},
	{"Fête de l'école", "La fête de l'école aura lieu le samedi 20 juin, de 10 h à 16 h : spectacle des classes, kermesse et pique-nique partagé.", School},
}

// radishes draws the CE1's harvest, the demo's picture: three radishes on
// the soil of the school garden, under a blue sky.
func radishes() []byte {
	const w, h = 480, 300
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	sky, soil := color.RGBA{186, 222, 252, 255}, color.RGBA{120, 84, 56, 255}
	red, leaf := color.RGBA{214, 40, 78, 255}, color.RGBA{64, 160, 72, 255}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := sky
			if y > 190 {
				c = soil
			}
			img.Set(x, y, c)
		}
	}
	for _, cx := range []int{120, 240, 360} {
		for y := 120; y < 260; y++ {
			for x := cx - 60; x < cx+60; x++ {
				dx, dy := float64(x-cx), float64(y-215)
				switch {
				case dx*dx/1600+dy*dy/1600 <= 1: // the root
					img.Set(x, y, red)
				case y < 180 && dx*dx/900+float64(y-140)*float64(y-140)/1600 <= 1 && (x-cx)%12 < 8: // the leaves
					img.Set(x, y, leaf)
				}
			}
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
