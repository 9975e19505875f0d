package config

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"preau/appliance/i18n"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDefaults(t *testing.T) {
	c, err := Load(writeConfig(t, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Role != RoleSchool || c.HTTPAddr != ":8080" || c.MaxBodySize != 10<<20 || c.SchoolID != "demo" || c.HashConcurrency < 1 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if !filepath.IsAbs(c.DataDir) {
		t.Fatalf("data_dir not made absolute: %s", c.DataDir)
	}
	// Metrics are served apart on loopback only, unless the DSI says otherwise.
	if host, _, _ := net.SplitHostPort(c.MetricsAddr); host != "127.0.0.1" {
		t.Fatalf("metrics.addr default %q is not loopback", c.MetricsAddr)
	}
}

// An empty metrics.addr turns the separate metrics listener off.
func TestMetricsAddrMayBeEmpty(t *testing.T) {
	c, err := Load(writeConfig(t, "metrics:\n  addr: \"\"\n"), nil)
	if err != nil || c.MetricsAddr != "" {
		t.Fatalf("metrics.addr = %q, %v", c.MetricsAddr, err)
	}
}

func TestPrecedence(t *testing.T) {
	f := writeConfig(t, "http:\n  addr: \":9000\"\nschool:\n  id: ecole-a\nlog:\n  level: debug\n")
	t.Setenv("PREAU_HTTP_ADDR", ":9100")
	t.Setenv("PREAU_DATA_DIR", "/tmp/preau-env")
	c, err := Load(f, map[string]string{"log.level": "error"})
	if err != nil {
		t.Fatal(err)
	}
	if c.SchoolID != "ecole-a" {
		t.Errorf("file value lost: school.id = %q", c.SchoolID)
	}
	if c.HTTPAddr != ":9100" {
		t.Errorf("environment should win over the file: http.addr = %q", c.HTTPAddr)
	}
	if c.DataDir != "/tmp/preau-env" {
		t.Errorf("PREAU_DATA_DIR ignored: %q", c.DataDir)
	}
	if c.LogLevel != "error" {
		t.Errorf("flag should win over everything: log.level = %q", c.LogLevel)
	}
}

// Every key has an environment variable, by the documented rule.
func TestEveryKeyHasEnv(t *testing.T) {
	values := map[string]string{"role": "central", "data_dir": "/x", "demo": "true", "dev": "true", "http.addr": ":1",
		"http.max_body": "1KB", "https.addr": ":2", "tls.cert": "c.pem", "tls.key": "k.pem", "metrics.addr": ":3",
		"school.id": "s", "school.name": "S", "public_url": "https://e.example", "log.format": "json", "log.level": "warn",
		"auth.session_ttl": "1h", "auth.pupil_session_idle": "30m", "auth.school_day_end": "16:30", "auth.hash_concurrency": "3", "central.url": "https://ent.ville.example/",
		"central.enrollment_token": "jeton", "sync.interval": "30s", "sync.stall_timeout": "5s", "sync.now_timeout": "10s", "i18n.default_language": "ar",
		"documents.max_file_size": "5MB", "documents.user_quota": "1GB", "documents.school_quota": "3GB", "cache.max_size": "1GB", "sites.fetch_icons": "false", "mail.domain": "Ecoles.Ville.fr",
		"mail.imap_addr": ":2143", "mail.imaps_addr": ":2993", "mail.submission_addr": ":2587", "mail.allow_plain_auth": "loopback", "mail.max_message_size": "1MB", "mail.user_quota": "2GB", "collab.max_update_size": "2MB",
		"update.root_key": "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB", "update.health_timeout": "90s",
		"store.synchronous": "normal",
		"privacy.dpo_name":  "Camille Dupont", "privacy.dpo_email": "dpd@ville.example", "privacy.retention.departed_accounts_days": "400",
		"privacy.retention.mail_days": "60", "privacy.retention.connection_logs_days": "200", "privacy.retention.audit_days": "300"}
	for _, k := range Keys() {
		v, ok := values[k]
		if !ok {
			t.Fatalf("key %s missing from this test's table", k)
		}
		t.Setenv(EnvName(k), v)
	}
	c, err := Load(writeConfig(t, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Role != "central" || c.DataDir != "/x" || !c.Demo || !c.Dev || c.HTTPAddr != ":1" || c.MaxBodySize != 1024 ||
		c.HTTPSAddr != ":2" || c.TLSCert != "c.pem" || c.TLSKey != "k.pem" || c.MetricsAddr != ":3" || c.SchoolID != "s" ||
		c.SchoolName != "S" || c.PublicURL != "https://e.example" || c.LogFormat != "json" || c.LogLevel != "warn" ||
		c.SessionTTL.Hours() != 1 || c.HashConcurrency != 3 || c.CentralURL != "https://ent.ville.example" || c.EnrollmentToken != "jeton" ||
		c.SyncInterval.Seconds() != 30 || c.SyncStall.Seconds() != 5 || c.SyncNowTimeout.Seconds() != 10 || c.PupilIdle != 30*time.Minute || c.SchoolDayEnd != 16*time.Hour+30*time.Minute ||
		c.DocMaxFile != 5<<20 || c.DocUserQuota != 1<<30 || c.DocSchoolQuota != 3<<30 || c.CacheMaxSize != 1<<30 || c.SiteIcons || c.MailDomain != "ecoles.ville.fr" || c.CollabMaxUpdate != 2<<20 ||
		c.UpdateRootKey != "abababababababababababababababababababababababababababababababab" || c.UpdateHealthTimeout != 90*time.Second ||
		c.StoreSynchronous != "normal" ||
		c.DPOName != "Camille Dupont" || c.DPOEmail != "dpd@ville.example" || c.Retention != (Retention{DepartedAccounts: 400 * 24 * time.Hour,
		Mail: 60 * 24 * time.Hour, ConnectionLogs: 200 * 24 * time.Hour, Audit: 300 * 24 * time.Hour}) {
		t.Fatalf("environment not applied to every key: %+v", c)
	}
}

func TestBadInputNamesKeyAndFile(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"unknown key", "htp:\n  addr: \":80\"\n", `"htp.addr"`},
		{"unknown nested key", "http:\n  adr: \":80\"\n", `"http.adr"`},
		{"wrong type", "http:\n  addr: [1, 2]\n", `"http.addr"`},
		{"invalid value", "role: ecole\n", `"role"`},
		{"a mail domain with a space", "mail:\n  domain: \"ecoles ville.fr\"\n", `"mail.domain"`},
		{"a mail domain of one label", "mail:\n  domain: localhost\n", `"mail.domain"`},
		{"bad bool", "demo: peut-être\n", `"demo"`},
		{"a root key that is not hex", "update:\n  root_key: pas-une-cle\n", `"update.root_key"`},
		{"a root key too short", "update:\n  root_key: abcd\n", `"update.root_key"`},
		{"a health timeout that is no duration", "update:\n  health_timeout: bientot\n", `"update.health_timeout"`},
		{"bad size", "http:\n  max_body: beaucoup\n", `"http.max_body"`},
		{"an unknown durability", "store:\n  synchronous: off\n", `"store.synchronous"`},
		{"bad duration", "auth:\n  session_ttl: demain\n", `"auth.session_ttl"`},
		{"bad pupil idle", "auth:\n  pupil_session_idle: 0s\n", `"auth.pupil_session_idle"`},
		{"bad day end", "auth:\n  school_day_end: \"25:00\"\n", `"auth.school_day_end"`},
		{"day end not a time", "auth:\n  school_day_end: soir\n", `"auth.school_day_end"`},
		{"bad school id", "school:\n  id: École A\n", `"school.id"`},
		{"bad central url", "central:\n  url: ent.ville\n", `"central.url"`},
		{"bad metrics addr", "metrics:\n  addr: 9100\n", `"metrics.addr"`},
		{"bad stall timeout", "sync:\n  stall_timeout: jamais\n", `"sync.stall_timeout"`},
		{"bad now timeout", "sync:\n  now_timeout: 0s\n", `"sync.now_timeout"`},
		{"a retention that is no number of days", "privacy:\n  retention:\n    mail_days: un an\n", `"privacy.retention.mail_days"`},
		{"an audit kept less than the CNIL's six months", "privacy:\n  retention:\n    audit_days: 30\n", `"privacy.retention.audit_days"`},
		{"a DPO address without @", "privacy:\n  dpo_email: dpd.ville.example\n", `"privacy.dpo_email"`},
		{"section as scalar", "http: 8080\n", `"http"`},
		{"not yaml", "role: [\n", "illisible"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := writeConfig(t, c.body)
			_, err := Load(f, nil)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), f) {
				t.Fatalf("error %q should name %s and the file %s", err, c.want, f)
			}
		})
	}
}

