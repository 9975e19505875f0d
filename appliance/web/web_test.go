package web

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
)

func TestAccessAllows(t *testing.T) {
	cases := []struct {
		a    Access
		p    auth.Profile
		want bool
	}{
		{Public(), auth.Anonymous, true},
		{Public(), auth.Pupil, true},
		{LoggedIn(), auth.Anonymous, false},
		{LoggedIn(), auth.Parent, true},
		{Only(auth.Director, auth.DSI), auth.Director, true},
		{Only(auth.Director, auth.DSI), auth.Teacher, false},
		{Only(auth.Director), auth.Anonymous, false},
	}
	for i, c := range cases {
		if got := c.a.Allows(c.p); got != c.want {
			t.Errorf("case %d: %s allowed = %v, want %v", i, c.p, got, c.want)
		}
	}
}

// In dev mode, a template edited on disk shows on the next request, without
// a rebuild.
func TestDevModeReadsTemplatesFromDisk(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ui/layout/base.html", `{{define "base"}}<body data-profile="{{.Profile}}">{{template "content" .}}</body>{{end}}`)
	write("ui/page.html", `{{define "content"}}première version{{end}}`)
	write("assets/css/preau.css", "body{}")
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)

	s, err := New(config.Config{Dev: true, MaxBodySize: 1 << 20}, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Handle("GET /page", Public(), func(w http.ResponseWriter, r *http.Request) { s.Render(w, r, "page", "Page", nil) })
	get := func() string {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/page", nil))
		return rec.Body.String()
	}
	if body := get(); !strings.Contains(body, "première version") || !strings.Contains(body, `data-profile="anonymous"`) {
		t.Fatalf("first render: %q", body)
	}
	write("ui/page.html", `{{define "content"}}seconde version{{end}}`)
	if body := get(); !strings.Contains(body, "seconde version") {
		t.Fatalf("edit not picked up in dev mode: %q", body)
	}
}

// Request logs name the route, never the path: a login card's URL holds
// its secret.
func TestLogsHoldNoSecret(t *testing.T) {
	var logs strings.Builder
	s, err := New(config.Config{MaxBodySize: 1 << 20}, nil, nil, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		os.DirFS("../../ui"), os.DirFS("../../assets"))
	if err != nil {
		t.Fatal(err)
	}
	s.Handle("GET /carte/{secret}", Public(), func(w http.ResponseWriter, r *http.Request) {})
	s.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/carte/s3cr3t-de-carte?x=mot-de-passe", nil))
	if strings.Contains(logs.String(), "s3cr3t") || strings.Contains(logs.String(), "mot-de-passe") {
		t.Fatalf("secret in logs: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "GET /carte/{secret}") {
		t.Fatalf("request not logged by route: %s", logs.String())
	}
}

// A JSON body is one object and nothing after it; what is wrong with it is
// said in French, with what to do, never in Go's words.
func TestReadJSON(t *testing.T) {
	type in struct {
		Name  string   `json:"name"`
		Count int      `json:"count"`
		Tags  []string `json:"tags"`
	}
	cases := []struct{ body, want string }{
		{`{"name":"a"}`, ""},
		{" {\"name\":\"a\"} \n\t ", ""},
		{`{"name":"a"} garbage`, "un seul objet JSON, sans rien après"},
		{`{"name":"a"}{"name":"b"}`, "un seul objet JSON, sans rien après"},
		{`{"name":"a"} {`, "un seul objet JSON, sans rien après"},
		{`{"name":"a"} null`, "un seul objet JSON, sans rien après"},
		{``, "corps vide"},
		{`{"name":`, "objet JSON bien formé"},
		{`[1, 2]`, "objet JSON bien formé"},
		{`{"name":"a","extra":1}`, "champ « extra » inconnu"},
		{`{"name":1}`, "« name » doit être du texte"},
		{`{"count":"3"}`, "« count » doit être un nombre"},
		{`{"tags":"x"}`, "« tags » doit être une liste"},
	}
	for _, c := range cases {
		var v in
		err := ReadJSON(strings.NewReader(c.body), &v)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q refused: %v", c.body, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: error %v, want one saying %q", c.body, err, c.want)
		case err != nil && strings.Contains(err.Error(), "json"):
			t.Errorf("%q: Go's words shown to the user: %v", c.body, err)
		}
	}
}

// Every feature's errors answer by their kind, whichever package made them.
func TestErrStatus(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("lire : %w", apperr.ErrNotFound), http.StatusNotFound},
		{apperr.New(apperr.ErrForbidden, "ce n'est pas votre classe"), http.StatusForbidden},
		{fmt.Errorf("%w : classe inconnue", apperr.ErrInvalid), http.StatusBadRequest},
		{auth.ErrWeakPassword, http.StatusBadRequest},
		{fmt.Errorf("%w : marie", auth.ErrLoginTaken), http.StatusConflict},
		{errors.New("disque plein"), http.StatusInternalServerError},
	} {
		if got := ErrStatus(tc.err); got != tc.want {
			t.Errorf("%q: %d, want %d", tc.err, got, tc.want)
		}
	}
}
