package update_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/store"
	"preau/appliance/update"
)

// Central keeps only what the DSI publishes, and only a well-formed
// bundle: anything else is refused with its reason, and nothing is kept —
// no release, no file. Pinning the root key too, central refuses what
// the schools would.
func TestPublishRefusesBadInput(t *testing.T) {
	keys := t.TempDir()
	root, err := update.Keygen(keys, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sign := func(version string, expires time.Duration) []byte {
		b, err := update.Sign(keys, update.Release{Version: version, Files: map[string][]byte{update.BinaryTarget("linux", "amd64"): []byte("preau " + version)},
			Expires: expires}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := sign("1.4.0", time.Hour)
	central := apptest.New(t, apptest.Options{Role: "central", Config: map[string]string{"update.root_key": root}})
	dsi := central.ClientAs("dsi")
	files := func() int {
		blobs, _ := filepath.Glob(filepath.Join(central.Config.DataDir, store.BlobsDir, "??", "*"))
		return len(blobs)
	}
	before := files()
	publish := func(c *http.Client, query string, body []byte) (int, string) {
		resp, text := central.Do(c, "POST", "/api/v1/updates"+query, "application/octet-stream", string(body))
		return resp.StatusCode, text
	}
	for _, c := range []struct {
		name, query string
		body        []byte
		status      int
		want        string
	}{
		{"not a bundle", "", []byte("GIF89a"), 400, "tronqué"},
		{"truncated", "", good[:len(good)/2], 400, "tronqué"},
		{"empty", "", nil, 400, "manque"},
		{"tampered", "", update.RewriteForTest(good, func(name string, b []byte) []byte {
			if strings.HasPrefix(name, "targets/") {
				b[0] ^= 1
			}
			return b
		}), 400, "altéré"},
		{"unsigned", "", update.UnsignForTest(good), 400, "signature invalide"},
		{"expired", "", sign("1.4.0", time.Millisecond), 400, "périmé"},
		{"an unknown school in the wave", "?schools=demo,ecole-inconnue", good, 400, "ecole-inconnue"},
	} {
		if c.name == "expired" {
			time.Sleep(1100 * time.Millisecond) // expiry is kept to the second
		}
		status, body := publish(dsi, c.query, c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d saying %q", c.name, status, body, c.status, c.want)
		}
	}
	if status, _ := publish(central.ClientAs("directeur"), "", good); status != http.StatusForbidden {
		t.Errorf("a director publishes: %d", status)
	}
	var n int
	central.DB.Reader().QueryRow("SELECT count(*) FROM update_releases").Scan(&n)
	if n != 0 || files() != before {
		t.Fatalf("refused publications kept %d releases and %d files", n, files()-before)
	}

	// A good one, to a first wave, then to every school.
	status, body := publish(dsi, "?schools=demo", good)
	var rel struct {
		ID      string   `json:"id"`
		Version string   `json:"version"`
		Schools []string `json:"schools"`
		Wave    []string `json:"wave"`
	}
	json.Unmarshal([]byte(body), &rel)
	if status != http.StatusCreated || rel.Version != "1.4.0" || len(rel.Schools) != 1 || rel.Schools[0] != "demo" {
		t.Fatalf("publish: %d %s", status, body)
	}
	resp, body := central.Do(dsi, "POST", "/api/v1/updates/"+rel.ID+"/extend", "", "")
	json.Unmarshal([]byte(body), &rel)
	if resp.StatusCode != http.StatusOK || len(rel.Schools) != 0 || len(rel.Wave) != 1 {
		t.Fatalf("extend: %d %s", resp.StatusCode, body)
	}
	if resp, _ := central.Do(dsi, "POST", "/api/v1/updates/"+store.NewID()+"/extend", "", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("extend an unknown release: %d", resp.StatusCode)
	}
}