// The end of the school day may be written without quotes in YAML.
func TestSchoolDayEnd(t *testing.T) {
	c, err := Load(writeConfig(t, "auth:\n  school_day_end: 16:45\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.SchoolDayEnd != 16*time.Hour+45*time.Minute {
		t.Fatalf("school_day_end = %v, want 16h45m", c.SchoolDayEnd)
	}
}

func TestBadEnvNamed(t *testing.T) {
	t.Setenv("PREAU_HTTP_ADDR", "pas-une-adresse")
	_, err := Load(writeConfig(t, ""), nil)
	if err == nil || !strings.Contains(err.Error(), "PREAU_HTTP_ADDR") || !strings.Contains(err.Error(), `"http.addr"`) {
		t.Fatalf("error should name the variable and key: %v", err)
	}
	os.Unsetenv("PREAU_HTTP_ADDR")
	t.Setenv("PREAU_HTTP_ADRESSE", ":80")
	if _, err := Load(writeConfig(t, ""), nil); err == nil || !strings.Contains(err.Error(), "PREAU_HTTP_ADRESSE") {
		t.Fatalf("unknown variable should be named: %v", err)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load("/nonexistent/preau.yaml", nil)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/preau.yaml") {
		t.Fatalf("missing file should be named: %v", err)
	}
}

// config.example.yaml documents every key with its default, and loads.
func TestExampleDocumentsEveryKey(t *testing.T) {
	example := filepath.Join("..", "..", "config.example.yaml")
	body, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(example, nil)
	if err != nil {
		t.Fatalf("example does not load: %v", err)
	}
	def, _ := Load(writeConfig(t, ""), nil)
	def.File, c.File = "", ""
	if c != def {
		t.Fatalf("example values differ from defaults:\nexample %+v\ndefault %+v", c, def)
	}
	for _, k := range Keys() {
		leaf := k[strings.LastIndex(k, ".")+1:]
		if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(leaf) + `:`).Match(body) {
			t.Errorf("config.example.yaml does not document %s", k)
		}
	}
}

