package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"preau/appliance/i18n"
	"strconv"
	"strings"
	"time"

	"preau/appliance/config"
)

// initOptions are what "preau init" was asked for.
type initOptions struct {
	file, dataDir      string
	role               string
	schoolID, name     string
	tls, force         bool
	hosts              string
	schoolIDSet, named bool
}

func runInit(e *env, args []string) error {
	var o initOptions
	fs := newFlagSet("init", e)
	l := e.L()
	fs.StringVar(&o.file, "config", "config.yaml", l.T("cli.init.flag_config"))
	fs.StringVar(&o.dataDir, "data-dir", "./data", l.T("cli.init.flag_data_dir"))
	fs.StringVar(&o.role, "role", config.RoleSchool, l.T("cli.flag.role"))
	fs.StringVar(&o.schoolID, "school-id", "", l.T("cli.init.flag_school_id"))
	fs.StringVar(&o.name, "school-name", "", l.T("cli.init.flag_school_name"))
	fs.BoolVar(&o.tls, "tls", false, l.T("cli.init.flag_tls"))
	fs.StringVar(&o.hosts, "hosts", "", l.T("cli.init.flag_hosts"))
	fs.BoolVar(&o.force, "force", false, l.T("cli.init.flag_force"))
	given, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	o.schoolIDSet, o.named = given["school-id"], given["school-name"]
	return initialize(e, o)
}

func initialize(e *env, o initOptions) error {
	if _, err := os.Stat(o.file); err == nil && !o.force {
		return i18n.Error(nil, "cli.init.exists", "File", o.file)
	}
	dataDir, err := filepath.Abs(o.dataDir)
	if err != nil {
		return err
	}
	values := map[string]string{"role": o.role, "data_dir": dataDir}
	if o.schoolIDSet {
		values["school.id"] = o.schoolID
	}
	if o.named {
		values["school.name"] = o.name
	}
	tlsDir := filepath.Join(dataDir, "tls")
	if o.tls {
		values["tls.cert"] = filepath.Join(tlsDir, "cert.pem")
		values["tls.key"] = filepath.Join(tlsDir, "key.pem")
	}
	if err := checkValues(values); err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return i18n.Error([]error{err}, "cli.init.mkdir", "Error", err.Error())
	}
	fingerprint := ""
	if o.tls {
		if fingerprint, err = ensureCertificate(e, tlsDir, splitHosts(o.hosts), o.force); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(o.file, []byte(renderConfig(values, time.Now())), 0o640); err != nil {
		return i18n.Error([]error{err}, "cli.init.write", "File", o.file, "Error", err.Error())
	}
	// The promise of init: what it wrote loads back.
	if _, err := config.Load(o.file, nil); err != nil {
		return i18n.Error([]error{err}, "cli.init.reread", "Error", err)
	}
	printInitSummary(e, o.file, dataDir, fingerprint)
	return nil
}

// checkValues validates the chosen values before anything is written: they
// are loaded as if given on the command line, over an empty file.
func checkValues(values map[string]string) error {
	empty, err := os.CreateTemp("", "preau-init-*.yaml")
	if err != nil {
		return err
	}
	empty.Close()
	defer os.Remove(empty.Name())
	_, err = config.Load(empty.Name(), values)
	return err
}

// renderConfig writes every key: the chosen values as settings, the others
// commented out with their default, sections holding a choice first.
func renderConfig(values map[string]string, now time.Time) string {
	var groups []string // top-level keys and sections, in first-seen order
	members := map[string][]string{}
	for _, k := range config.Keys() {
		group, _, _ := strings.Cut(k, ".")
		if _, seen := members[group]; !seen {
			groups = append(groups, group)
		}
		members[group] = append(members[group], k)
	}
	chosen := func(g string) bool {
		for _, k := range members[g] {
			if _, ok := values[k]; ok {
				return true
			}
		}
		return false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Préau configuration, written by \"preau init\" on %s.\n", now.Format("2006-01-02"))
	b.WriteString("# Keys left commented keep their default value; config.example.yaml explains them.\n")
	for _, pass := range []bool{true, false} {
		for _, g := range groups {
			if chosen(g) == pass {
				b.WriteString("\n")
				writeGroup(&b, g, members[g], values)
			}
		}
	}
	return b.String()
}

// writeGroup writes a top-level key, or a section with its keys, nested
// as deep as the keys' dots go (privacy.retention.mail_days); a section
// is commented out when none of its keys is set.
func writeGroup(b *strings.Builder, group string, keys []string, values map[string]string) {
	writeKeys(b, "", group, keys, values)
}

