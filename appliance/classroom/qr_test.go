package classroom

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"image/png"
	"net/http/httptest"
	"strings"
	"testing"

	"preau/appliance/web"
)

func TestCardURL(t *testing.T) {
	for _, c := range []struct{ base, secret, want string }{
		{"http://192.168.1.10:8080", "abc-DEF_123", "http://192.168.1.10:8080/carte/abc-DEF_123"},
		{"https://ent.ville.example/", "s3cret", "https://ent.ville.example/carte/s3cret"},
		{"http://ecole", "a/b", "http://ecole/carte/a%2Fb"},
	} {
		if got := cardURL(c.base, c.secret); got != c.want {
			t.Errorf("cardURL(%q, %q) = %q, want %q", c.base, c.secret, got, c.want)
		}
	}
}

func TestBaseURL(t *testing.T) {
	r := httptest.NewRequest("GET", "http://ecole.lan:8080/classes/x", nil)
	if got := web.BaseURL(r, ""); got != "http://ecole.lan:8080" {
		t.Errorf("from request: %q", got)
	}
	r.TLS = &tls.ConnectionState{}
	if got := web.BaseURL(r, ""); got != "https://ecole.lan:8080" {
		t.Errorf("from TLS request: %q", got)
	}
	if got := web.BaseURL(r, "https://ent.ville.example/"); got != "https://ent.ville.example" {
		t.Errorf("public_url wins: %q", got)
	}
}

func TestQRImageIsPNG(t *testing.T) {
	uri, err := web.QRImage(cardURL("http://192.168.1.10:8080", strings.Repeat("x", 43)))
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "data:image/png;base64,"
	if !strings.HasPrefix(string(uri), prefix) {
		t.Fatalf("not a PNG data URI: %.40s", uri)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(string(uri), prefix))
	if err != nil {
		t.Fatalf("base64: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a valid PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < 21*8 {
		t.Errorf("QR image is %dx%d, want a square of at least one version-1 code", b.Dx(), b.Dy())
	}
	other, _ := web.QRImage(cardURL("http://192.168.1.10:8080", strings.Repeat("y", 43)))
	if other == uri {
		t.Error("two different URLs gave the same QR image")
	}
}
