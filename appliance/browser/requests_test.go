package browser_test

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/browser"
	"preau/appliance/feature"
)

// Requests to the city, for real: at an enrolled school the director
// files a pharmacy request from the city's catalogue; it waits « en
// attente d'envoi » until the school syncs. On central the DSI finds it in
// the queue, filters it out of the others, takes it in hand with a
// comment; at the next sync the director sees the change. In French and
// in Arabic, on a desktop and a phone.
func TestRequestsStory(t *testing.T) {
	b := browser.Start(t, 4*time.Minute)
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				central := apptest.New(t, apptest.Options{Role: "central"})
				school := requestsSchool(t, central)
				sync := func() {
					t.Helper()
					if _, err := school.Sync.Client.SyncOnce(t.Context()); err != nil {
						t.Fatalf("sync: %v", err)
					}
				}
				sync() // the city's catalogues reach the school
				s := shots(t, vp)

				director := b.Tab(t, school.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directrice.moulin")
				director.Open("/accueil")
				if director.Doc().Find(`a[href="/demandes"]`).Length() == 0 {
					t.Errorf("no requests tile on the director's home page")
				}
				director.Open("/demandes/nouvelle?type=pharmacy")
				inLanguage(t, director, lang, "the filing form")
				if n := director.Doc().Find(`input[name^="qte-"]`).Length(); n < 2 {
					t.Fatalf("the form offers %d catalogue items", n)
				}
				director.Type(`input[name="titre"]`, "Réassort de l'infirmerie")
				browser.Eval[bool](director, `(() => { const q = document.querySelectorAll('input[name^="qte-"]'); q[0].value = "3"; q[1].value = "12"; return true })()`)
				s.maybe(director, "directeur", "demande-nouvelle-"+lang)
				director.Click(`form[action="/demandes"] button[type="submit"]`)
				if got := director.Doc().Find("article.request").AttrOr("data-status", ""); got != "queued" {
					t.Fatalf("the new request is %q, want queued; on %s", got, director.Path())
				}
				if lang == "fr" && !strings.Contains(text(director.Doc(), ".request-status"), "En attente d'envoi") {
					t.Errorf("the status reads %q", text(director.Doc(), ".request-status"))
				}
				inLanguage(t, director, lang, "the request")
				s.maybe(director, "directeur", "demande-en-attente-"+lang)
				requestPath := director.Path()

				sync()
				dsi := b.Tab(t, central.URL, vp)
				dsi.AcceptLanguage(lang)
				loginForm(t, dsi, "dsi")
				dsi.Open("/accueil")
				if dsi.Doc().Find(`a[href="/demandes"]`).Length() == 0 {
					t.Errorf("no requests tile on the DSI's home page")
				}
				dsi.Open("/demandes")
				inLanguage(t, dsi, lang, "the DSI's queue")
				if dsi.Doc().Find("tr[data-request]").Length() < 2 {
					t.Errorf("the queue does not hold the demo's requests beside the new one")
				}
				browser.Eval[bool](dsi, `(document.querySelector('select[name="type"]').value = "pharmacy", document.querySelector('select[name="ecole"]').value = "ecole-moulin", true)`)
				dsi.Click(`form.requests-filters button[type="submit"]`)
				rows := dsi.Doc().Find("tr[data-request]")
				if rows.Length() != 1 || !strings.Contains(rows.Text(), "Réassort de l'infirmerie") || rows.AttrOr("data-status", "") != "received" {
					t.Fatalf("the filtered queue: %d rows %q", rows.Length(), rows.Text())
				}
				s.maybe(dsi, "dsi", "demandes-file-"+lang)
				dsi.Click(`tr[data-request] td.name a`)
				browser.Eval[bool](dsi, `(document.querySelector('select[name="statut"]').value = "in_progress", true)`)
				dsi.Type(`form.request-change input[name="agent"]`, "Agent Martin")
				dsi.Type(`form.request-change textarea[name="texte"]`, "Commande passée, livraison jeudi.")
				dsi.Click(`form.request-change button[type="submit"]`)
				if got := dsi.Doc().Find("article.request").AttrOr("data-status", ""); got != "in_progress" {
					t.Fatalf("after the DSI's change the request is %q", got)
				}
				inLanguage(t, dsi, lang, "the DSI's request")
				s.maybe(dsi, "dsi", "demande-en-cours-"+lang)

				// The DSI adds to the pharmacy's catalogue.
				dsi.Open("/demandes/catalogues")
				inLanguage(t, dsi, lang, "the catalogues")
				dsi.Type(`section[data-catalogue="pharmacy"] input[name="nom"]`, "Thermomètre frontal")
				dsi.Type(`section[data-catalogue="pharmacy"] input[name="unite"]`, "pièce")
				dsi.Click(`section[data-catalogue="pharmacy"] form.stack button[type="submit"]`)
				if !strings.Contains(text(dsi.Doc(), `section[data-catalogue="pharmacy"] .catalogue-items`), "Thermomètre frontal") {
					t.Errorf("the new entry is not in the pharmacy's catalogue")
				}
				s.maybe(dsi, "dsi", "demandes-catalogues-"+lang)

				sync()
				// The school now offers the new entry; an intervention goes
				// with its photo.
				director.Open("/demandes/nouvelle?type=pharmacy")
				if !strings.Contains(text(director.Doc(), "fieldset.request-items"), "Thermomètre frontal") {
					t.Errorf("the school's form does not offer the DSI's new entry")
				}
				director.Open("/demandes/nouvelle?type=intervention")
				director.Type(`input[name="titre"]`, "Fuite au préau")
				director.Type(`input[name="salle"]`, "Préau")
				director.Type(`input[name="equipement"]`, "Toiture")
				director.Type(`textarea[name="description"]`, "Il pleut dedans quand il y a du vent.")
				director.SetFiles(`input[name="photos"]`, requestsPhoto(t))
				s.maybe(director, "directeur", "demande-intervention-"+lang)
				director.Click(`form[action="/demandes"] button[type="submit"]`)
				loaded := `(() => { const i = document.querySelector("img.request-photo"); return !!i && i.complete && i.naturalWidth > 0 })()`
				for end := time.Now().Add(5 * time.Second); !browser.Eval[bool](director, loaded); time.Sleep(100 * time.Millisecond) {
					if time.Now().After(end) {
						t.Errorf("the intervention's photo does not show")
						break
					}
				}
				s.maybe(director, "directeur", "demande-intervention-envoyee-"+lang)

				director.Open(requestPath)
				doc := director.Doc()
				if got := doc.Find("article.request").AttrOr("data-status", ""); got != "in_progress" {
					t.Errorf("at school after sync the request is %q", got)
				}
				if !strings.Contains(text(doc, ".request-events"), "Commande passée, livraison jeudi.") {
					t.Errorf("the DSI's comment is not at school: %q", text(doc, ".request-events"))
				}
				s.maybe(director, "directeur", "demande-suivie-"+lang)
				director.Open("/demandes")
				s.maybe(director, "directeur", "demandes-"+lang)
			})
		}
	}
}

// requestsSchool is a school enrolled with central, with its director.
func requestsSchool(t *testing.T, central *apptest.App) *apptest.App {
	t.Helper()
	ctx := t.Context()
	token, err := central.Sync.Central.AddSchool(ctx, "ecole-moulin", "École du Moulin")
	if err != nil {
		t.Fatal(err)
	}
	s := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": "ecole-moulin", "school.name": "École du Moulin"}})
	if _, err := s.Sync.Client.Enroll(ctx, central.URL, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Auth.CreateUser(ctx, auth.NewUser{Login: "directrice.moulin", FirstName: "Claire", LastName: "Moulin",
		Profile: auth.Director, SchoolID: "ecole-moulin", Password: feature.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	return s
}

// requestsPhoto writes a small PNG to send as an intervention's photo.
func requestsPhoto(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 80))
	for y := 0; y < 80; y++ {
		for x := 0; x < 120; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 2), 120, uint8(y * 3), 255})
		}
	}
	path := filepath.Join(t.TempDir(), "fuite.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}
