package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"preau/appliance/config"
)

func TestInitWritesALoadableConfig(t *testing.T) {
	dir := t.TempDir()
	file, data := filepath.Join(dir, "config.yaml"), filepath.Join(dir, "donnees")
	out, err := run(t, "", "init", "--config", file, "--data-dir", data,
		"--school-id", "jules-ferry", "--school-name", "École Jules-Ferry")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(data); err != nil || !fi.IsDir() {
		t.Fatalf("data directory not created: %v", err)
	}
	cfg, err := config.Load(file, nil)
	if err != nil {
		t.Fatalf("written config does not load: %v", err)
	}
	if cfg.Role != config.RoleSchool || cfg.DataDir != data || cfg.SchoolID != "jules-ferry" ||
		cfg.SchoolName != "École Jules-Ferry" || cfg.TLS() {
		t.Errorf("loaded %+v", cfg)
	}
	if cfg.HTTPAddr != ":8080" {
		t.Errorf("http.addr = %q, want the default", cfg.HTTPAddr)
	}
	body, _ := os.ReadFile(file)
	for _, k := range config.Keys() {
		leaf := k[strings.LastIndex(k, ".")+1:]
		if !regexp.MustCompile(`(?m)^(  )*(# )?` + regexp.QuoteMeta(leaf) + `: `).Match(body) {
			t.Errorf("key %s missing from the file:\n%s", k, body)
		}
	}
	if !strings.Contains(string(body), "# demo: false") || !strings.Contains(string(body), "  # addr: \":8080\"") {
		t.Errorf("unchosen keys are not commented out with their default:\n%s", body)
	}
	if !strings.Contains(out, file) || !strings.Contains(out, "preau serve --config") {
		t.Errorf("output does not say where the file is and what to do next:\n%s", out)
	}
}

func TestInitCentral(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "central.yaml")
	if _, err := run(t, "", "init", "--config", file, "--data-dir", filepath.Join(dir, "d"), "--role", "central"); err != nil {
		t.Fatal(err)
	}
	if cfg, err := config.Load(file, nil); err != nil || cfg.Role != config.RoleCentral {
		t.Fatalf("role = %q, %v", cfg.Role, err)
	}
}

func TestInitRefusesOverwriteWithoutForce(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	os.WriteFile(file, []byte("role: central\n"), 0o600)
	_, err := run(t, "", "init", "--config", file, "--data-dir", filepath.Join(dir, "d"))
	if err == nil || !strings.Contains(err.Error(), "existe déjà") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("err = %v, want a refusal naming --force", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "role: central\n" {
		t.Errorf("file changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "d")); err == nil {
		t.Error("refused init still created the data directory")
	}
	if _, err := run(t, "", "init", "--config", file, "--data-dir", filepath.Join(dir, "d"), "--force"); err != nil {
		t.Fatal(err)
	}
	if cfg, err := config.Load(file, nil); err != nil || cfg.Role != config.RoleSchool {
		t.Errorf("--force did not replace the file: %+v, %v", cfg, err)
	}
}

func TestInitRefusesInvalidValues(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	_, err := run(t, "", "init", "--config", file, "--data-dir", filepath.Join(dir, "d"), "--school-id", "École 1")
	if err == nil || !strings.Contains(err.Error(), "school.id") {
		t.Fatalf("err = %v, want one naming school.id", err)
	}
	if _, err := os.Stat(file); err == nil {
		t.Error("invalid init wrote the file")
	}
	if _, err := run(t, "", "init", "--config", file, "--data-dir", filepath.Join(dir, "d"), "--role", "mairie"); err == nil || !strings.Contains(err.Error(), "role") {
		t.Errorf("bad role: err = %v", err)
	}
}

var fingerprintLine = regexp.MustCompile(`Empreinte SHA-256 : ([0-9A-F:]+)`)

func TestInitTLS(t *testing.T) {
	dir := t.TempDir()
	file, data := filepath.Join(dir, "config.yaml"), filepath.Join(dir, "donnees")
	out, err := run(t, "", "init", "--config", file, "--data-dir", data, "--tls", "--hosts", "ent.ecole.lan, 192.168.1.10")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(data, "tls", "cert.pem"), filepath.Join(data, "tls", "key.pem")
	if cfg.TLSCert != certFile || cfg.TLSKey != keyFile {
		t.Fatalf("tls.cert %q, tls.key %q", cfg.TLSCert, cfg.TLSKey)
	}
	if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
		t.Fatalf("certificate and key do not match: %v", err)
	}
	for _, f := range []string{certFile, keyFile} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600 (%v)", f, fi.Mode().Perm(), err)
		}
	}
	cert := parseCert(t, certFile)
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key %T, want ECDSA P-256", cert.PublicKey)
	}
	host, _ := os.Hostname()
	for _, name := range []string{"localhost", host, "ent.ecole.lan"} {
		if !slices.Contains(cert.DNSNames, name) {
			t.Errorf("DNS names %v lack %q", cert.DNSNames, name)
		}
	}
	for _, ip := range []string{"127.0.0.1", "192.168.1.10"} {
		if !slices.ContainsFunc(cert.IPAddresses, func(a net.IP) bool { return a.Equal(net.ParseIP(ip)) }) {
			t.Errorf("IP addresses %v lack %s", cert.IPAddresses, ip)
		}
	}
	if err := cert.VerifyHostname("ent.ecole.lan"); err != nil {
		t.Error(err)
	}
	if years := cert.NotAfter.Sub(time.Now()).Hours() / 24 / 365; years < 4.9 || years > 5.1 {
		t.Errorf("valid %.1f years, want 5", years)
	}
	m := fingerprintLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no fingerprint printed:\n%s", out)
	}
	if want := colonHex(sha256.Sum256(cert.Raw)); m[1] != want {
		t.Errorf("printed fingerprint %s, certificate's is %s", m[1], want)
	}

	// Another config on the same data directory keeps the certificate users
	// already trust; --force makes a new one.
	again, err := run(t, "", "init", "--config", filepath.Join(dir, "autre.yaml"), "--data-dir", data, "--tls")
	if err != nil {
		t.Fatal(err)
	}
	if m2 := fingerprintLine.FindStringSubmatch(again); m2 == nil || m2[1] != m[1] {
		t.Errorf("existing certificate not kept:\n%s", again)
	}
	forced, err := run(t, "", "init", "--config", file, "--data-dir", data, "--tls", "--force")
	if err != nil {
		t.Fatal(err)
	}
	if m3 := fingerprintLine.FindStringSubmatch(forced); m3 == nil || m3[1] == m[1] {
		t.Errorf("--force kept the old certificate:\n%s", forced)
	}
}

func parseCert(t *testing.T, file string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("%s: no PEM block", file)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// colonHex is written independently of certFingerprint, to check it.
func colonHex(sum [32]byte) string {
	s := fmt.Sprintf("% X", sum[:])
	return strings.ReplaceAll(s, " ", ":")
}
