package appliance_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

func TestHealthzAndMetrics(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.Client()
	if resp, body := a.Get(c, "/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	a.PostForm(c, "/connexion", url.Values{"login": {"parent"}, "password": {"demo"}})
	a.PostForm(a.Client(), "/connexion", url.Values{"login": {"parent"}, "password": {"faux"}})
	a.Get(c, "/accueil")
	dsi := a.ClientAs(addDSI(t, a))
	resp, body := a.Get(dsi, "/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics as the DSI: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`preau_http_requests_total{route="GET /accueil",code="2xx"} 1`,
		`preau_http_requests_total{route="POST /connexion",code="3xx"} 1`,
		`preau_http_requests_total{route="POST /connexion",code="4xx"} 1`,
		`preau_logins_total{result="ok"} 1`,
		`preau_logins_total{result="failed"} 1`,
		`preau_http_request_duration_seconds_count{route="GET /accueil"} 1`,
		"# TYPE preau_http_request_duration_seconds histogram",
		"preau_store_size_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Every sample line is well formed in the text exposition format.
	sample := regexp.MustCompile(`^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$`)
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if !strings.HasPrefix(line, "#") && !sample.MatchString(line) {
			t.Errorf("malformed metrics line %q", line)
		}
	}
	if strings.Contains(body, "demo") || strings.Contains(body, "faux") {
		t.Error("metrics leak request content")
	}
}

// addDSI gives a school's appliance a DSI account (the demo school has
// none) and returns its login.
func addDSI(t *testing.T, a *apptest.App) string {
	t.Helper()
	if _, err := a.Auth.CreateUser(t.Context(), auth.NewUser{Login: "dsi", Display: "DSI", Profile: auth.DSI, Password: "demo"}); err != nil {
		t.Fatal(err)
	}
	return "dsi"
}

func TestHealthzFailsWithoutStore(t *testing.T) {
	a := apptest.New(t, apptest.Options{NoDemo: true})
	a.DB.Close()
	if resp, _ := a.Get(a.Client(), "/healthz"); resp.StatusCode != 503 {
		t.Fatalf("healthz with a closed store: %d", resp.StatusCode)
	}
}

// The listener on metrics.addr serves /metrics to anyone who reaches it, and
// nothing else; the main address serves them to a DSI session only.
func TestMetricsListener(t *testing.T) {
	a := apptest.New(t, apptest.Options{Config: map[string]string{"http.addr": "127.0.0.1:0", "metrics.addr": "127.0.0.1:0"}})
	dsi := a.Token(addDSI(t, a))
	pupil := a.Token("eleve")
	ls, err := a.Listen()
	if err != nil {
		t.Fatal(err)
	}
	if ls.Metrics == nil {
		t.Fatal("no metrics listener although metrics.addr is set")
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ls) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	get := func(addr net.Addr, path, token string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr.String()+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := a.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	resp, body := get(ls.Metrics.Addr(), "/metrics", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "preau_uptime_seconds ") {
		t.Errorf("metrics listener without a session: %d %.200s", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("metrics listener: no X-Content-Type-Options: nosniff")
	}
	for _, path := range []string{"/healthz", "/accueil", "/api/v1/me"} {
		if resp, _ := get(ls.Metrics.Addr(), path, dsi); resp.StatusCode != http.StatusNotFound {
			t.Errorf("metrics listener serves %s: %d", path, resp.StatusCode)
		}
	}
	for _, c := range []struct {
		who, token string
		want       int
	}{{"anonymous", "", 401}, {"a pupil", pupil, 403}, {"a stale token", "jeton-inconnu", 401}, {"the DSI", dsi, 200}} {
		resp, body := get(ls.HTTP.Addr(), "/metrics", c.token)
		if resp.StatusCode != c.want {
			t.Errorf("main address, /metrics as %s: %d, want %d", c.who, resp.StatusCode, c.want)
		}
		if resp.StatusCode != 200 && strings.Contains(body, "preau_") {
			t.Errorf("main address leaks metrics to %s", c.who)
		}
	}
}

// A metrics address already taken leaves the node serving without it.
func TestMetricsAddressTakenIsNotFatal(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	a := apptest.New(t, apptest.Options{Config: map[string]string{"http.addr": "127.0.0.1:0", "metrics.addr": taken.Addr().String()}})
	ls, err := a.Listen()
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ls.HTTP.Close()
	if ls.Metrics != nil {
		t.Fatal("metrics listener on a taken address")
	}
}
