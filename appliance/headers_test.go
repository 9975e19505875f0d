package appliance_test

import (
	"net/http"
	"strings"
	"testing"

	"preau/appliance/apptest"
)

// Every response tells browsers not to guess its type, whoever writes it:
// JSON, a static file, an error page, a redirect, the health check.
func TestNosniffOnEveryResponse(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	anon, parent := a.Client(), a.ClientAs("parent")
	for _, c := range []struct {
		name   string
		client *http.Client
		path   string
		status int
	}{
		{"JSON API", parent, "/api/v1/me", http.StatusOK},
		{"JSON error", anon, "/api/v1/me", http.StatusUnauthorized},
		{"asset", anon, "/assets/css/preau.css", http.StatusOK},
		{"error page", anon, "/nulle-part", http.StatusNotFound},
		{"redirect", anon, "/accueil", http.StatusSeeOther},
		{"healthz", anon, "/healthz", http.StatusOK},
		{"page", parent, "/accueil", http.StatusOK},
	} {
		resp, _ := a.Get(c.client, c.path)
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d", c.name, c.path, resp.StatusCode, c.status)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s: X-Content-Type-Options %q, want nosniff", c.name, c.path, got)
		}
	}
}

// Pages may send their forms only to Préau, and run no inline script.
func TestPageCSP(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	for _, path := range []string{"/connexion", "/nulle-part"} {
		resp, _ := a.Get(a.Client(), path)
		csp := resp.Header.Get("Content-Security-Policy")
		directives := map[string]string{}
		for _, d := range strings.Split(csp, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			directives[name] = value
		}
		if directives["form-action"] != "'self'" {
			t.Errorf("%s: CSP %q lacks form-action 'self'", path, csp)
		}
		if directives["default-src"] != "'self'" || strings.Contains(csp, "unsafe-inline") || directives["script-src"] != "" {
			t.Errorf("%s: CSP %q is not strict about scripts", path, csp)
		}
	}
}
