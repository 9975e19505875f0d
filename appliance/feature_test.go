package appliance_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/web"
)

// notes is a feature of this file alone: a class's notes, which teachers
// write and pupils read. Registered through the contract, it must get
// everything a feature gets with no other file touched: its table migrated
// and replicated, its routes under the authorization matrix, its tiles on
// the right home pages, its part of the demo school.
var notes = feature.Feature{
	Name: "notes",
	Schema: store.Schema{
		Name: "notes",
		FS: fstest.MapFS{"0001_notes.sql": {Data: []byte(`CREATE TABLE test_notes (
			id TEXT PRIMARY KEY, scope TEXT NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL,
			deleted INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL);`)}},
		Replicated: []string{"test_notes"},
		PushChecks: map[string]store.PushCheck{"test_notes": func(context.Context, store.Pushed) error { return nil }},
		Labels:     map[string]store.Label{"test_notes": {Row: "Note", Columns: []store.ColumnLabel{{Column: "body", Label: "Texte"}}}},
	},
	Routes: func(env *feature.Env) {
		env.Handle("GET /notes", web.Only(auth.Pupil, auth.Teacher), func(w http.ResponseWriter, r *http.Request) {
			web.JSON(w, http.StatusOK, map[string]string{"notes": "ok"})
		})
		env.Handle("POST /api/v1/notes", web.Only(auth.Teacher), func(w http.ResponseWriter, r *http.Request) {
			web.JSON(w, http.StatusCreated, map[string]string{"id": "1"})
		})
	},
	Tiles: func(env *feature.Env) []web.Tile {
		return []web.Tile{
			{Profile: auth.Teacher, Label: "Notes", Href: "/notes", Icon: "agenda", Order: 1, Hint: "les notes de vos classes",
				Badge: func(r *http.Request) (string, error) { return "2 notes à relire", nil }},
			{Profile: auth.Pupil, Label: "Mes notes", Href: "/notes", Icon: "agenda", Picture: "pictures/etoile", Order: 5},
		}
	},
	Demo: feature.Demo{Seed: func(ctx context.Context, env *feature.Env, school feature.DemoSchool) error {
		return env.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO test_notes(id, scope, hlc, origin, body) VALUES (?, ?, ?, ?, ?)",
				store.NewID(), school.ID, tx.HLC, tx.Origin, "Bienvenue à "+school.Name)
			return err
		})
	}},
}

// notesRows are the test feature's rows of the authorization matrix.
var notesRows = []authzCase{
	{Route: "GET /notes", Path: "/notes", Expect: page(auth.Pupil, auth.Teacher)},
	{Route: "POST /api/v1/notes", Path: "/api/v1/notes", Body: `{}`, Expect: api(http.StatusCreated, auth.Teacher)},
}

func TestAFeatureIsItsFolderAndOneLine(t *testing.T) {
	a := apptest.New(t, apptest.Options{Features: []feature.Feature{notes}})
	ctx := context.Background()

	// Its table is migrated, under its own component, and replicated: a
	// write enters the change log.
	var migrated int
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE component = 'notes' AND version = 1").
		Scan(&migrated); err != nil || migrated != 1 {
		t.Fatalf("migration of notes: %d %v", migrated, err)
	}
	if !a.DB.IsReplicated("test_notes") || a.DB.Label("test_notes").Row != "Note" {
		t.Errorf("test_notes is not replicated with its labels: %v %+v", a.DB.IsReplicated("test_notes"), a.DB.Label("test_notes"))
	}

	// Its demo data: the demo school's note, written once and marked.
	var body string
	var logged, marked int
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT body FROM test_notes WHERE scope = ?", a.Config.SchoolID).Scan(&body); err != nil ||
		!strings.Contains(body, a.Config.SchoolName) {
		t.Errorf("demo note: %q %v", body, err)
	}
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM changes WHERE tbl = 'test_notes'").Scan(&logged); err != nil || logged != 1 {
		t.Errorf("the demo note is not in the change log: %d %v", logged, err)
	}
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM demo_seeds WHERE school_id = ? AND feature = 'notes'",
		a.Config.SchoolID).Scan(&marked); err != nil || marked != 1 {
		t.Errorf("the demo's part of notes is not marked: %d %v", marked, err)
	}

	// Its tiles, on the home pages of the profiles it names only, in their
	// order, a pupil's large with its picture.
	home := func(login string) *goquery.Document {
		t.Helper()
		resp, html := a.Get(a.ClientAs(login), "/accueil")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s's home page: %d", login, resp.StatusCode)
		}
		d, err := goquery.NewDocumentFromReader(strings.NewReader(html))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	teacher := home("enseignant")
	if first := teacher.Find(".tiles a.tile").First(); first.AttrOr("href", "") != "/notes" || first.Find(".badge").Text() != "2 notes à relire" {
		t.Errorf("the teacher's first tile: %q with badge %q", first.AttrOr("href", ""), first.Find(".badge").Text())
	}
	if img := home("eleve").Find(`.kid-tiles a.kid-tile[href="/notes"] img`); img.AttrOr("src", "") != "/assets/pictures/etoile.svg" {
		t.Errorf("the pupil's tile shows %q first", img.AttrOr("src", ""))
	}
	for _, login := range []string{"parent", "directeur"} {
		if home(login).Find(`a[href="/notes"]`).Length() > 0 {
			t.Errorf("%s's home page leads to notes", login)
		}
	}

	// Its routes fall under the authorization matrix: without rows for
	// them it fails, with them every profile gets what the rows say.
	templates := matrixTemplates(t, notes)
	missing := missingRows(t, templates, matrix)
	for _, r := range []string{"GET /notes", "POST /api/v1/notes"} {
		if !strings.Contains(strings.Join(missing, "\n"), r) {
			t.Errorf("the matrix does not miss the row of %s: %v", r, missing)
		}
	}
	if missing := missingRows(t, templates, append(append([]authzCase(nil), matrix...), notesRows...)); len(missing) > 0 {
		t.Errorf("with its rows, the matrix still misses %v", missing)
	}
	runMatrix(t, templates, notesRows)
}
