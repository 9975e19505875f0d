package browser_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/browser"
	"preau/appliance/feature"
	"preau/appliance/update"
)

// The city's signed library: the DSI signs every file of the demo
// city's library but one and publishes the signature; the École du
// Moulin, which pins the DSI's root key, caches the signed files and
// refuses the other; the DSI reads the refusal on « Mises à jour ». The
// school's director finds, in the cache's page, the bundle of an update
// named by its version, the refused file marked so in the cache and in
// the library, and it is not opened. In French
// and in Arabic, on a desktop and a phone.
func TestSignedLibraryStory(t *testing.T) {
	b := browser.Start(t, 4*time.Minute)
	keys := t.TempDir()
	root, err := update.Keygen(keys, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	release, err := update.Sign(keys, update.Release{Version: "1.4.0", Files: map[string][]byte{update.BinaryTarget("freebsd", "riscv64"): []byte("preau 1.4.0")},
		Expires: time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "ar"} {
		for _, vp := range []browser.Viewport{browser.Desktop, browser.Phone} {
			t.Run(lang+"/"+vp.Name, func(t *testing.T) {
				variant(t, lang, vp)
				ctx := t.Context()
				central := apptest.New(t, apptest.Options{Role: "central"})
				school := signingSchool(t, central, root)
				dsiAPI := central.ClientAs("dsi")

				// The DSI's copy of the library, all but one file signed.
				var docs []struct{ ID, Name, SHA256 string }
				resp, body := central.Get(dsiAPI, "/api/v1/library")
				if err := json.Unmarshal([]byte(body), &docs); err != nil || resp.StatusCode != 200 || len(docs) < 2 {
					t.Fatalf("the demo city's library: %d %v %s", resp.StatusCode, err, body)
				}
				copyDir := t.TempDir()
				unsigned := docs[0]
				var paths []string
				for _, d := range docs[1:] {
					f, err := central.DB.Blobs().Open(d.SHA256)
					if err != nil {
						t.Fatal(err)
					}
					data, _ := io.ReadAll(f)
					f.Close()
					p := filepath.Join(copyDir, d.SHA256[:8]+"-"+filepath.Base(d.Name))
					os.WriteFile(p, data, 0o644)
					paths = append(paths, p)
				}
				files := map[string]string{}
				for _, p := range paths {
					files[filepath.Base(p)] = p
				}
				sig, err := update.SignLibrary(keys, files, 24*time.Hour, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				if resp, body := central.Do(dsiAPI, "POST", "/api/v1/updates/library", "application/octet-stream", string(sig)); resp.StatusCode != http.StatusCreated {
					t.Fatalf("publish the signature: %d %s", resp.StatusCode, body)
				}
				if resp, body := central.Do(dsiAPI, "POST", "/api/v1/updates?schools=ecole-moulin", "application/octet-stream", string(release)); resp.StatusCode != http.StatusCreated {
					t.Fatalf("publish the release: %d %s", resp.StatusCode, body)
				}

				// The school syncs, fetches the release's bundle as its
				// update check does, fills its cache, and reports.
				client := school.Sync.Client
				for range 3 {
					if _, err := client.SyncOnce(ctx); err != nil {
						t.Fatal(err)
					}
				}
				// The signature's bundle follows its row.
				if err := client.TransferBlobs(ctx); err != nil {
					t.Fatal(err)
				}
				var bundle string
				school.DB.Reader().QueryRowContext(ctx, "SELECT bundle FROM update_releases WHERE deleted = 0").Scan(&bundle)
				if err := client.Fetch(ctx, bundle); err != nil {
					t.Fatalf("fetch the release's bundle: %v", err)
				}
				if err := client.Prefetch(ctx); err != nil {
					t.Fatalf("prefetch: %v", err)
				}
				if school.DB.Blobs().Has(unsigned.SHA256) {
					t.Fatal("the unsigned file was cached")
				}
				if _, err := client.SyncOnce(ctx); err != nil {
					t.Fatal(err)
				}

				s := shots(t, vp)
				dsi := b.Tab(t, central.URL, vp)
				dsi.AcceptLanguage(lang)
				loginForm(t, dsi, "dsi")
				dsi.Open("/mises-a-jour")
				inLanguage(t, dsi, lang, "the updates page")
				row := dsi.Doc().Find(`tr[data-school="ecole-moulin"][data-library="refused"]`)
				if row.Length() != 1 || !strings.Contains(row.Find("td.refused-files").Text(), filepath.Base(unsigned.Name)) {
					t.Fatalf("the school's library row: %q", row.Text())
				}
				want := map[string]string{"fr": "absent de la liste signée", "ar": "غير موجود في القائمة"}[lang]
				if got := row.Find("td.reason").Text(); !strings.Contains(got, want) {
					t.Errorf("the refusal reads %q, want %q", got, want)
				}
				if dsi.Doc().Find(`.library-signature[data-version]`).Length() != 1 {
					t.Error("the last signature is not shown")
				}
				s.maybe(dsi, "dsi", "bibliotheque-signee-"+lang)

				director := b.Tab(t, school.URL, vp)
				director.AcceptLanguage(lang)
				loginForm(t, director, "directrice.moulin")
				director.Open("/documents/ville/cache")
				inLanguage(t, director, lang, "the director's cache")
				named := false
				director.Doc().Find("#cache tbody tr").Each(func(_ int, r *goquery.Selection) {
					named = named || (strings.Contains(r.Text(), "1.4.0") && r.Find(".kind").Length() == 1)
				})
				if !named {
					t.Errorf("the update's bundle is not named in the cache: %q", text(director.Doc(), "#cache"))
				}
				// The refused file says so, in the cache and in the library,
				// rather than that it comes back with the connection.
				refusedWord := map[string]string{"fr": "Refusé", "ar": "مرفوض"}[lang]
				if r := director.Doc().Find(`#cache tr[data-refused="true"]`); r.Length() != 1 || !strings.Contains(r.Text(), filepath.Base(unsigned.Name)) ||
					!strings.Contains(r.Text(), refusedWord) {
					t.Errorf("the cache's refused row: %q", r.Text())
				}
				director.Open("/documents/ville")
				item := director.Doc().Find(`a[href="/documents/ville/` + unsigned.ID + `/fichier"]`).Closest("li, tr, article")
				if item.Find(".refused").Length() != 1 || item.Find(".away").Length() != 0 || !strings.Contains(item.Text(), refusedWord) {
					t.Errorf("the library shows the unsigned file as %q", item.Text())
				}
				if n := director.Doc().Find(".refused").Length(); n != 1 {
					t.Errorf("%d files marked refused in the library, want 1", n)
				}
				s.maybe(director, "directeur", "bibliotheque-ville-refus-"+lang)
				director.Open("/documents/ville/cache")
				s.maybe(director, "directeur", "bibliotheque-cache-signee-"+lang)
				if status := director.Open("/documents/ville/" + unsigned.ID + "/fichier"); status != http.StatusForbidden {
					t.Errorf("the unsigned file: %d, want 403", status)
				}
				inLanguage(t, director, lang, "the refused file")
				s.maybe(director, "directeur", "bibliotheque-refus-"+lang)
			})
		}
	}
}

// signingSchool is the École du Moulin, enrolled with central, pinning
// the DSI's root key, with its director.
func signingSchool(t *testing.T, central *apptest.App, root string) *apptest.App {
	t.Helper()
	ctx := t.Context()
	token, err := central.Sync.Central.AddSchool(ctx, "ecole-moulin", "École du Moulin")
	if err != nil {
		t.Fatal(err)
	}
	s := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": "ecole-moulin", "school.name": "École du Moulin",
		"update.root_key": root}})
	if _, err := s.Sync.Client.Enroll(ctx, central.URL, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Auth.CreateUser(ctx, auth.NewUser{Login: "directrice.moulin", FirstName: "Claire", LastName: "Moulin",
		Profile: auth.Director, SchoolID: "ecole-moulin", Password: feature.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	return s
}
