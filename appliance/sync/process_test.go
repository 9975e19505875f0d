package sync_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/roster"
	"preau/appliance/store"
)

// These tests run central and schools as separate `preau serve` processes
// talking HTTP over loopback, with faults a school's fibre really has: a
// link cut in the middle of a transfer, and servers killed outright.

func TestMain(m *testing.M) {
	code := m.Run()
	apptest.CleanupBinary()
	os.Exit(code)
}

// cutter is a TCP proxy that cuts connections at a random point while on.
type cutter struct {
	ln       net.Listener
	upstream string
	on       atomic.Bool // cut every connection at a random point
	down     atomic.Bool // let nothing through: the fibre is out
	cuts     atomic.Int64
	bytes    atomic.Int64
}

func newCutter(t *testing.T, upstream string) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln, upstream: upstream}
	t.Cleanup(func() { ln.Close() })
	go c.serve()
	return c
}

func (c *cutter) URL() string { return "http://" + c.ln.Addr().String() }

func (c *cutter) serve() {
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		go c.relay(conn)
	}
}

func (c *cutter) relay(down net.Conn) {
	defer down.Close()
	if c.down.Load() {
		return
	}
	up, err := net.Dial("tcp", c.upstream)
	if err != nil {
		return
	}
	defer up.Close()
	limit := int64(1 << 40)
	if c.on.Load() {
		limit = 1<<10 + rand.Int64N(28<<10) // every connection dies within 29 KB: a batch rarely gets through at first try
	}
	done := make(chan int64, 2)
	go func() { n, _ := io.Copy(up, io.LimitReader(down, limit)); done <- n }()
	go func() { n, _ := io.Copy(down, io.LimitReader(up, limit)); done <- n }()
	n := <-done
	c.bytes.Add(n)
	if n == limit { // a direction hit its limit: cut both
		c.cuts.Add(1)
	}
}

// seed writes accounts into a data directory before its server starts,
// without passwords (no hashing), plus one account with a password.
func seed(t *testing.T, dir string, flags map[string]string, n int, profile auth.Profile, school string) {
	t.Helper()
	ctx := context.Background()
	cfg, db, a := apptest.OpenDataDir(t, dir, flags)
	defer db.Close()
	if err := roster.NewService(db, a).EnsureSchool(ctx, cfg.SchoolID, cfg.SchoolName); err != nil {
		t.Fatal(err)
	}
	users := make([]auth.NewUser, n)
	for i := range users {
		users[i] = auth.NewUser{Login: fmt.Sprintf("%s%04d", profile, i), Display: fmt.Sprintf("Compte %d", i), Profile: profile, SchoolID: school}
	}
	if _, err := a.CreateUsers(ctx, users, nil); err != nil {
		t.Fatal(err)
	}
}

// apiClient bounds every call of a test: a server that does not answer
// fails the test rather than hanging it.
var apiClient = &http.Client{Timeout: 90 * time.Second}

// client is a logged-in API client of one server.
type client struct {
	t     *testing.T
	base  string
	token string
}

func login(t *testing.T, base, user, password string) *client {
	t.Helper()
	c, status := tryLogin(t, base, user, password)
	if c == nil {
		t.Fatalf("login %s on %s: %d", user, base, status)
	}
	return c
}

// tryLogin is login for an account that may not be there yet (sync has
// not brought it): nil and the status when the login is refused.
func tryLogin(t *testing.T, base, user, password string) (*client, int) {
	t.Helper()
	c := &client{t: t, base: base}
	var out struct{ Token string }
	if status := c.call("POST", "/api/v1/session", map[string]string{"login": user, "password": password}, &out); status != 200 {
		return nil, status
	}
	c.token = out.Token
	return c, 200
}

