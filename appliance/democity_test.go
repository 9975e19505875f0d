package appliance_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preau/appliance"
	"preau/appliance/apptest"
	"preau/appliance/feature"
	"preau/appliance/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	apptest.CleanupBinary()
	os.Exit(code)
}

// A demo city as the README starts it: central with --demo, then a school
// with --demo and its own school.id, enrolled with the DSI's token. The two
// demo schools sync without a single login renamed, and the school restarts
// with --demo without seeding again.
func TestDemoCityRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts central and a school as processes")
	}
	bin := apptest.Binary(t)
	centralDir := t.TempDir()
	central := apptest.StartServerEnv(t, bin, centralDir, []string{"PREAU_ROLE=central"}, "--demo")
	dsi := login(t, central.URL, "dsi")
	var enr struct {
		Token string `json:"enrollment_token"`
	}
	if status := dsi.call("POST", "/api/v1/schools", map[string]string{"id": "ecole-a", "name": "École A"}, &enr); status != http.StatusCreated {
		t.Fatalf("add school: %d", status)
	}

	schoolDir := t.TempDir()
	schoolEnv := []string{"PREAU_SCHOOL_ID=ecole-a", "PREAU_SCHOOL_NAME=École A", "PREAU_CENTRAL_URL=" + central.URL,
		"PREAU_CENTRAL_ENROLLMENT_TOKEN=" + enr.Token, "PREAU_SYNC_INTERVAL=1s", "PREAU_HTTP_ADDR=" + apptest.FreeAddr(t)}
	school := apptest.StartServerEnv(t, bin, schoolDir, schoolEnv, "--demo")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("central's log:\n%.6000s\nschool's log:\n%.6000s", central.Output(), school.Output())
		}
	})
	seeded := count(t, schoolDir, "SELECT count(*) FROM users WHERE deleted = 0 AND school_id = 'ecole-a'")
	if seeded < 50 {
		t.Fatalf("the school seeded %d accounts", seeded)
	}
	director := login(t, school.URL, appliance.DemoAccounts(feature.DemoSchool{ID: "ecole-a", Central: false})[0].Login)
	if !strings.Contains(school.Output(), "directeur.ecole-a") {
		t.Errorf("the school's banner does not show its logins:\n%s", school.Output())
	}
	eventually(t, "the demo school did not converge with central", time.Minute, func() bool {
		var st struct {
			PendingOut int64 `json:"pending_out"`
			Link       string
		}
		director.call("GET", "/api/v1/sync/status", nil, &st)
		return st.Link == "up" && st.PendingOut == 0 &&
			count(t, centralDir, "SELECT count(*) FROM users WHERE deleted = 0 AND school_id = 'ecole-a'") == seeded
	})
	// The school's parents log in from home, on central, with their own logins.
	login(t, central.URL, appliance.DemoAccounts(feature.DemoSchool{ID: "ecole-a", Central: false})[3].Login)
	login(t, central.URL, appliance.DemoAccounts(feature.DemoSchool{ID: feature.DemoSchoolID, Central: true})[3].Login)
	t.Logf("%d accounts of the school on central", seeded)
	for _, dir := range []string{centralDir, schoolDir} {
		if n := count(t, dir, "SELECT count(*) FROM users WHERE login_renamed = 1"); n != 0 {
			t.Errorf("%d logins renamed in %s", n, dir)
		}
		if n := count(t, dir, "SELECT count(*) FROM conflicts"); n != 0 {
			t.Errorf("%d conflicts in %s", n, dir)
		}
	}

	// The school restarts, still with --demo: it serves, and seeds nothing.
	users := "SELECT count(*) FROM users WHERE deleted = 0"
	classes := "SELECT count(*) FROM classes WHERE deleted = 0"
	before, beforeClasses := count(t, schoolDir, users), count(t, schoolDir, classes)
	school.Stop()
	school = apptest.StartServerEnv(t, bin, schoolDir, schoolEnv, "--demo")
	if after, afterClasses := count(t, schoolDir, users), count(t, schoolDir, classes); after != before || afterClasses != beforeClasses {
		t.Fatalf("restart with --demo: %d accounts and %d classes, had %d and %d", after, afterClasses, before, beforeClasses)
	}
	login(t, school.URL, appliance.DemoAccounts(feature.DemoSchool{ID: "ecole-a", Central: false})[0].Login)
}

// client is a logged-in API client of one server.
type client struct {
	t           *testing.T
	base, token string
}

func login(t *testing.T, base, user string) *client {
	t.Helper()
	c := &client{t: t, base: base}
	var out struct{ Token string }
	if status := c.call("POST", "/api/v1/session", map[string]string{"login": user, "password": feature.DemoPassword}, &out); status != http.StatusOK {
		t.Fatalf("login %s on %s: %d", user, base, status)
	}
	c.token = out.Token
	return c
}

func (c *client) call(method, path string, in, out any) int {
	c.t.Helper()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// count runs a count query on the database of the server started in dir,
// read-only, while it runs.
func count(t *testing.T, dir, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(apptest.DataDir(dir), store.DBFile)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s in %s: %v", query, dir, err)
	}
	return n
}

func eventually(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, what)
		}
		time.Sleep(time.Second)
	}
}
