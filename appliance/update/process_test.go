package update_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/update"
)

// The update flow with real processes: central, and a school run the way
// a service manager runs it (restarted whenever it exits, as systemd's
// Restart=always does). The DSI's keys, signatures and publications go
// through the preau command line.

func TestMain(m *testing.M) {
	code := m.Run()
	apptest.CleanupBinary()
	os.Exit(code)
}

// build builds preau at version into dir.
func build(t *testing.T, dir, version string) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "preau-"+version)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X preau/appliance.Version="+version, "-o", bin, ".")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(out)))
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", version, err, out)
	}
	return bin
}

// preau runs a command of the binary, with env, and returns its output and
// whether it succeeded.
func preau(t *testing.T, bin string, env []string, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PREAU_") {
			env = append(env, kv)
		}
	}
	return append(env, "PREAU_I18N_DEFAULT_LANGUAGE=fr", "LANG=fr_FR.UTF-8")
}

// supervisor runs a school's server as a service manager would: started
// again shortly after it exits, until the test ends.
type supervisor struct {
	mu      sync.Mutex
	out     bytes.Buffer
	cmd     *exec.Cmd
	stopped bool
	starts  int
	done    chan struct{}
}

func supervise(t *testing.T, exe string, args, env []string) *supervisor {
	s := &supervisor{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			s.mu.Lock()
			if s.stopped {
				s.mu.Unlock()
				return
			}
			cmd := exec.Command(exe, args...)
			cmd.Env = append(cleanEnv(), env...)
			cmd.Stdout, cmd.Stderr = s, s
			s.cmd = cmd
			s.starts++
			err := cmd.Start()
			s.mu.Unlock()
			if err == nil {
				cmd.Wait()
			}
			time.Sleep(300 * time.Millisecond)
		}
	}()
	t.Cleanup(func() {
		s.mu.Lock()
		s.stopped = true
		if s.cmd != nil && s.cmd.Process != nil {
			s.cmd.Process.Signal(os.Interrupt)
		}
		s.mu.Unlock()
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			s.mu.Lock()
			s.cmd.Process.Kill()
			s.mu.Unlock()
		}
	})
	return s
}

func (s *supervisor) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

func (s *supervisor) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// dsiClient is the DSI's API client on central.
type dsiClient struct {
	t     *testing.T
	base  string
	token string
}

func (c *dsiClient) call(method, path string, body io.Reader, out any) int {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, body)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type schoolState struct {
	SchoolID       string            `json:"school_id"`
	Version        string            `json:"version"`
	ReleaseID      string            `json:"release_id"`
	ReleaseVersion string            `json:"release_version"`
	State          string            `json:"state"`
	Reason         string            `json:"reason"`
	ReasonArgs     map[string]string `json:"reason_args"`
	Reported       bool              `json:"reported"`
}

// school is what central says of a school's updates.
func (c *dsiClient) school(id string) schoolState {
	var out struct {
		Schools []schoolState `json:"schools"`
	}
	c.call("GET", "/api/v1/updates", nil, &out)
	for _, s := range out.Schools {
		if s.SchoolID == id {
			return s
		}
	}
	return schoolState{}
}

