// Package apptest starts a complete appliance for tests: a fresh data
// directory, the demo school, an HTTP server on 127.0.0.1, and logged-in
// clients per profile. HTTP, authorization-matrix, browser and benchmark
// tests all build on it, so they exercise the real wiring.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"preau/appliance"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/web"
)

// App is a running test appliance.
type App struct {
	*appliance.App
	URL    string
	server *httptest.Server
	t      testing.TB
}

// Options adjust the test appliance.
type Options struct {
	Role    string            // config.RoleSchool by default
	NoDemo  bool              // start without the demo school
	Config  map[string]string // extra configuration keys
	DataDir string            // reuse a data directory
	// Features are added after the node's own (appliance.Features): a
	// test's, registered through the contract like any other.
	Features []feature.Feature
}

// New starts an appliance; it stops when the test ends.
func New(t testing.TB, o Options) *App {
	t.Helper()
	// No icon of a curated site is fetched: nothing a test does leaves the
	// machine (a test that wants one serves it on loopback, see sites).
	// Nor does it fsync each write: a test's machine does not lose power,
	// and the process tests (crashtest) run the durable default.
	flags := map[string]string{"data_dir": o.DataDir, "demo": "true", "log.level": "warn", "sites.fetch_icons": "false",
		"store.synchronous": string(store.Fast)}
	if o.DataDir == "" {
		flags["data_dir"] = t.TempDir()
	}
	if o.NoDemo {
		flags["demo"] = "false"
	}
	if o.Role != "" {
		flags["role"] = o.Role
	}
	for k, v := range o.Config {
		flags[k] = v
	}
	cfg, err := config.Load(emptyConfig(t), flags)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// A fuzz test's log may not be written to while it fuzzes, when the
	// server logs: its appliance stays quiet.
	if _, fuzz := t.(*testing.F); testing.Verbose() && !fuzz {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := appliance.Open(context.Background(), cfg, log, o.Features...)
	if err != nil {
		t.Fatalf("open appliance: %v", err)
	}
	srv := httptest.NewServer(a.Web.Handler()) // listens on 127.0.0.1
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &App{App: a, URL: srv.URL, server: srv, t: t}
}

// emptyConfig makes Load ignore any ./config.yaml in the package directory.
func emptyConfig(t testing.TB) string {
	f := t.TempDir() + "/config.yaml"
	if err := writeFile(f, "# test configuration: everything comes from flags\n"); err != nil {
		t.Fatal(err)
	}
	return f
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// User returns a demo account by login.
func (a *App) User(login string) auth.User {
	a.t.Helper()
	u, err := a.Auth.UserByLogin(context.Background(), login)
	if err != nil {
		a.t.Fatalf("user %s: %v", login, err)
	}
	return u
}

// ClassID returns the id of one of this school's classes by name.
func (a *App) ClassID(name string) string {
	a.t.Helper()
	classes, err := a.Register.SchoolClasses(context.Background(), a.Config.SchoolID)
	if err != nil {
		a.t.Fatalf("classes: %v", err)
	}
	for _, c := range classes {
		if c.Name == name {
			return c.ID
		}
	}
	a.t.Fatalf("no class %s", name)
	return ""
}

// Token opens a session for login without going through the login form.
func (a *App) Token(login string) string {
	a.t.Helper()
	tok, err := a.Auth.NewSession(context.Background(), a.User(login), "127.0.0.1")
	if err != nil {
		a.t.Fatalf("session %s: %v", login, err)
	}
	return tok
}

// Client is an HTTP client with a cookie jar that does not follow redirects,
// so tests see the 303s themselves.
func (a *App) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// ClientAs is a Client already logged in as login (nil for anonymous when
// login is "").
func (a *App) ClientAs(login string) *http.Client {
	c := a.Client()
	if login != "" {
		u, _ := url.Parse(a.URL)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: web.SessionCookie, Value: a.Token(login), Path: "/"}})
	}
	return c
}

// Do sends a request and returns the response with its body read.
func (a *App) Do(c *http.Client, method, path, contentType, body string) (*http.Response, string) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.URL+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// Get is Do for a GET.
func (a *App) Get(c *http.Client, path string) (*http.Response, string) {
	a.t.Helper()
	return a.Do(c, http.MethodGet, path, "", "")
}

// PostForm posts url-encoded values.
func (a *App) PostForm(c *http.Client, path string, v url.Values) (*http.Response, string) {
	a.t.Helper()
	return a.Do(c, http.MethodPost, path, "application/x-www-form-urlencoded", v.Encode())
}

// DemoPictures is the picture password the demo gives its young pupils, Léa
// (eleve) among them.
func DemoPictures() []int {
	for _, a := range appliance.DemoAccounts(feature.DemoSchool{ID: feature.DemoSchoolID}) {
		if len(a.Pictures) > 0 {
			return a.Pictures
		}
	}
	return nil
}

// OpenDataDir opens the store of a Process's data directory under dir,
// configured by flags (data_dir is set), before its server first starts,
// with an accounts service that hashes cheaply: how process tests seed
// what the server then finds. The caller closes the store before the
// server starts.
func OpenDataDir(tb testing.TB, dir string, flags map[string]string) (config.Config, *store.DB, *auth.Service) {
	tb.Helper()
	flags["data_dir"] = DataDir(dir)
	cfg, err := config.Load(ConfigFile(tb, dir), flags)
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := appliance.OpenStore(context.Background(), cfg, log)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg, db, auth.NewService(db, log, 2, time.Hour)
}
