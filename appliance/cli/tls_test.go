package cli

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preau/appliance"
	"preau/appliance/config"
	"preau/appliance/web"
)

// TestHTTPSWithInitCertificate serves with the certificate "preau init
// --tls" made: HTTP redirects to HTTPS, HTTPS answers with that very
// certificate, and the session cookie is Secure.
func TestHTTPSWithInitCertificate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	out, err := run(t, "", "init", "--config", file, "--data-dir", filepath.Join(dir, "data"), "--tls")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(file, map[string]string{"http.addr": "127.0.0.1:0", "https.addr": "127.0.0.1:0",
		"metrics.addr": "127.0.0.1:0", "demo": "true", "log.level": "warn"})
	if err != nil {
		t.Fatal(err)
	}
	app, err := appliance.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	ls, err := app.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ls) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	httpURL, httpsURL := "http://"+ls.HTTP.Addr().String(), "https://"+ls.HTTPS.Addr().String()

	plain := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := plain.Get(httpURL + "/healthz?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != httpsURL+"/healthz?x=1" {
		t.Errorf("HTTP answered %d to %q, want 301 to %s/healthz?x=1", resp.StatusCode, resp.Header.Get("Location"), httpsURL)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("the redirect to HTTPS lacks X-Content-Type-Options: nosniff")
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP, where browsers ignore it")
	}

	roots := x509.NewCertPool()
	pemBytes, _ := os.ReadFile(cfg.TLSCert)
	if !roots.AppendCertsFromPEM(pemBytes) {
		t.Fatal("cert.pem holds no certificate")
	}
	secure := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err = secure.Get(httpsURL + "/healthz")
	if err != nil {
		t.Fatalf("HTTPS with the init certificate trusted: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz over HTTPS = %d", resp.StatusCode)
	}
	if !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("HTTPS without HSTS: %q", resp.Header.Get("Strict-Transport-Security"))
	}
	peer := resp.TLS.PeerCertificates[0]
	if m := fingerprintLine.FindStringSubmatch(out); m == nil || m[1] != colonHex(sha256.Sum256(peer.Raw)) {
		t.Errorf("the server's certificate is not the one whose fingerprint init printed")
	}
	// The check is real: without trusting the certificate, the client refuses.
	if _, err := (&http.Client{Timeout: 10 * time.Second}).Get(httpsURL + "/healthz"); err == nil {
		t.Error("an untrusted self-signed certificate was accepted")
	}

	resp, err = secure.Post(httpsURL+"/api/v1/session", "application/json",
		strings.NewReader(`{"login": "directeur", "password": "demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login over HTTPS = %d", resp.StatusCode)
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == web.SessionCookie {
			session = c
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie = %+v, want Secure, HttpOnly and SameSite=Lax", session)
	}
}
