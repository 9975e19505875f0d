package appliance_test

import (
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/web"
)

// checkSecureHeaders fails unless a response carries what every response
// must (web.SecureHeaders): the authorization matrix calls it for every
// route, as every profile, so pages, JSON, redirects, errors, assets,
// media, downloads and refused websocket handshakes are all checked, and
// a feature's new route is checked with its row.
func checkSecureHeaders(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	h := resp.Header
	for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Referrer-Policy": "same-origin", "Permissions-Policy": web.PermissionsPolicy} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s %q, want %q", what, name, got, want)
		}
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Errorf("%s: HSTS over plain HTTP", what)
	}
	csp := directives(h.Get("Content-Security-Policy"))
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case csp["frame-ancestors"] != "'none'":
		t.Errorf("%s: CSP %q may be framed", what, h.Get("Content-Security-Policy"))
	case strings.Contains(h.Get("Content-Security-Policy"), "unsafe-"):
		t.Errorf("%s: CSP %q allows inline code", what, h.Get("Content-Security-Policy"))
	case mt == "text/html" && (csp["default-src"] != "'self'" || csp["script-src"] != "" || csp["style-src"] != "" || csp["form-action"] != "'self'"):
		t.Errorf("%s: a page's CSP %q is not PageCSP", what, h.Get("Content-Security-Policy"))
	case mt == "application/pdf" && h.Get("Content-Security-Policy") != web.PDFCSP:
		t.Errorf("%s: a PDF served with CSP %q, want PDFCSP", what, h.Get("Content-Security-Policy"))
	case mt != "text/html" && mt != "application/pdf" && csp["default-src"] != "'none'":
		t.Errorf("%s: %s served with CSP %q, want default-src 'none'", what, mt, h.Get("Content-Security-Policy"))
	}
	// What could run in Préau's origin is only ever Préau's own, or saved.
	if active(mt) && !strings.HasPrefix(resp.Request.URL.Path, "/assets/") &&
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Errorf("%s: %s served inline", what, mt)
	}
	for _, c := range resp.Cookies() {
		if !c.HttpOnly || c.SameSite == http.SameSiteDefaultMode || c.SameSite == http.SameSiteNoneMode {
			t.Errorf("%s: cookie %s is not HttpOnly with SameSite", what, c.Name)
		}
	}
}

// active reports whether a type could run script or restyle a page,
// Préau's pages (text/html, checked above with their CSP) apart.
func active(mt string) bool {
	switch mt {
	case "image/svg+xml", "text/xml", "application/xml", "application/xhtml+xml", "text/javascript", "application/javascript",
		"text/css", "application/x-shockwave-flash", "text/xsl":
		return true
	}
	return false
}

func directives(csp string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[name] = value
		}
	}
	return out
}

// Every response carries the headers, whoever writes it: JSON, a static
// file, an error page, a redirect, the health check. (The authorization
// matrix checks every route the same way.)
func TestSecureHeadersOnEveryResponse(t *testing.T) {
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
		{"login page", anon, "/connexion", http.StatusOK},
	} {
		resp, _ := a.Get(c.client, c.path)
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d", c.name, c.path, resp.StatusCode, c.status)
		}
		checkSecureHeaders(t, c.name+" "+c.path, resp)
	}
}

// Templates hold no inline script, no inline style and no event handler:
// the pages' CSP would block them (and must not be loosened for them).
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)
	scriptTag := regexp.MustCompile(`(?i)<script\b[^>]*>`)
	n := 0
	err := filepath.WalkDir("../ui", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		n++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		src := string(b)
		for _, tag := range scriptTag.FindAllString(src, -1) {
			if !strings.Contains(tag, "src=") {
				t.Errorf("%s: inline script %s", p, tag)
			}
		}
		for _, m := range inline.FindAllString(src, -1) {
			t.Errorf("%s: inline code %q", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("only %d templates found under ui/", n)
	}
}