// An interface language Préau does not speak is refused at start-up,
// naming the key and where it came from.
func TestDefaultLanguage(t *testing.T) {
	c, err := Load(writeConfig(t, ""), nil)
	if err != nil || c.DefaultLanguage != "fr" {
		t.Fatalf("default: %q, %v", c.DefaultLanguage, err)
	}
	f := writeConfig(t, "i18n:\n  default_language: de\n")
	_, err = Load(f, nil)
	if err == nil || !strings.Contains(err.Error(), "i18n.default_language") || !strings.Contains(err.Error(), f) {
		t.Fatalf("German accepted, or the error does not say where: %v", err)
	}
	t.Setenv("PREAU_I18N_DEFAULT_LANGUAGE", "en")
	if c, err := Load(writeConfig(t, ""), nil); err != nil || c.DefaultLanguage != "en" {
		t.Fatalf("from the environment: %q, %v", c.DefaultLanguage, err)
	}
}

// A refusal is said in the reader's language, naming the key and the file.
func TestRefusalInEnglish(t *testing.T) {
	f := writeConfig(t, "sync:\n  interval: soon\n")
	_, err := Load(f, nil)
	if err == nil {
		t.Fatal("accepted")
	}
	en := i18n.ErrorText(err, i18n.EN)
	if !strings.Contains(en, `key "sync.interval" (the file `+f+`): invalid value "soon", a duration is expected`) {
		t.Errorf("English: %s", en)
	}
	if ar := i18n.ErrorText(err, i18n.AR); !strings.Contains(ar, "sync.interval") || !strings.Contains(ar, "تُنتظر مدة") {
		t.Errorf("Arabic: %s", ar)
	}
}

