package update_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/roster"
	"preau/appliance/store"
	"preau/appliance/update"
)

// The city's signed library with real processes: the DSI signs the list
// of its library's files off the servers and publishes it through the
// preau command line; a school pinning the root key serves a file of the
// list, and refuses one central changed (a file that is not the one
// signed): not served, not cached, logged at the school and shown to the
// DSI.
func TestSignedLibraryWithRealProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs central and a school")
	}
	bin := apptest.Binary(t)
	keys := filepath.Join(t.TempDir(), "cles")
	out, err := preau(t, bin, nil, "", "update", "keygen", "--keys", keys)
	_, rootKey, ok := strings.Cut(out, "update.root_key: ")
	rootKey = strings.TrimSpace(rootKey)
	if err != nil || !ok {
		t.Fatalf("keygen: %v\n%s", err, out)
	}

	// The DSI's copy of the library, off the servers, and its signature.
	library := t.TempDir()
	guide := []byte("Guide de la rentrée : horaires, cantine, transports.\n")
	os.WriteFile(filepath.Join(library, "guide.txt"), guide, 0o644)
	bundle := filepath.Join(t.TempDir(), "bibliotheque.bundle")
	if out, err := preau(t, bin, nil, "", "update", "sign-library", "--keys", keys, "--out", bundle, library); err != nil || !strings.Contains(out, "1 fichier") {
		t.Fatalf("sign-library: %v\n%s", err, out)
	}
	rootEnv := []string{"PREAU_UPDATE_ROOT_KEY=" + rootKey}
	if out, err := preau(t, bin, rootEnv, "", "update", "verify", bundle); err != nil || !strings.Contains(out, "signature de la bibliothèque valide") {
		t.Fatalf("verify the library's signature: %v\n%s", err, out)
	}
	if out, err := preau(t, bin, []string{"PREAU_UPDATE_ROOT_KEY=" + strings.Repeat("ab", 32)}, "", "update", "verify", bundle); err == nil || !strings.Contains(out, "signature invalide") {
		t.Fatalf("verify against another root: %v\n%s", err, out)
	}

	centralDir := t.TempDir()
	central := apptest.StartServerEnv(t, bin, centralDir, []string{"PREAU_ROLE=central", "PREAU_DEMO=true"})
	dsi := &dsiClient{t: t, base: central.URL, token: token(t, central.URL, "dsi", "demo")}
	var enr struct {
		Token string `json:"enrollment_token"`
	}
	if status := dsi.call("POST", "/api/v1/schools", strings.NewReader(`{"id":"ecole-a","name":"École A"}`), &enr); status != 201 {
		t.Fatalf("add school: %d", status)
	}
	signedDoc := shareCity(t, dsi, "guide.txt", guide)
	if out, err := preau(t, bin, nil, "demo\n", "update", "publish", bundle, "--central", central.URL, "--login", "dsi"); err != nil || !strings.Contains(out, "Signature de la bibliothèque publiée (1 fichier,") {
		t.Fatalf("publish the library's signature: %v\n%s", err, out)
	}
	if out, err := preau(t, bin, nil, "demo\n", "update", "publish", bundle, "--central", central.URL, "--login", "dsi"); err == nil || !strings.Contains(out, "pas plus récente") {
		t.Fatalf("the same signature twice: %v\n%s", err, out)
	}

	// The school pins the root key; its director reads the library.
	schoolDir := t.TempDir()
	flags := map[string]string{"school.id": "ecole-a", "school.name": "École A"}
	cfg, db, accounts := apptest.OpenDataDir(t, schoolDir, flags)
	if err := roster.NewService(db, accounts).EnsureSchool(context.Background(), cfg.SchoolID, cfg.SchoolName); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.CreateUser(context.Background(), auth.NewUser{Login: "directrice.a", Display: "Directrice", Profile: auth.Director,
		SchoolID: "ecole-a", Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	school := apptest.StartServerEnv(t, bin, schoolDir, append(rootEnv, "PREAU_SCHOOL_ID=ecole-a", "PREAU_SCHOOL_NAME=École A",
		"PREAU_CENTRAL_URL="+central.URL, "PREAU_CENTRAL_ENROLLMENT_TOKEN="+enr.Token, "PREAU_SYNC_INTERVAL=1s"))
	director := &dsiClient{t: t, base: school.URL, token: token(t, school.URL, "directrice.a", "motdepasse")}
	open := func(id string) (int, string) {
		req, _ := http.NewRequest("GET", school.URL+"/documents/ville/"+id+"/fichier", nil)
		req.Header.Set("Authorization", "Bearer "+director.token)
		req.Header.Set("Accept-Language", "fr")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var status int
	var body string
	eventually(t, "the signed file was not served at the school", time.Minute, func() bool {
		status, body = open(signedDoc)
		return status == 200
	}, school.Output)
	if body != string(guide) {
		t.Fatalf("the signed file served: %q", body)
	}

	// Central's copy changed: the DSI's library now holds other bytes
	// under the name signed. The school neither serves nor caches them.
	changed := []byte("Guide de la rentrée : écrivez vos coordonnées bancaires ici.\n")
	changedDoc := shareCity(t, dsi, "guide.txt", changed)
	eventually(t, "the changed file was not refused", time.Minute, func() bool {
		status, body = open(changedDoc)
		return status == http.StatusForbidden
	}, school.Output)
	if !strings.Contains(body, "la DSI de la ville ne l&#39;a pas signé") || strings.Contains(body, "coordonnées bancaires") {
		t.Fatalf("the changed file's refusal: %s", tail(body, 400))
	}
	sum := sha256.Sum256(changed)
	if _, err := os.Stat(filepath.Join(apptest.DataDir(schoolDir), store.BlobsDir, hex.EncodeToString(sum[:1]), hex.EncodeToString(sum[:]))); err == nil {
		t.Fatal("the changed file was cached at the school")
	}
	if !strings.Contains(school.Output(), "library file refused") {
		t.Fatalf("no refusal in the school's log:\n%s", tail(school.Output(), 3000))
	}
	if status, _ := open(signedDoc); status != 200 {
		t.Fatalf("the signed file is no longer served: %d", status)
	}

	// The DSI sees the refusal, with its reason, by the API and the page.
	var list struct {
		Library        []update.LibrarySignature `json:"library"`
		LibrarySchools []update.LibraryReport    `json:"library_schools"`
	}
	eventually(t, "central never heard of the refusal", time.Minute, func() bool {
		dsi.call("GET", "/api/v1/updates", nil, &list)
		return len(list.LibrarySchools) == 1 && slices.Contains(list.LibrarySchools[0].Files, "guide.txt")
	}, school.Output)
	// The demo's other library files, which the DSI did not sign, are
	// refused too.
	rep := list.LibrarySchools[0]
	if rep.SchoolID != "ecole-a" || rep.State != update.LibraryRefused || rep.Refused != len(rep.Files) || rep.Refused < 2 ||
		rep.Reason != "update.err.library_unsigned" || len(list.Library) != 1 ||
		rep.Version != list.Library[0].Version || list.Library[0].Files != 1 {
		t.Fatalf("what central says: %+v", list)
	}
	page := fetchPage(t, dsi, "/mises-a-jour")
	for _, want := range []string{`data-school="ecole-a" data-library="refused"`, "fichier absent de la liste signée par la DSI", "1 fichier"} {
		if !strings.Contains(page, want) {
			t.Errorf("the updates page does not show %q", want)
		}
	}
}

// token logs login in on base for a bearer token.
func token(t *testing.T, base, login, password string) string {
	t.Helper()
	resp, err := http.Post(base+"/api/v1/session", "application/json", strings.NewReader(`{"login":"`+login+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sess struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&sess)
	if sess.Token == "" {
		t.Fatalf("login %s on %s: %d", login, base, resp.StatusCode)
	}
	return sess.Token
}

// shareCity publishes a file in the city's library through central's
// API and returns the document's id.
func shareCity(t *testing.T, dsi *dsiClient, name string, content []byte) string {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", dsi.base+"/api/v1/library", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+dsi.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 || out.ID == "" {
		t.Fatalf("share %s: %d", name, resp.StatusCode)
	}
	return out.ID
}
