package appliance_test

import (
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
