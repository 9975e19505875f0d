package requests

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

// demo writes the city's catalogues, once per node, and the demo school's
// requests as its director would have filed them; on central, the DSI has
// taken the first in hand (data, in the school's language: i18n:data).
func demo(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
	s := newService(env)
	if err := demoCatalogues(ctx, s); err != nil {
		return err
	}
	director, err := env.Auth.UserByLogin(ctx, feature.DemoLogin(school.ID, "directeur"))
	if err != nil {
		return nil // not the demo's school, or its director renamed: nothing to file
	}
	if list, err := s.query(ctx, "r.school_id = ?", school.ID); err != nil || len(list) > 0 {
		return err // come back from central
	}
	items, err := s.Catalogue(ctx, Pharmacy)
	if err != nil || len(items) < 2 {
		return err
	}
	first, err := s.File(ctx, director, Draft{Kind: Pharmacy, Title: demoPharmacyTitle,
		Fields: Fields{Items: []Line{{Item: items[0].ID, Quantity: 2}, {Item: items[1].ID, Quantity: 5}}}})
	if err != nil {
		return fmt.Errorf("demo pharmacy request: %w", err)
	}
	photo := projector()
	if _, err := s.File(ctx, director, Draft{Kind: Intervention, Title: demoIntervention.title, Fields: Fields{Room: demoIntervention.room,
		Equipment: demoIntervention.equipment, Description: demoIntervention.description, Urgency: "urgent"},
		Files: []web.Upload{{Name: "videoprojecteur.png", Size: int64(len(photo)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(photo)), nil }}}}); err != nil {
		return fmt.Errorf("demo intervention: %w", err)
	}
	if school.Central {
		dsi, err := env.Auth.UserByLogin(ctx, "dsi")
		if err == nil && dsi.Profile == auth.DSI {
			if _, err := s.Change(ctx, dsi, first.ID, Change{Status: InProgress, Assignee: dsi.DisplayName, Comment: demoDSIComment}); err != nil {
				return fmt.Errorf("demo DSI's change: %w", err)
			}
		}
	}
	return nil
}

// demoCatalogues writes the city's catalogues when this node holds none.
func demoCatalogues(ctx context.Context, s *Service) error {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM request_items").Scan(&n); err != nil || n > 0 {
		return err
	}
	for catalogue, items := range map[string][]Item{Pharmacy: demoPharmacy, Supplies: demoSupplies} {
		for _, it := range items {
			it.Catalogue = catalogue
			if _, err := s.insertItem(ctx, it); err != nil {
				return fmt.Errorf("demo catalogue: %w", err)
			}
		}
	}
	return nil
}

// projector draws the demo intervention's photo: a grey projector whose
// light blinks orange.
func projector() []byte {
	const w, h = 320, 200
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	wall, body, lens, blink := color.RGBA{236, 240, 244, 255}, color.RGBA{90, 98, 110, 255}, color.RGBA{30, 34, 40, 255}, color.RGBA{247, 103, 7, 255}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := wall
			switch {
			case (x-110)*(x-110)+(y-110)*(y-110) <= 28*28:
				c = lens
			case x >= 60 && x < 260 && y >= 70 && y < 150:
				c = body
			}
			if (x-230)*(x-230)+(y-90)*(y-90) <= 8*8 {
				c = blink
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// The demo city's catalogues (i18n:data).
var (
	demoPharmacy = []Item{
		{Name: "Pansements adhésifs", Unit: "boîte de 100"},
		{Name: "Compresses stériles", Unit: "paquet de 50"},
		{Name: "Solution antiseptique", Unit: "flacon de 250 ml"},
		{Name: "Poches de froid instantané", Unit: "lot de 10"},
		{Name: "Gants jetables", Unit: "boîte de 100"},
	}
	demoSupplies = []Item{
		{Name: "Cartouche d'encre noire", Unit: "pièce"},
		{Name: "Ramette de papier A4", Unit: "carton de 5"},
		{Name: "Souris USB", Unit: "pièce"},
		{Name: "Clé USB 32 Go", Unit: "pièce"},
	}
)

// The demo school's requests (i18n:data).
var (
	demoPharmacyTitle = "Réassort de l'infirmerie"
	demoIntervention  = struct{ title, room, equipment, description string }{"Vidéoprojecteur en panne", "Salle du CM1",
		"Vidéoprojecteur", "Le vidéoprojecteur ne s'allume plus depuis lundi ; le voyant clignote en orange."}
	demoDSIComment = "Commande passée auprès du fournisseur, livraison prévue la semaine prochaine."
)
