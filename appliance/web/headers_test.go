package web

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Over TLS, browsers are told to come back over TLS only; over plain
// HTTP (the school's LAN without a certificate) they are not, which would
// lock them out.
func TestHSTSOnlyUnderTLS(t *testing.T) {
	h := SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	plain := httptest.NewServer(h)
	defer plain.Close()
	secure := httptest.NewTLSServer(h)
	defer secure.Close()
	resp, err := plain.Client().Get(plain.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS over plain HTTP: %q", got)
	}
	client := secure.Client()
	client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	resp, err = client.Get(secure.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=31536000") {
		t.Errorf("HSTS over TLS: %q", got)
	}
}

// A page gets the pages' policy, anything else the strictest, unless its
// handler chose one; a websocket still gets its connection.
func TestCSPByType(t *testing.T) {
	for _, c := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<p>x"))
		}, PageCSP},
		{"JSON", func(w http.ResponseWriter, r *http.Request) { JSON(w, http.StatusOK, map[string]int{"a": 1}) }, FileCSP},
		{"no type declared", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html><script>x()</script>")) }, FileCSP},
		{"PDF, for the browser's viewer", func(w http.ResponseWriter, r *http.Request) {
			FileHeaders(w, "fiche.pdf", "application/pdf", false)
			w.Write([]byte("%PDF-1.4"))
		}, PDFCSP},
		{"http.Error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "non", http.StatusTeapot) }, FileCSP},
		{"handler's own", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
			w.Write([]byte("x"))
		}, "default-src 'none'; sandbox"},
	} {
		rec := httptest.NewRecorder()
		SecureHeaders(c.handler).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if got := rec.Header().Get("Content-Security-Policy"); got != c.want {
			t.Errorf("%s: CSP %q, want %q", c.name, got, c.want)
		}
	}
	var hijacked bool
	srv := httptest.NewServer(SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err == nil {
			hijacked = true
			buf.WriteString("HTTP/1.1 101 Switching Protocols\r\n\r\n")
			buf.Flush()
			conn.Close()
		}
	})))
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	if !hijacked || !strings.Contains(line, "101") {
		t.Errorf("the connection was not handed over: %q", line)
	}
}

// Files people sent show in the page only when they run nothing: HTML,
// SVG, XML, scripts, and any type not known to be inert, are saved, as
// bytes, whatever type was declared or name given.
func TestFileHeaders(t *testing.T) {
	for _, c := range []struct {
		name, ctype string
		download    bool
		wantType    string
		wantDisp    string
	}{
		{"photo.jpg", "image/jpeg", false, "image/jpeg", "inline"},
		{"fiche.pdf", "application/pdf", false, "application/pdf", "inline"},
		{"chant.mp3", "audio/mpeg", false, "audio/mpeg", "inline"},
		{"lisez-moi.txt", "text/plain; charset=utf-8", false, "text/plain", "inline"},
		{"photo.jpg", "image/jpeg", true, "application/octet-stream", "attachment"},
		{"page.html", "text/html; charset=utf-8", false, "application/octet-stream", "attachment"},
		{"dessin.svg", "image/svg+xml", false, "application/octet-stream", "attachment"},
		{"dessin.svg", "text/plain", false, "application/octet-stream", "attachment"},
		{"flux.xml", "text/xml", false, "application/octet-stream", "attachment"},
		{"jeu.js", "text/javascript", false, "application/octet-stream", "attachment"},
		{"image.png", "text/html", false, "application/octet-stream", "attachment"},
		{"tableur.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false, "application/octet-stream", "attachment"},
		{"", "image/png", false, "image/png", "inline"},
		{"", "text/html", false, "application/octet-stream", "attachment"},
	} {
		rec := httptest.NewRecorder()
		FileHeaders(rec, c.name, c.ctype, c.download)
		if got := rec.Header().Get("Content-Type"); got != c.wantType {
			t.Errorf("%s (%s, download %v): Content-Type %q, want %q", c.name, c.ctype, c.download, got, c.wantType)
		}
		if got := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(got, c.wantDisp) || (c.name != "" && !strings.Contains(got, c.name)) {
			t.Errorf("%s (%s, download %v): Content-Disposition %q, want %s with its name", c.name, c.ctype, c.download, got, c.wantDisp)
		}
	}
}
