package forum

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

// demo opens the demo school's forums with a few threads, as its people
// would have typed them (data, in the school's language: i18n:data); on
// central, the city's too.
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	s := newService(env)
	if school.Central {
		if dsi, err := env.Auth.UserByLogin(ctx, "dsi"); err == nil && dsi.Profile == auth.DSI {
			if err := seedForum(ctx, s, dsi, demoCity, nil); err != nil {
				return err
			}
		}
	}
	director, err := env.Auth.UserByLogin(ctx, feature.DemoLogin(school.ID, "directeur"))
	if err != nil {
		return nil // not the demo's school, or its director renamed: nothing to open
	}
	teacher, class, ok, err := env.DemoClass(ctx, school)
	if err != nil || !ok {
		return err
	}
	if existing, err := s.queryForums(ctx, "school_id = ? LIMIT 1", school.ID); err != nil || len(existing) > 0 {
		return err // come back from central
	}
	people := map[string]auth.User{"directeur": director, "enseignant": teacher}
	for _, login := range []string{"eleve", "parent"} {
		if u, err := env.Auth.UserByLogin(ctx, feature.DemoLogin(school.ID, login)); err == nil {
			people[login] = u
		}
	}
	for _, f := range demoForums {
		f.draft.ClassID = class.ID
		if err := seedForum(ctx, s, people[f.by], f, people); err != nil {
			return err
		}
	}
	return nil
}

// seedForum opens a demo forum and writes its threads.
func seedForum(ctx context.Context, s *Service, by auth.User, f demoForum, people map[string]auth.User) error {
	id, err := s.CreateForum(ctx, by, f.draft)
	if err != nil {
		return fmt.Errorf("demo forum %q: %w", f.draft.Title, err)
	}
	for _, t := range f.threads {
		author, ok := people[t.posts[0].by]
		if !ok {
			author = by
		}
		first := PostDraft{Body: t.posts[0].body}
		if t.picture {
			picture := bubbles()
			first.Files = []web.Upload{{Name: "regles.png", Size: int64(len(picture)),
				Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(picture)), nil }}}
		}
		th, _, err := s.NewThread(ctx, author, id, ThreadDraft{Title: t.title, Category: t.category, Post: first})
		if err != nil {
			return fmt.Errorf("demo thread %q: %w", t.title, err)
		}
		for _, p := range t.posts[1:] {
			if u, ok := people[p.by]; ok {
				if _, err := s.Reply(ctx, u, th.ID, PostDraft{Body: p.body}); err != nil {
					return fmt.Errorf("demo post in %q: %w", t.title, err)
				}
			}
		}
		if t.pinned {
			if _, _, err := s.SetPinned(ctx, by, th.ID, true); err != nil {
				return err
			}
		}
	}
	return nil
}

type demoPost struct{ by, body string }

type demoThread struct {
	title, category string
	pinned          bool
	picture         bool // its first post shows the demo's picture
	posts           []demoPost
}

type demoForum struct {
	by      string // who opens it, by their demo login
	draft   ForumDraft
	threads []demoThread
}

// demoCity is the city's forum, for every school's staff (i18n:data).
var demoCity = demoForum{by: "dsi", draft: ForumDraft{Title: "Entre collègues de la ville", Audience: City,
	About: "Échanges de pratiques entre les équipes des écoles.", Categories: "Numérique\nSorties"},
	threads: []demoThread{{title: "Bienvenue sur le forum de la ville", category: "Numérique", pinned: true, posts: []demoPost{
		{"dsi", "Ce forum réunit les équipes de toutes les écoles. Partagez vos idées de séances et vos questions sur **Préau**."},
	}}}}

// demoForums are the demo school's, with their threads (i18n:data).
var demoForums = []demoForum{
	{by: "enseignant", draft: ForumDraft{Title: "Le forum de la classe", Audience: Class, Moderated: true,
		About: "Pour parler de nos lectures, de nos projets et poser nos questions.", Categories: "Lectures\nQuestions"},
		threads: []demoThread{
			{title: "Les règles du forum", pinned: true, picture: true, posts: []demoPost{
				{"enseignant", "Ici, on écrit **poliment**, on relit son message avant de l'envoyer et on ne donne jamais son adresse."},
			}},
			{title: "Quel livre lisez-vous ?", category: "Lectures", posts: []demoPost{
				{"enseignant", "Racontez-nous le livre que vous lisez en ce moment, en deux ou trois phrases."},
				{"eleve", "Je lis *Le Petit Prince*. J'aime bien le renard !"},
			}},
		}},
	{by: "enseignant", draft: ForumDraft{Title: "Parents de la classe", Audience: Parents,
		About: "Entre parents de la classe et avec l'enseignant.", Categories: "Sorties\nDivers"},
		threads: []demoThread{
			{title: "Covoiturage pour la sortie au musée", category: "Sorties", posts: []demoPost{
				{"parent", "Bonjour, nous avons deux places dans notre voiture jeudi matin. Qui en a besoin ?"},
				{"enseignant", "Merci beaucoup ! Le départ est à 8 h 30 devant l'école."},
			}},
		}},
	{by: "directeur", draft: ForumDraft{Title: "Le forum de l'école", Audience: School,
		About: "Les élèves et l'équipe de toute l'école.", Categories: "Projets\nJeux de la cour"}},
	{by: "directeur", draft: ForumDraft{Title: "Salle des maîtres", Audience: Staff, About: "Entre membres de l'équipe."},
		threads: []demoThread{
			{title: "Projet d'école : le jardin", posts: []demoPost{
				{"directeur", "Qui souhaite participer au projet jardin au printemps ? Nous en parlerons au conseil des maîtres."},
			}},
		}},
}

// bubbles draws the demo's picture: two speech bubbles, a class talking.
func bubbles() []byte {
	const w, h = 360, 220
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bg, blue, yellow := color.RGBA{240, 246, 255, 255}, color.RGBA{76, 132, 230, 255}, color.RGBA{250, 196, 60, 255}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := bg
			dx, dy := float64(x-130), float64(y-90)
			ex, ey := float64(x-240), float64(y-140)
			switch {
			case dx*dx/8100+dy*dy/3600 <= 1 || (x > 80 && x < 100 && y > 130 && y < 170 && x-80 > (y-130)/2):
				c = blue
			case ex*ex/6400+ey*ey/2500 <= 1 || (x > 270 && x < 290 && y > 175 && y < 205 && 290-x > (y-175)/2):
				c = yellow
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
