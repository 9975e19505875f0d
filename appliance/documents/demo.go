package documents

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// demo shares a few documents with the demo CE1, in two folders, as its
// teacher would have (data, in the school's language: i18n:data); on
// central, the DSI's city library holds two.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	if school.Central {
		if err := demoCity(ctx, env); err != nil {
			return err
		}
	}
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if !ok || err != nil {
		return err
	}
	s := serviceOf(env)
	s.hub = nil // the demo's families are not told of what was always there
	if ds, err := s.list(ctx, class.ID); err != nil || len(ds) > 0 {
		return err
	}
	for _, d := range demoDocuments {
		content := []byte(d.text)
		if d.text == "" {
			content = demoPicture()
		}
		if _, _, err := s.Share(ctx, teacher, Upload{ClassID: class.ID, Folder: d.folder, Name: d.name, Size: int64(len(content)),
			Content: bytes.NewReader(content)}); err != nil {
			return fmt.Errorf("demo document %q: %w", d.name, err)
		}
	}
	return nil
}

// demoDocuments are the demo's files (i18n:data); a file with no text is
// a picture.
var demoDocuments = []struct{ folder, name, text string }{
	{"Lecture", "Poésie - Le chat.txt", "Le chat\n\nLe chat ouvrit les yeux,\nLe soleil y entra.\nLe chat ferma les yeux,\nLe soleil y resta.\n"},
	{"Lecture", "Liste des mots du son ou.txt", strings.Join([]string{"loup", "roue", "poule", "genou", "bouche", "mouton"}, "\n") + "\n"},
	{"Mathématiques", "Tables d'addition.txt", "1 + 1 = 2\n2 + 2 = 4\n3 + 3 = 6\n4 + 4 = 8\n5 + 5 = 10\n"},
	{"Sciences", "Les saisons.png", ""},
}

// demoPicture is a small picture of a sun over a field, drawn here so the
// demo's thumbnails have something to show.
func demoPicture() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 480, 320))
	sky, grass, sun := color.RGBA{0x9f, 0xd3, 0xf5, 0xff}, color.RGBA{0x6c, 0xb8, 0x4f, 0xff}, color.RGBA{0xff, 0xc9, 0x2e, 0xff}
	for y := range 320 {
		for x := range 480 {
			c := sky
			if y > 220 {
				c = grass
			}
			if dx, dy := x-360, y-90; dx*dx+dy*dy < 50*50 {
				c = sun
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// demoCity publishes the demo city's library, as its DSI would have.
func demoCity(ctx context.Context, env *feature.Env) error {
	dsi, err := env.Auth.UserByLogin(ctx, "dsi")
	if err != nil || dsi.Profile != auth.DSI {
		return nil
	}
	s := serviceOf(env)
	if ds, err := s.city(ctx); err != nil || len(ds) > 0 {
		return err
	}
	for _, d := range demoCityDocuments {
		if _, _, err := s.ShareCity(ctx, dsi, Upload{Folder: d.folder, Name: d.name, Size: int64(len(d.text)),
			Content: strings.NewReader(d.text)}, nil); err != nil {
			return fmt.Errorf("demo city document %q: %w", d.name, err)
		}
	}
	return nil
}

// demoCityDocuments are the demo city's library (i18n:data).
var demoCityDocuments = []struct{ folder, name, text string }{
	{"Sécurité", "Exercice d'évacuation - consignes.txt", "Au signal, les élèves se rangent par deux, sans courir, et suivent leur enseignant jusqu'au point de rassemblement.\n"},
	{"Culture", "Programme de la médiathèque municipale.txt", "Mercredi : heure du conte à 10 h 30.\nSamedi : atelier bande dessinée à 14 h.\n"},
}