// The demo opens IMAP and SMTP for mail clients on the machine itself;
// outside the demo they are off unless configured, and whatever the file,
// the environment or a flag says wins over the demo's choice.
func TestMailDemoDefaults(t *testing.T) {
	c, err := Load(writeConfig(t, ""), nil)
	if err != nil || c.MailIMAPAddr != "" || c.MailSubmissionAddr != "" || c.MailPlainAuth != "false" || c.MailMaxSize != 25<<20 {
		t.Fatalf("outside the demo: %q %q %q %d %v", c.MailIMAPAddr, c.MailSubmissionAddr, c.MailPlainAuth, c.MailMaxSize, err)
	}
	c, err = Load(writeConfig(t, ""), map[string]string{"demo": "true"})
	if err != nil || c.MailIMAPAddr != ":1143" || c.MailSubmissionAddr != ":1587" || c.MailPlainAuth != "loopback" {
		t.Fatalf("in the demo: %q %q %q %v", c.MailIMAPAddr, c.MailSubmissionAddr, c.MailPlainAuth, err)
	}
	t.Setenv("PREAU_MAIL_SUBMISSION_ADDR", "")
	c, err = Load(writeConfig(t, "mail:\n  imap_addr: \"127.0.0.1:2143\"\n"), map[string]string{"demo": "true", "mail.allow_plain_auth": "false"})
	if err != nil || c.MailIMAPAddr != "127.0.0.1:2143" || c.MailSubmissionAddr != "" || c.MailPlainAuth != "false" {
		t.Fatalf("the demo overridden: %q %q %q %v", c.MailIMAPAddr, c.MailSubmissionAddr, c.MailPlainAuth, err)
	}
	if _, err := Load(writeConfig(t, "mail:\n  allow_plain_auth: peut-etre\n"), nil); err == nil || !strings.Contains(err.Error(), "mail.allow_plain_auth") {
		t.Fatalf("a bad value: %v", err)
	}
}

// The city's configuration a signed update brought sits above the file
// and below the environment; it sets only the keys the city may set.
func TestCityConfiguration(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Dir(CityFile(dir)), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(CityFile(dir), []byte("sync:\n  interval: 2m\ncache:\n  max_size: 2GB\n"), 0o600)
	file := writeConfig(t, "data_dir: "+dir+"\nsync:\n  interval: 10m\ncache:\n  max_size: 1GB\n")
	t.Setenv("PREAU_CACHE_MAX_SIZE", "3GB")
	c, err := Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.SyncInterval != 2*time.Minute || c.CacheMaxSize != 3<<30 {
		t.Fatalf("sync.interval %v (want the city's 2m), cache.max_size %d (want the environment's)", c.SyncInterval, c.CacheMaxSize)
	}
	for name, body := range map[string]string{
		"a key the city may not set": "update:\n  root_key: \"\"\n",
		"an invalid value":           "sync:\n  interval: bientot\n",
		"nothing":                    "# rien\n",
		"not YAML":                   "sync: [\n",
	} {
		if _, err := ParseCity([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	os.WriteFile(CityFile(dir), []byte("school:\n  id: autre\n"), 0o600)
	if _, err := Load(file, nil); err == nil || !strings.Contains(err.Error(), "school.id") {
		t.Fatalf("a city file that sets the school's id: %v", err)
	}
}