// writeKeys writes the keys under prefix (prefix included when it is a key
// itself) at the depth of indent.
func writeKeys(b *strings.Builder, indent, prefix string, keys []string, values map[string]string) {
	name := prefix[strings.LastIndex(prefix, ".")+1:]
	if len(keys) == 1 && keys[0] == prefix {
		v, set := keySetting(prefix, values)
		fmt.Fprintf(b, "%s%s%s: %s\n", indent, commentUnless(set), name, v)
		return
	}
	anySet := false
	for _, k := range keys {
		_, set := keySetting(k, values)
		anySet = anySet || set
	}
	fmt.Fprintf(b, "%s%s%s:\n", indent, commentUnless(anySet), name)
	var subs []string // the next level's names, in first-seen order
	members := map[string][]string{}
	for _, k := range keys {
		rest := strings.TrimPrefix(k, prefix+".")
		first, _, _ := strings.Cut(rest, ".")
		sub := prefix + "." + first
		if _, seen := members[sub]; !seen {
			subs = append(subs, sub)
		}
		members[sub] = append(members[sub], k)
	}
	for _, sub := range subs {
		writeKeys(b, indent+"  ", sub, members[sub], values)
	}
}

// keySetting is k's value as the file writes it, and whether it was chosen
// (else its default).
func keySetting(k string, values map[string]string) (string, bool) {
	if v, ok := values[k]; ok {
		return strconv.Quote(v), true
	}
	def, _ := config.Default(k)
	if s, ok := def.(string); ok {
		return strconv.Quote(s), false
	}
	return fmt.Sprint(def), false
}

func commentUnless(set bool) string {
	if set {
		return ""
	}
	return "# "
}

func printInitSummary(e *env, file, dataDir, fingerprint string) {
	abs, _ := filepath.Abs(file)
	l := e.L()
	fmt.Fprintln(e.stdout, l.T("cli.init.written", "File", abs))
	fmt.Fprintln(e.stdout, l.T("cli.banner.data", "Dir", dataDir))
	if fingerprint != "" {
		fmt.Fprintln(e.stdout, l.T("cli.init.cert", "File", filepath.Join(dataDir, "tls", "cert.pem")))
		fmt.Fprintln(e.stdout, l.T("cli.init.cert_warning"))
		fmt.Fprintln(e.stdout, l.T("cli.init.fingerprint", "Fingerprint", fingerprint))
	}
	fmt.Fprintln(e.stdout, "\n"+l.T("cli.init.start", "File", abs))
	fmt.Fprintln(e.stdout, l.T("cli.init.as_service", "File", abs))
}

// ensureCertificate writes a self-signed certificate and key into dir, or
// keeps the existing pair unless force: users on the LAN have already
// accepted its fingerprint. It returns the certificate's fingerprint.
func ensureCertificate(e *env, dir string, hosts []string, force bool) (string, error) {
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if !force && exists(certFile) && exists(keyFile) {
		der, err := readCertificate(certFile)
		if err != nil {
			return "", i18n.Error([]error{err}, "cli.init.cert_bad", "Error", err.Error())
		}
		fmt.Fprintln(e.stdout, e.L().T("cli.init.cert_kept"))
		return certFingerprint(der), nil
	}
	certPEM, keyPEM, err := selfSignedCertificate(hosts, time.Now())
	if err != nil {
		return "", fmt.Errorf("creating the certificate: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := writeFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return "", err
	}
	if err := writeFileAtomic(certFile, certPEM, 0o600); err != nil {
		return "", err
	}
	block, _ := pem.Decode(certPEM)
	return certFingerprint(block.Bytes), nil
}

func readCertificate(file string) ([]byte, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s is not a PEM certificate", file)
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return nil, fmt.Errorf("%s unreadable: %w", file, err)
	}
	return block.Bytes, nil
}

// certificateHosts are the names a LAN certificate covers: this machine by
// every usual name, and the extra hosts asked for.
func certificateHosts(extra []string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	seen := map[string]bool{}
	var out []string
	for _, h := range append(hosts, extra...) {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// selfSignedCertificate makes an ECDSA P-256 certificate valid five years.
func selfSignedCertificate(extraHosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	hosts := certificateHosts(extraHosts)
	name, err := os.Hostname()
	if err != nil || name == "" {
		name = "localhost"
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"Préau"}},
		NotBefore:             now.Add(-time.Hour), // tolerate a slightly late client clock
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// certFingerprint is a certificate's SHA-256 in the AA:BB:… form browsers show.
func certFingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, c := range sum {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

func splitHosts(s string) []string {
	var out []string
	for _, h := range strings.Split(s, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}

// writeFileAtomic replaces path only once the new content is complete, so
// an interrupted init never leaves half a file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