func (c *client) call(method, path string, in, out any) int {
	c.t.Helper()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := apiClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// users counts the accounts a DSI sees on a server, by school.
func (c *client) users() map[string]int {
	var list []struct {
		SchoolID string `json:"school_id"`
	}
	c.call("GET", "/api/v1/users", nil, &list)
	out := map[string]int{}
	for _, u := range list {
		out[u.SchoolID]++
	}
	return out
}

// globalAccounts counts, in the database of the server started in dir, the live accounts
// matching cond: by default the city-wide ones (global scope); a condition
// replaces that.
func globalAccounts(t *testing.T, dir, cond string) int {
	t.Helper()
	if cond == "" {
		cond = "scope = 'global'"
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(apptest.DataDir(dir), store.DBFile)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM users WHERE deleted = 0 AND (" + cond + ")").Scan(&n); err != nil {
		t.Logf("read %s: %v", dir, err)
		return -1
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
		time.Sleep(time.Second) // gently: polling logins counts against the address
	}
}

func TestProcessesSyncThroughCutsAndKills(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several servers")
	}
	t.Parallel() // its servers mostly wait on each other
	bin := apptest.Binary(t)
	const backlog = 3000

	// Central, with a city-wide backlog for the school to receive.
	centralDir := t.TempDir()
	seed(t, centralDir, map[string]string{"role": "central"}, backlog, auth.DSI, "")
	centralAddr := apptest.FreeAddr(t)
	centralEnv := []string{"PREAU_ROLE=central", "PREAU_DEMO=true", "PREAU_HTTP_ADDR=" + centralAddr}
	central := apptest.StartServerEnv(t, bin, centralDir, centralEnv)
	dsi := login(t, central.URL, "dsi", "demo")
	var enr struct {
		Token string `json:"enrollment_token"`
	}
	if status := dsi.call("POST", "/api/v1/schools", map[string]string{"id": "ecole-a", "name": "École A"}, &enr); status != 201 {
		t.Fatalf("add school: %d", status)
	}

	// The school, with its own backlog to send, behind a link that cuts.
	schoolDir := t.TempDir()
	seed(t, schoolDir, map[string]string{"school.id": "ecole-a"}, backlog, auth.Teacher, "ecole-a")
	link := newCutter(t, centralAddr)
	link.on.Store(true)
	schoolAddr := apptest.FreeAddr(t)
	schoolEnv := []string{"PREAU_SCHOOL_ID=ecole-a", "PREAU_CENTRAL_URL=" + link.URL(), "PREAU_SYNC_INTERVAL=1s",
		"PREAU_CENTRAL_ENROLLMENT_TOKEN=" + enr.Token, "PREAU_HTTP_ADDR=" + schoolAddr, "PREAU_LOG_LEVEL=debug"}
	school := apptest.StartServerEnv(t, bin, schoolDir, schoolEnv)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("central's log:\n%.6000s\nschool's log:\n%.6000s", central.Output(), school.Output())
		}
	})

	// The DSI creates the school's director on central; once the link
	// lets enough through, the director logs in at the school.
	if status := dsi.call("POST", "/api/v1/users", map[string]any{"login": "dir.a", "display_name": "Directrice A",
		"profile": "director", "password": "motdepasse", "school_id": "ecole-a"}, nil); status != 201 {
		t.Fatalf("create director: %d", status)
	}
	// Failed logins count against the login typed, arrived or not: the test
	// waits for the account in the school's database, then logs in once.
	eventually(t, "the director created on central did not reach the school", time.Minute, func() bool {
		return globalAccounts(t, schoolDir, "login = 'dir.a' AND password_hash != ''") == 1
	})
	dir := login(t, school.URL, "dir.a", "motdepasse")
	eventually(t, "backlogs not drained through the cutting link", 3*time.Minute, func() bool {
		var st struct {
			PendingOut int64 `json:"pending_out"`
			PendingIn  int64 `json:"pending_in"`
		}
		dir.call("GET", "/api/v1/sync/status", nil, &st)
		return st.PendingOut == 0 && dsi.users()["ecole-a"] == backlog+1
	})
	t.Logf("%d bytes, %d cuts", link.bytes.Load(), link.cuts.Load())
	if link.cuts.Load() < 5 {
		t.Fatalf("only %d cuts: the test did not exercise resumption", link.cuts.Load())
	}
	link.on.Store(false)
	// The DSI logs in on central only: the school's own database is read to
	// see the city-wide accounts arrive, without any of their passwords.
	eventually(t, "the city-wide backlog did not reach the school", time.Minute, func() bool {
		return globalAccounts(t, schoolDir, "") == backlog+1 // the seeded accounts and the demo DSI
	})
	if n := globalAccounts(t, schoolDir, "scope = 'global' AND password_hash != ''"); n != 0 {
		t.Fatalf("the school holds the password hashes of %d city-wide accounts that never log in there", n)
	}
	if c := (&client{t: t, base: school.URL}); c.call("POST", "/api/v1/session", map[string]string{"login": "dsi", "password": "demo"}, nil) == 200 {
		t.Fatal("the DSI logs in on a school's server")
	}
	if got := dsi.users()["ecole-a"]; got != backlog+1 {
		t.Fatalf("central holds %d ecole-a accounts, want %d: lost or duplicated", got, backlog+1)
	}

	// A second school, on a clean link: its writes reach central, it gets
	// the city-wide accounts, and never the first school's.
	if status := dsi.call("POST", "/api/v1/schools", map[string]string{"id": "ecole-b", "name": "École B"}, &enr); status != 201 {
		t.Fatalf("add school B: %d", status)
	}
	bDir := t.TempDir()
	seed(t, bDir, map[string]string{"school.id": "ecole-b"}, 50, auth.Teacher, "ecole-b")
	schoolB := apptest.StartServerEnv(t, bin, bDir, []string{"PREAU_SCHOOL_ID=ecole-b", "PREAU_CENTRAL_URL=" + central.URL,
		"PREAU_SYNC_INTERVAL=1s", "PREAU_CENTRAL_ENROLLMENT_TOKEN=" + enr.Token})
	eventually(t, "school B did not converge with central", time.Minute, func() bool {
		return dsi.users()["ecole-b"] == 50 && globalAccounts(t, bDir, "") == backlog+1
	})
	if a, b := globalAccounts(t, bDir, "school_id = 'ecole-a'"), globalAccounts(t, bDir, "school_id = 'ecole-b'"); a != 0 || b != 50 {
		t.Fatalf("school B holds %d accounts of school A and %d of its own, want 0 and 50", a, b)
	}
	schoolB.Stop()

	// A write acknowledged at the school survives a kill before any sync.
	if status := dir.call("POST", "/api/v1/users", map[string]any{"login": "avant.coupure", "display_name": "Avant coupure",
		"profile": "teacher", "password": "motdepasse"}, nil); status != 201 {
		t.Fatalf("create teacher: %d", status)
	}
	school.Kill()
	central.Kill() // and central goes down too, power cut in the city
	school = apptest.StartServerEnv(t, bin, schoolDir, schoolEnv)
	dir = login(t, school.URL, "dir.a", "motdepasse")
	var st struct {
		Link       string `json:"link"`
		PendingOut int64  `json:"pending_out"`
	}
	dir.call("POST", "/api/v1/sync/now", nil, &st)
	if st.Link != "down" || st.PendingOut == 0 {
		t.Fatalf("with central down: %+v", st)
	}
	// The school keeps working alone.
	if status := dir.call("POST", "/api/v1/users", map[string]any{"login": "pendant.coupure", "display_name": "Pendant",
		"profile": "teacher", "password": "motdepasse"}, nil); status != 201 {
		t.Fatalf("write during the outage: %d", status)
	}
	central = apptest.StartServerEnv(t, bin, centralDir, centralEnv)
	dir.call("POST", "/api/v1/sync/now", nil, &st)
	if st.Link != "up" || st.PendingOut != 0 {
		t.Fatalf("after central came back: %+v", st)
	}
	dsi = login(t, central.URL, "dsi", "demo")
	for _, l := range []string{"avant.coupure", "pendant.coupure"} {
		c := &client{t: t, base: central.URL}
		if c.call("POST", "/api/v1/session", map[string]string{"login": l, "password": "motdepasse"}, nil) != 200 {
			t.Errorf("%s, written at the school, cannot log in on central", l)
		}
	}
	if got := dsi.users()["ecole-a"]; got != backlog+3 {
		t.Fatalf("central holds %d ecole-a accounts, want %d", got, backlog+3)
	}
	t.Logf("%d connections cut mid-transfer", link.cuts.Load())
}
