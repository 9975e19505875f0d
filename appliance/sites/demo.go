package sites

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// demo chooses the demo school's sites, as its teachers would have (data,
// in the school's language: i18n:data); on central, the city's too. No
// icon is fetched: a demo may start offline, and its pictures are drawn.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	s := newService(env)
	s.icons.off = true
	if school.Central {
		dsi, err := env.Auth.UserByLogin(ctx, "dsi")
		if err == nil && dsi.Profile == auth.DSI {
			if err := demoAdd(ctx, s, dsi, demoCitySite, Draft{}); err != nil {
				return err
			}
		}
	}
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if !ok || err != nil {
		return err
	}
	if sites, err := s.ofSchool(ctx, school.ID); err != nil || len(sites) > 0 {
		return err // seeded before the mark existed, or come back from central
	}
	for _, d := range demoSites {
		author, draft := teacher, Draft{ClassID: class.ID}
		if d.level != "" {
			draft = Draft{Level: d.level}
		}
		if d.author != "" {
			if author, err = env.Auth.UserByLogin(ctx, feature.DemoLogin(school.ID, d.author)); errors.Is(err, apperr.ErrNotFound) {
				continue // renamed since
			} else if err != nil {
				return err
			}
			classes, err := env.Register.UserClasses(ctx, author.ID)
			if err != nil || len(classes) == 0 {
				continue
			}
			draft.ClassID = classes[0].ID
		}
		if err := demoAdd(ctx, s, author, d, draft); err != nil {
			return err
		}
	}
	return nil
}

func demoAdd(ctx context.Context, s *Service, u auth.User, d demoSite, draft Draft) error {
	draft.URL, draft.Title, draft.Comment = d.url, d.title, d.comment
	if d.colour != (color.RGBA{}) {
		picture := demoPicture(d.colour)
		draft.Picture = &web.Upload{Name: "site.png", Size: int64(len(picture)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(picture)), nil }}
	}
	if _, err := s.Add(ctx, u, draft); err != nil {
		return fmt.Errorf("demo site %q: %w", d.title, err)
	}
	return nil
}

// demoSite is a site of the demo: for the CE1 (or the class of author, a
// colleague's login), or for a level; no colour, no picture.
type demoSite struct {
	url, title, comment string
	level, author       string
	colour              color.RGBA
}

// demoSites are the demo school's, oldest first (i18n:data).
var demoSites = []demoSite{
	{url: "https://www.logicieleducatif.fr", title: "Logiciel éducatif", comment: "Des jeux pour lire et compter, classés par niveau.",
		author: "helene.roux", colour: color.RGBA{0x2e, 0x9c, 0x5a, 0xff}},
	{url: "https://calculatice.ac-lille.fr", title: "Calcul@TICE", comment: "Le calcul mental en s'amusant : choisis ton niveau, CE1.",
		level: "CE1", colour: color.RGBA{0xe8, 0x6a, 0x1c, 0xff}},
	{url: "https://www.iletaitunehistoire.com", title: "Il était une histoire", comment: "Des contes à lire et à écouter, le soir à la maison."},
	{url: "https://www.lumni.fr/primaire", title: "Lumni", comment: "Les vidéos que nous regardons en classe, pour revoir la leçon.",
		colour: color.RGBA{0x1f, 0x6f, 0xd1, 0xff}},
}

// demoCitySite is the city's, for every school (i18n:data). It has no
// picture: a demo city's rows bring no file to its schools.
var demoCitySite = demoSite{url: "https://www.cite-sciences.fr", title: "Cité des sciences",
	comment: "Les expositions et les jeux de la Cité des enfants, choisis par la ville."}

// demoPicture draws a site's demo picture: a white sun over a hill, on
// its colour.
func demoPicture(bg color.RGBA) []byte {
	const w, h = 320, 240
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	hill := color.RGBA{bg.R / 2, bg.G / 2, bg.B / 2, 0xff}
	for y := range h {
		for x := range w {
			c := bg
			if dx, dy := x-200, y-90; dx*dx+dy*dy < 45*45 {
				c = white
			}
			if dx, dy := x-110, y-380; dx*dx+dy*dy < 230*230 {
				c = hill
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
