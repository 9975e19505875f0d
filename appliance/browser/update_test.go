package browser_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/browser"
	"preau/appliance/store"
	"preau/appliance/update"
)

// Signed updates, as the DSI follows them on central: a release signed
// off the servers is published to a first wave (the École du Moulin);
// the school's report of a refusal arrives with the next sync, and the
// page says why in the DSI's language; the DSI then extends the release
// to every school. In French and in Arabic, on a desktop and a phone.
func TestUpdateStory(t *testing.T) {
	b := browser.Start(t, 4*time.Minute)
	keys := t.TempDir()
	if _, err := update.Keygen(keys, time.Now()); err != nil {
		t.Fatal(err)
	}
	bundle, err := update.Sign(keys, update.Release{Version: "1.4.0", Files: map[string][]byte{update.BinaryTarget("linux", "amd64"): []byte("preau 1.4.0")},
		Expires: time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				central := apptest.New(t, apptest.Options{Role: "central"})
				school := requestsSchool(t, central)
				resp, body := central.Do(central.ClientAs("dsi"), "POST", "/api/v1/updates?schools=ecole-moulin", "application/octet-stream", string(bundle))
				if resp.StatusCode != http.StatusCreated {
					t.Fatalf("publish: %d %s", resp.StatusCode, body)
				}
				// The school's update check refused it (its key is not the
				// DSI's): what it writes, sync brings to central.
				schoolReport(t, school, "update.err.signature", `{"Role":"root"}`)
				if _, err := school.Sync.Client.SyncOnce(t.Context()); err != nil {
					t.Fatalf("sync: %v", err)
				}
				s := shots(t, vp)
				dsi := b.Tab(t, central.URL, vp)
				dsi.AcceptLanguage(lang)
				loginForm(t, dsi, "dsi")
				dsi.Open("/accueil")
				if dsi.Doc().Find(`a[href="/mises-a-jour"]`).Length() == 0 {
					t.Fatal("no updates tile on the DSI's home page")
				}
				dsi.Click(`a[href="/mises-a-jour"]`)
				inLanguage(t, dsi, lang, "the updates page")
				row := dsi.Doc().Find(`tr[data-school="ecole-moulin"]`)
				if row.AttrOr("data-state", "") != "refused" {
					t.Fatalf("the school's row: %q", row.AttrOr("data-state", ""))
				}
				reason := strings.TrimSpace(row.Find("td.reason").Text())
				want := map[string]string{"fr": "signature invalide", "ar": "توقيع غير صالح"}[lang]
				if !strings.Contains(reason, want) {
					t.Errorf("the reason reads %q, want it to say %q", reason, want)
				}
				if dsi.Doc().Find(`tr[data-version="1.4.0"] form[action$="/etendre"]`).Length() != 1 {
					t.Fatal("no way to extend the release to every school")
				}
				s.maybe(dsi, "dsi", "mises-a-jour-"+lang)
				dsi.Click(`tr[data-version="1.4.0"] form[action$="/etendre"] button`)
				if dsi.Path() != "/mises-a-jour" || dsi.Doc().Find(`tr[data-version="1.4.0"] form[action$="/etendre"]`).Length() != 0 {
					t.Fatalf("after extending: on %s, the button still there", dsi.Path())
				}
				inLanguage(t, dsi, lang, "the updates page, extended")
				s.maybe(dsi, "dsi", "mises-a-jour-etendue-"+lang)
			})
		}
	}
}

// schoolReport writes the school's report of the release it holds, as its
// update check does.
func schoolReport(t *testing.T, school *apptest.App, reason, args string) {
	t.Helper()
	ctx := t.Context()
	var id string
	deadline := time.Now().Add(30 * time.Second)
	for id == "" && time.Now().Before(deadline) {
		if _, err := school.Sync.Client.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
		school.DB.Reader().QueryRowContext(ctx, "SELECT id FROM update_releases WHERE deleted = 0").Scan(&id)
	}
	if id == "" {
		t.Fatal("the release did not reach the school")
	}
	if err := school.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO update_reports(id, scope, hlc, origin, school_id, running, release_id, release_version, state,
			reason, reason_args, updated_at) VALUES ('ecole-moulin', 'ecole-moulin', ?, ?, 'ecole-moulin', '1.3.0', ?, '1.4.0', 'refused', ?, ?, ?)`,
			tx.HLC, tx.Origin, id, reason, args, time.Now().UTC().Format(time.RFC3339Nano))
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