func eventually(t *testing.T, what string, timeout time.Duration, ok func() bool, logs func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s\nschool's log:\n%s", timeout, what, tail(logs(), 6000))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func sum(t *testing.T, name string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// rewriteBundle changes a signed bundle's files, keeping the tar readable.
func rewriteBundle(t *testing.T, name string, f func(file string, body []byte) []byte) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	out := name + ".changed"
	if err := os.WriteFile(out, update.RewriteForTest(data, f), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUpdateFlowWithRealProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds preau twice and runs central and a school")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the school's binary is swapped and a shell script stands for a broken one")
	}
	bins := t.TempDir()
	v1, v2 := build(t, bins, "1.0.0"), build(t, bins, "1.1.0")
	broken := filepath.Join(bins, "broken")
	os.WriteFile(broken, []byte("#!/bin/sh\necho 'la nouvelle version ne démarre pas' >&2\nexit 3\n"), 0o755)
	platform := runtime.GOOS + "/" + runtime.GOARCH

	// The DSI's keys, off the servers.
	keys := filepath.Join(t.TempDir(), "cles")
	out, err := preau(t, v1, nil, "", "update", "keygen", "--keys", keys)
	if err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	_, rootKey, ok := strings.Cut(out, "update.root_key: ")
	rootKey = strings.TrimSpace(rootKey)
	if !ok || len(rootKey) != 64 {
		t.Fatalf("keygen printed no root key:\n%s", out)
	}
	signed := func(version, binary, expires string) string {
		t.Helper()
		file := filepath.Join(t.TempDir(), "preau-"+version+".bundle")
		if out, err := preau(t, v1, nil, "", "update", "sign", "--keys", keys, "--version", version, "--binary", binary,
			"--platform", platform, "--expires", expires, "--out", file); err != nil {
			t.Fatalf("sign %s: %v\n%s", version, err, out)
		}
		return file
	}
	good := signed("1.1.0", v2, "24h")

	// preau update verify: the contract, against the configured root.
	rootEnv := []string{"PREAU_UPDATE_ROOT_KEY=" + rootKey}
	if out, err := preau(t, v1, rootEnv, "", "update", "verify", good); err != nil || !strings.Contains(out, "1.1.0") {
		t.Fatalf("verify a good bundle: %v\n%s", err, out)
	}
	tampered := rewriteBundle(t, good, func(file string, body []byte) []byte {
		if strings.HasPrefix(file, "targets/") {
			body[len(body)/2] ^= 0xff
		}
		return body
	})
	if out, err := preau(t, v1, rootEnv, "", "update", "verify", tampered); err == nil || !strings.Contains(out, "altéré") {
		t.Fatalf("verify a tampered bundle: %v\n%s", err, out)
	}
	if out, err := preau(t, v2, rootEnv, "", "update", "verify", good); err == nil || !strings.Contains(out, "pas plus récente") {
		t.Fatalf("verify a bundle of the version that runs: %v\n%s", err, out)
	}

	// Central, and the school's first publication target: a school of
	// the wave (ecole-b) and the school under test (ecole-a).
	centralDir := t.TempDir()
	centralAddr := apptest.FreeAddr(t)
	central := apptest.StartServerEnv(t, v1, centralDir, []string{"PREAU_ROLE=central", "PREAU_DEMO=true", "PREAU_HTTP_ADDR=" + centralAddr})
	login, err := http.Post(central.URL+"/api/v1/session", "application/json", strings.NewReader(`{"login":"dsi","password":"demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	var sess struct{ Token string }
	json.NewDecoder(login.Body).Decode(&sess)
	login.Body.Close()
	dsi := &dsiClient{t: t, base: central.URL, token: sess.Token}
	var enr struct {
		Token string `json:"enrollment_token"`
	}
	for _, id := range []string{"ecole-b", "ecole-a"} {
		if status := dsi.call("POST", "/api/v1/schools", strings.NewReader(`{"id":"`+id+`","name":"École `+id+`"}`), &enr); status != 201 {
			t.Fatalf("add school %s: %d", id, status)
		}
	}

	// The school, version 1.0.0, its binary a copy it may replace.
	schoolDir := t.TempDir()
	exe := filepath.Join(schoolDir, "bin", "preau")
	os.MkdirAll(filepath.Dir(exe), 0o755)
	data, _ := os.ReadFile(v1)
	os.WriteFile(exe, data, 0o755)
	schoolAddr := apptest.FreeAddr(t)
	school := supervise(t, exe, []string{"serve", "--config", apptest.ConfigFile(t, schoolDir), "--data-dir", apptest.DataDir(schoolDir)},
		[]string{"PREAU_SCHOOL_ID=ecole-a", "PREAU_CENTRAL_URL=" + central.URL, "PREAU_SYNC_INTERVAL=1s", "PREAU_CENTRAL_ENROLLMENT_TOKEN=" + enr.Token,
			"PREAU_HTTP_ADDR=" + schoolAddr, "PREAU_METRICS_ADDR=", "PREAU_MAIL_IMAP_ADDR=", "PREAU_MAIL_SUBMISSION_ADDR=",
			"PREAU_UPDATE_ROOT_KEY=" + rootKey, "PREAU_UPDATE_HEALTH_TIMEOUT=6s", "PREAU_LOG_LEVEL=info"})
	eventually(t, "the school never reported its version", time.Minute, func() bool {
		return dsi.school("ecole-a").Version == "1.0.0"
	}, school.String)

	publish := func(bundle, schools string) string {
		t.Helper()
		out, err := preau(t, v1, nil, "demo\n", "update", "publish", bundle, "--central", central.URL, "--login", "dsi", "--schools", schools)
		if err != nil {
			t.Fatalf("publish: %v\n%s", err, out)
		}
		var rel struct{ Releases []struct{ ID string } }
		dsi.call("GET", "/api/v1/updates", nil, &rel)
		return rel.Releases[0].ID
	}
	untouched := sum(t, exe)
	refused := func(name, bundle, want string) {
		t.Helper()
		id := publish(bundle, "ecole-a")
		eventually(t, name+": not refused", time.Minute, func() bool {
			st := dsi.school("ecole-a")
			return st.ReleaseID == id && st.State == update.Refused
		}, school.String)
		if st := dsi.school("ecole-a"); st.Reason != want || st.Version != "1.0.0" {
			t.Fatalf("%s: reported %+v, want the reason %s", name, st, want)
		}
		if sum(t, exe) != untouched {
			t.Fatalf("%s: the binary changed", name)
		}
		for _, f := range []string{exe + ".new", filepath.Join(apptest.DataDir(schoolDir), "update", "pending.json")} {
			if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%s: %s was written", name, f)
			}
		}
		if !strings.Contains(school.String(), "update refused") {
			t.Fatalf("%s: no refusal in the school's log", name)
		}
	}

	// Refused: tampered, unsigned, expired; nothing applied.
	refused("tampered", tampered, "update.err.tampered")
	unsigned := filepath.Join(t.TempDir(), "unsigned.bundle")
	goodData, _ := os.ReadFile(good)
	os.WriteFile(unsigned, update.UnsignForTest(goodData), 0o644)
	refused("unsigned", unsigned, "update.err.signature")
	expired := signed("1.1.0", v2, "1s")
	time.Sleep(1500 * time.Millisecond)
	refused("expired", expired, "update.err.expired")

	// A wave that is not this school: nothing comes; extended to every
	// school, it is applied, the school restarts on 1.1.0 and says so.
	id := publish(good, "ecole-b")
	time.Sleep(3 * time.Second) // three syncs
	if st := dsi.school("ecole-a"); st.ReleaseID == id || st.Version != "1.0.0" {
		t.Fatalf("a release for another wave reached the school: %+v", st)
	}
	if status := dsi.call("POST", "/api/v1/updates/"+id+"/extend", nil, nil); status != 200 {
		t.Fatalf("extend: %d", status)
	}
	eventually(t, "the good release was not applied", 90*time.Second, func() bool {
		st := dsi.school("ecole-a")
		return st.Version == "1.1.0" && st.State == update.Applied && st.ReleaseID == id
	}, school.String)
	if sum(t, exe) != sum(t, v2) {
		t.Fatal("the school's binary is not the new version")
	}
	eventually(t, "the watchdog did not settle the update", 30*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(apptest.DataDir(schoolDir), "update", "pending.json"))
		return errors.Is(err, os.ErrNotExist)
	}, school.String)

	// The city's configuration alone, as a release of its own: written,
	// read again at the restart; the binary stays.
	cityFile := filepath.Join(apptest.DataDir(schoolDir), "update", "config.yaml")
	cityYAML := filepath.Join(t.TempDir(), "ville.yaml")
	os.WriteFile(cityYAML, []byte("sync:\n  interval: 2s\n"), 0o644)
	badYAML := filepath.Join(t.TempDir(), "mauvaise.yaml")
	os.WriteFile(badYAML, []byte("school:\n  id: autre\n"), 0o644)
	if out, err := preau(t, v1, nil, "", "update", "sign", "--keys", keys, "--version", "1.1.1", "--city-config", badYAML, "--out",
		filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(out, "school.id") {
		t.Fatalf("signing a configuration the city may not set: %v\n%s", err, out)
	}
	cityBundle := filepath.Join(t.TempDir(), "ville.bundle")
	if out, err := preau(t, v1, nil, "", "update", "sign", "--keys", keys, "--version", "1.1.1", "--city-config", cityYAML, "--out", cityBundle); err != nil {
		t.Fatalf("sign the configuration: %v\n%s", err, out)
	}
	id = publish(cityBundle, "")
	eventually(t, "the city's configuration was not applied", time.Minute, func() bool {
		st := dsi.school("ecole-a")
		return st.ReleaseID == id && st.State == update.Applied
	}, school.String)
	if got, _ := os.ReadFile(cityFile); !strings.Contains(string(got), "interval: 2s") || sum(t, exe) != sum(t, v2) {
		t.Fatalf("after the configuration: %q, binary changed: %v", got, sum(t, exe) != sum(t, v2))
	}
	// Both ends are in the journals the DSI reads: its publication on
	// central, the school's applying it, which reaches central by sync.
	eventually(t, "the configuration's application is not in the city's journal", time.Minute, func() bool {
		var entries []struct{ Action, Target, School string }
		c := dsi.call("GET", "/api/v1/audit?school=ecole-a&action=config.change", nil, &entries)
		return c == http.StatusOK && len(entries) == 1 && entries[0].Target == "1.1.1"
	}, school.String)
	var published []struct{ Target string }
	if c := dsi.call("GET", "/api/v1/audit?action=update.publish", nil, &published); c != http.StatusOK ||
		!slices.ContainsFunc(published, func(e struct{ Target string }) bool { return e.Target == "1.1.1" }) {
		t.Errorf("the publication is not in the city's journal: %d %+v", c, published)
	}

	// Rolled back: an older version, validly signed, is refused.
	applied := sum(t, exe)
	untouched = applied
	refusedOld := signed("1.0.5", v1, "24h")
	func() {
		id := publish(refusedOld, "")
		eventually(t, "an older version was not refused", time.Minute, func() bool {
			st := dsi.school("ecole-a")
			return st.ReleaseID == id && st.State == update.Refused
		}, school.String)
		if st := dsi.school("ecole-a"); st.Reason != "update.err.rollback" || st.Version != "1.1.0" || sum(t, exe) != applied {
			t.Fatalf("an older version: %+v", st)
		}
	}()

	// A new binary that exits at start: put back after
	// update.health_timeout, the school reports the rollback.
	brokenCity := filepath.Join(t.TempDir(), "ville-1.2.0.yaml")
	os.WriteFile(brokenCity, []byte("sync:\n  interval: 3s\n"), 0o644)
	brokenBundle := filepath.Join(t.TempDir(), "preau-1.2.0.bundle")
	if out, err := preau(t, v1, nil, "", "update", "sign", "--keys", keys, "--version", "1.2.0", "--binary", broken, "--city-config", brokenCity,
		"--platform", platform, "--out", brokenBundle); err != nil {
		t.Fatalf("sign 1.2.0: %v\n%s", err, out)
	}
	id = publish(brokenBundle, "")
	eventually(t, "the broken release was not rolled back", 2*time.Minute, func() bool {
		st := dsi.school("ecole-a")
		return st.ReleaseID == id && st.State == update.RolledBack
	}, school.String)
	st := dsi.school("ecole-a")
	if st.Version != "1.1.0" || st.Reason != "update.err.unhealthy" || st.ReasonArgs["Version"] != "1.2.0" {
		t.Fatalf("after the rollback: %+v", st)
	}
	if sum(t, exe) != applied {
		t.Fatal("the previous binary was not put back")
	}
	if got, _ := os.ReadFile(cityFile); !strings.Contains(string(got), "interval: 2s") {
		t.Fatalf("the city's configuration was not put back with the binary: %q", got)
	}
	if !strings.Contains(school.String(), "la nouvelle version ne démarre pas") {
		t.Fatal("the broken binary never ran")
	}
	resp, err := http.Get("http://" + schoolAddr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the school does not answer after the rollback: %v", err)
	}
	resp.Body.Close()

	// The DSI's page shows each school's version and state.
	page := html.UnescapeString(fetchPage(t, dsi, "/mises-a-jour"))
	for _, want := range []string{`data-school="ecole-a" data-state="rolled_back"`, "<bdi>1.1.0</bdi>", "annulée, version précédente rétablie",
		"la version 1.2.0 n'a pas répondu dans les 6s"} {
		if !strings.Contains(page, want) {
			t.Errorf("the updates page does not show %q", want)
		}
	}
	t.Logf("school started %d times", school.starts)
}

func fetchPage(t *testing.T, c *dsiClient, path string) string {
	req, _ := http.NewRequestWithContext(context.Background(), "GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept-Language", "fr")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, tail(string(b), 500))
	}
	return string(b)
}
