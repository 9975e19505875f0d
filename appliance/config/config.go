// Package config loads Préau's configuration: built-in defaults, then the
// YAML file, then (at a school) the city's configuration a signed update
// brought (CityFile), then PREAU_* environment variables, then
// command-line flags.
// The result is an immutable typed Config; any unknown key, wrong type or
// invalid value stops start-up with an error naming the key and its source.
//
// It imports only i18n from the rest of the appliance: its refusals are
// catalogue messages, said in the language of whoever started Préau.
package config

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/viper"

	"preau/appliance/i18n"
)

// Roles a node can play.
const (
	RoleSchool  = "school"
	RoleCentral = "central"
)

// Config is read once at start-up and passed by value: nothing mutates it.
type Config struct {
	Role    string
	DataDir string
	Demo    bool
	Dev     bool // read ui/ and assets/ from disk so templates reload without rebuild

	HTTPAddr    string
	HTTPSAddr   string
	MaxBodySize int64
	TLSCert     string
	TLSKey      string
	MetricsAddr string // where /metrics is served without a session; "" for nowhere

	SchoolID   string
	SchoolName string

	LogFormat string
	LogLevel  string

	SessionTTL      time.Duration
	PupilIdle       time.Duration // a pupil's session ends after this long without activity
	SchoolDayEnd    time.Duration // past midnight, local time: pupils' sessions end then
	HashConcurrency int
	PublicURL       string

	CentralURL      string        // the city's central server, for a school
	EnrollmentToken string        // one-time token from the DSI, used once
	SyncInterval    time.Duration // how often a school syncs when idle
	SyncStall       time.Duration // an exchange with central that moves no byte for this long is abandoned
	SyncNowTimeout  time.Duration // how long "sync now" waits before answering with the status

	// DefaultLanguage is the interface's language for whoever has not
	// chosen one and whose browser asks for none Préau speaks.
	DefaultLanguage string

	// Documents' limits, in bytes: one file, what one person shares, what
	// one school holds (a file shared several times counts once).
	DocMaxFile, DocUserQuota, DocSchoolQuota int64
	// CacheMaxSize is what a school keeps of the city's library's files,
	// in bytes: the least recently used leave first.
	CacheMaxSize int64
	// SiteIcons: a curated site added without a picture gets the site's
	// icon, fetched by the server from the internet (never from the LAN).
	SiteIcons bool
	// MailDomain is the city's mail domain: each account's address is
	// <login>@MailDomain, the same on every node (logins are city-wide).
	MailDomain string
	// MailIMAPAddr and MailIMAPSAddr are where IMAP clients connect (plain
	// with STARTTLS, and implicit TLS), MailSubmissionAddr where they send
	// (SMTP submission); "" for off. The demo listens on :1143 and :1587.
	MailIMAPAddr, MailIMAPSAddr, MailSubmissionAddr string
	// MailPlainAuth allows passwords without TLS: "false", "true", or
	// "loopback" (only from the machine itself, the demo's).
	MailPlainAuth string
	// MailMaxSize is the largest message, in bytes; MailQuota what one
	// person's mailbox holds.
	MailMaxSize, MailQuota int64
	// CollabMaxUpdate is the largest Yjs update a page's editor may send,
	// in bytes: a larger frame closes its socket.
	CollabMaxUpdate int64

	// UpdateRootKey is the DSI's update root public key (hex Ed25519,
	// what "preau update keygen" prints), pinned: a school applies only
	// bundles whose metadata it signed; "" refuses every update.
	UpdateRootKey string
	// UpdateHealthTimeout is how long a new binary has to answer /healthz
	// before the previous one is put back.
	UpdateHealthTimeout time.Duration
	// StoreSynchronous is SQLite's synchronous mode, "full" or "normal"
	// (see store.Durability).
	StoreSynchronous string

	// DPOName and DPOEmail are the city's data protection officer, whom
	// the privacy page names for the people's rights; "" for unnamed.
	DPOName, DPOEmail string
	// Retention is how long personal data is kept (privacy.retention.*).
	Retention Retention

	File string // the config file read, "" when none
}

// Retention is how long the node keeps what the daily retention job
// purges, each a whole number of days.
type Retention struct {
	// DepartedAccounts: a pupil's account disabled (they left the school)
	// and untouched for this long is erased.
	DepartedAccounts time.Duration
	// Mail: messages and mailbox copies older than this go.
	Mail time.Duration
	// ConnectionLogs: sessions (when and from which address a person
	// signed in) opened longer ago than this go, whatever their expiry.
	ConnectionLogs time.Duration
	// Audit: audit log entries older than this go.
	Audit time.Duration
}

// MinAuditRetention is the least the audit log may keep its entries: six
// months, the CNIL's lower bound for logs kept to secure a processing
// (recommandation « journalisation », délibération n° 2021-122 du 14
// octobre 2021: between six months and a year). Central refuses a
// school's purge of younger entries.
const MinAuditRetention = 180 * 24 * time.Hour

// configError is a refused configuration, said in the reader's language
// (the command line's: i18n.ErrorText), French in Error() for logs.
type configError struct{ msg i18n.Message }

func (e *configError) Error() string                  { return e.msg.String() }
func (e *configError) Localize(lang i18n.Lang) string { return e.msg.In(lang) }

// problem is the catalogue's message config.<key> as an error.
func problem(key string, args ...any) error { return &configError{i18n.M("config."+key, args...)} }

// TLS reports whether HTTPS is configured.
func (c Config) TLS() bool { return c.TLSCert != "" && c.TLSKey != "" }

// key describes one configuration key: its default and how to check it.
type key struct {
	name  string
	def   any
	check func(v string) error
}

// keys lists every key the product understands; config.example.yaml documents
// each of them and a test keeps the two in step.
var keys = []key{
	{"role", RoleSchool, oneOf(RoleSchool, RoleCentral)},
	{"data_dir", "./data", nonEmpty},
	{"store.synchronous", "full", oneOf("full", "normal")},
	{"demo", false, isBool},
	{"dev", false, isBool},
	{"http.addr", ":8080", isAddr},
	{"http.max_body", "10MB", isSize},
	{"https.addr", ":8443", isAddr},
	{"tls.cert", "", nil},
	{"tls.key", "", nil},
	{"metrics.addr", "127.0.0.1:8081", isOptionalAddr},
	{"school.id", "demo", isSlug},
	{"school.name", "École de démonstration", nonEmpty},
	{"public_url", "", nil},
	{"log.format", "text", oneOf("text", "json")},
	{"log.level", "info", oneOf("debug", "info", "warn", "error")},
	{"auth.session_ttl", "720h", isDuration},
	{"auth.pupil_session_idle", "1h", isDuration},
	{"auth.school_day_end", "18:00", isClock},
	{"auth.hash_concurrency", 0, isInt},
	{"central.url", "", isURL},
	{"central.enrollment_token", "", nil},
	{"sync.interval", "5m", isDuration},
	{"sync.stall_timeout", "15s", isDuration},
	{"sync.now_timeout", "30s", isDuration},
	{"i18n.default_language", "fr", oneOf("fr", "en", "ar")},
	{"documents.max_file_size", "100MB", isSize},
	{"documents.user_quota", "2GB", isSize},
	{"documents.school_quota", "50GB", isSize},
	{"cache.max_size", "5GB", isSize},
	{"sites.fetch_icons", true, isBool},
	{"mail.domain", "preau.local", isDomain},
	{"mail.imap_addr", "", isOptionalAddr},
	{"mail.imaps_addr", "", isOptionalAddr},
	{"mail.submission_addr", "", isOptionalAddr},
	{"mail.allow_plain_auth", "false", oneOf("false", "true", "loopback")},
	{"mail.max_message_size", "25MB", isSize},
	{"collab.max_update_size", "1MB", isSize},
	{"mail.user_quota", "1GB", isSize},
	{"update.root_key", "", isRootKey},
	{"update.health_timeout", "60s", isDuration},
	{"privacy.dpo_name", "", nil},
	{"privacy.dpo_email", "", isOptionalEmail},
	// Connection logs six months and the audit log a year: the CNIL's
	// range for logs kept to secure a processing (délibération n° 2021-122
	// du 14 octobre 2021, six months to a year). A pupil's account a year
	// after they left, and mail a year: the school year after.
	{"privacy.retention.departed_accounts_days", 365, atLeastDays(1)},
	{"privacy.retention.mail_days", 365, atLeastDays(30)},
	{"privacy.retention.connection_logs_days", 180, atLeastDays(1)},
	{"privacy.retention.audit_days", 365, atLeastDays(int(MinAuditRetention / (24 * time.Hour)))},
}

// Keys returns every configuration key name, sorted.
func Keys() []string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	sort.Strings(names)
	return names
}

// Default returns a key's built-in default; ok is false for an unknown key.
func Default(name string) (def any, ok bool) {
	for _, k := range keys {
		if k.name == name {
			return k.def, true
		}
	}
	return nil, false
}

// EnvName is the environment variable that sets a key: PREAU_ + the key
// upper-cased with dots as underscores.
func EnvName(k string) string {
	return "PREAU_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
}

// Load reads the configuration. file may be empty: then ./config.yaml is
// used when it exists. flags holds values given on the command line, by key,
// and wins over everything else.
func Load(file string, flags map[string]string) (Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	for _, k := range keys {
		v.SetDefault(k.name, k.def)
	}
	if file == "" {
		if _, err := os.Stat("config.yaml"); err == nil {
			file = "config.yaml"
		}
	}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return Config{}, problem("file_open", "File", file, "Reason", err.Error())
		}
		defer f.Close()
		if err := v.ReadConfig(f); err != nil {
			return Config{}, problem("file_unreadable", "File", file, "Reason", err.Error())
		}
		if err := checkUnknown(v, file); err != nil {
			return Config{}, err
		}
	}
	if err := checkUnknownEnv(); err != nil {
		return Config{}, err
	}
	source := make(map[string]i18n.Message, len(keys))
	demoDefaults(v, file, flags)
	city, cityFile, err := readCity(v, flags)
	if err != nil {
		return Config{}, err
	}
	for _, k := range keys {
		source[k.name] = i18n.M("config.source_default")
		if file != "" && v.InConfig(k.name) {
			source[k.name] = i18n.M("config.source_file", "File", file)
		}
		if val, ok := city[k.name]; ok {
			v.Set(k.name, val)
			source[k.name] = i18n.M("config.source_city", "File", cityFile)
		}
		if val, ok := os.LookupEnv(EnvName(k.name)); ok {
			v.Set(k.name, val)
			source[k.name] = i18n.M("config.source_env", "Name", EnvName(k.name))
		}
		if val, ok := flags[k.name]; ok {
			v.Set(k.name, val)
			source[k.name] = i18n.M("config.source_flag")
		}
	}
	for _, k := range keys {
		if err := checkValue(v, k); err != nil {
			return Config{}, problem("key_invalid", "Key", k.name, "Source", source[k.name], "Problem", err)
		}
	}
	return build(v, file), nil
}

// demoDefaults are the keys the demo sets when nothing else does: mail
// clients on the machine itself can try IMAP and SMTP at once.
func demoDefaults(v *viper.Viper, file string, flags map[string]string) {
	demo := v.GetString("demo")
	if val, ok := os.LookupEnv(EnvName("demo")); ok {
		demo = val
	}
	if val, ok := flags["demo"]; ok {
		demo = val
	}
	if on, _ := strconv.ParseBool(demo); !on {
		return
	}
	for k, val := range map[string]string{"mail.imap_addr": ":1143", "mail.submission_addr": ":1587", "mail.allow_plain_auth": "loopback"} {
		_, env := os.LookupEnv(EnvName(k))
		_, flag := flags[k]
		if !env && !flag && (file == "" || !v.InConfig(k)) {
			v.SetDefault(k, val)
		}
	}
}

func build(v *viper.Viper, file string) Config {
	size, _ := parseSize(v.GetString("http.max_body"))
	ttl, _ := time.ParseDuration(v.GetString("auth.session_ttl"))
	idle, _ := time.ParseDuration(v.GetString("auth.pupil_session_idle"))
	dayEnd, _ := parseClock(v.GetString("auth.school_day_end"))
	interval, _ := time.ParseDuration(v.GetString("sync.interval"))
	stall, _ := time.ParseDuration(v.GetString("sync.stall_timeout"))
	now, _ := time.ParseDuration(v.GetString("sync.now_timeout"))
	docFile, _ := parseSize(v.GetString("documents.max_file_size"))
	docUser, _ := parseSize(v.GetString("documents.user_quota"))
	docSchool, _ := parseSize(v.GetString("documents.school_quota"))
	cacheMax, _ := parseSize(v.GetString("cache.max_size"))
	mailMax, _ := parseSize(v.GetString("mail.max_message_size"))
	mailQuota, _ := parseSize(v.GetString("mail.user_quota"))
	collabMax, _ := parseSize(v.GetString("collab.max_update_size"))
	healthTimeout, _ := time.ParseDuration(v.GetString("update.health_timeout"))
	hc, _ := strconv.Atoi(v.GetString("auth.hash_concurrency"))
	if hc <= 0 {
		hc = runtime.NumCPU()
	}
	dataDir, err := filepath.Abs(v.GetString("data_dir"))
	if err != nil {
		dataDir = v.GetString("data_dir")
	}
	return Config{
		Role:                v.GetString("role"),
		DataDir:             dataDir,
		Demo:                v.GetBool("demo"),
		Dev:                 v.GetBool("dev"),
		HTTPAddr:            v.GetString("http.addr"),
		HTTPSAddr:           v.GetString("https.addr"),
		MaxBodySize:         size,
		TLSCert:             v.GetString("tls.cert"),
		TLSKey:              v.GetString("tls.key"),
		MetricsAddr:         v.GetString("metrics.addr"),
		SchoolID:            v.GetString("school.id"),
		SchoolName:          v.GetString("school.name"),
		PublicURL:           strings.TrimRight(v.GetString("public_url"), "/"),
		LogFormat:           v.GetString("log.format"),
		LogLevel:            v.GetString("log.level"),
		SessionTTL:          ttl,
		PupilIdle:           idle,
		SchoolDayEnd:        dayEnd,
		HashConcurrency:     hc,
		CentralURL:          strings.TrimRight(v.GetString("central.url"), "/"),
		EnrollmentToken:     v.GetString("central.enrollment_token"),
		SyncInterval:        interval,
		SyncStall:           stall,
		SyncNowTimeout:      now,
		DefaultLanguage:     v.GetString("i18n.default_language"),
		DocMaxFile:          docFile,
		DocUserQuota:        docUser,
		DocSchoolQuota:      docSchool,
		CacheMaxSize:        cacheMax,
		SiteIcons:           v.GetBool("sites.fetch_icons"),
		MailDomain:          strings.ToLower(v.GetString("mail.domain")),
		MailIMAPAddr:        v.GetString("mail.imap_addr"),
		MailIMAPSAddr:       v.GetString("mail.imaps_addr"),
		MailSubmissionAddr:  v.GetString("mail.submission_addr"),
		MailPlainAuth:       v.GetString("mail.allow_plain_auth"),
		MailMaxSize:         mailMax,
		MailQuota:           mailQuota,
		CollabMaxUpdate:     collabMax,
		UpdateRootKey:       strings.ToLower(strings.TrimSpace(v.GetString("update.root_key"))),
		UpdateHealthTimeout: healthTimeout,
		StoreSynchronous:    v.GetString("store.synchronous"),
		DPOName:             strings.TrimSpace(v.GetString("privacy.dpo_name")),
		DPOEmail:            strings.TrimSpace(v.GetString("privacy.dpo_email")),
		Retention: Retention{
			DepartedAccounts: days(v, "privacy.retention.departed_accounts_days"),
			Mail:             days(v, "privacy.retention.mail_days"),
			ConnectionLogs:   days(v, "privacy.retention.connection_logs_days"),
			Audit:            days(v, "privacy.retention.audit_days"),
		},
		File: file,
	}
}

// checkUnknown refuses keys in the file that the product does not know, so a
// typo never silently falls back to a default.
func checkUnknown(v *viper.Viper, file string) error {
	known := make(map[string]bool, len(keys))
	sections := make(map[string]bool)
	for _, k := range keys {
		known[k.name] = true
		if i := strings.IndexByte(k.name, '.'); i > 0 {
			sections[k.name[:i]] = true
		}
	}
	var unknown []string
	for _, name := range v.AllKeys() {
		if !known[name] && v.InConfig(name) {
			unknown = append(unknown, name)
		}
	}
	// A section given a scalar ("http: 8080") hides its keys from AllKeys.
	for s := range sections {
		if v.InConfig(s) {
			if _, ok := v.Get(s).(map[string]any); !ok && v.Get(s) != nil {
				return problem("section_expected", "Key", s, "File", file)
			}
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return problem("unknown_key", "Key", unknown[0], "File", file)
	}
	return nil
}

// checkUnknownEnv refuses PREAU_* variables that match no key.
func checkUnknownEnv() error {
	known := make(map[string]bool, len(keys))
	for _, k := range keys {
		known[EnvName(k.name)] = true
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "PREAU_") && !known[name] && !ignoredEnv[name] {
			return problem("unknown_env", "Name", name)
		}
	}
	return nil
}

// ignoredEnv are PREAU_* variables used by tools and tests, not configuration.
var ignoredEnv = map[string]bool{"PREAU_BROWSER_TESTS": true, "PREAU_NODE_TESTS": true, "PREAU_SCREENSHOTS": true}

func checkValue(v *viper.Viper, k key) error {
	raw := v.Get(k.name)
	switch raw.(type) {
	case map[string]any, []any:
		return problem("scalar_expected")
	}
	if k.check == nil {
		return nil
	}
	return k.check(fmt.Sprint(raw))
}

func oneOf(allowed ...string) func(string) error {
	return func(s string) error {
		for _, a := range allowed {
			if s == a {
				return nil
			}
		}
		return problem("one_of", "Value", s, "Allowed", strings.Join(allowed, ", "))
	}
}

func nonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return problem("not_empty")
	}
	return nil
}

func isBool(s string) error {
	if _, err := strconv.ParseBool(s); err != nil {
		return problem("bool", "Value", s)
	}
	return nil
}

func isInt(s string) error {
	if n, err := strconv.Atoi(s); err != nil || n < 0 {
		return problem("int", "Value", s)
	}
	return nil
}

// atLeastDays checks a whole number of days, min at least.
func atLeastDays(min int) func(string) error {
	return func(s string) error {
		if n, err := strconv.Atoi(s); err != nil || n < min {
			return problem("days", "Value", s, "Min", min)
		}
		return nil
	}
}

// days reads a key checked by atLeastDays as a duration.
func days(v *viper.Viper, key string) time.Duration {
	n, _ := strconv.Atoi(v.GetString(key))
	return time.Duration(n) * 24 * time.Hour
}

func isOptionalEmail(s string) error {
	at := strings.LastIndex(s, "@")
	if s != "" && (at < 1 || at == len(s)-1 || strings.ContainsAny(s, " <>")) {
		return problem("email", "Value", s)
	}
	return nil
}

func isDuration(s string) error {
	if d, err := time.ParseDuration(s); err != nil || d <= 0 {
		return problem("duration", "Value", s)
	}
	return nil
}

func isClock(s string) error {
	_, err := parseClock(s)
	return err
}

// parseClock reads a time of day, "18:00", as the time past midnight.
func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, problem("clock", "Value", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func isAddr(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return problem("addr", "Value", s)
	}
	_ = host
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return problem("port", "Value", port)
	}
	return nil
}

// isOptionalAddr is isAddr, or empty to turn a listener off.
func isOptionalAddr(s string) error {
	if s == "" {
		return nil
	}
	return isAddr(s)
}

func isURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return problem("url", "Value", s)
	}
	return nil
}

func isSlug(s string) error {
	if s == "" || len(s) > 64 {
		return problem("slug_length", "Value", s)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return problem("slug_chars", "Value", s)
		}
	}
	return nil
}

// isDomain checks a mail domain: dot-separated labels of letters, digits
// and hyphens.
func isDomain(s string) error {
	labels := strings.Split(strings.ToLower(s), ".")
	if len(s) > 253 || len(labels) < 2 {
		return problem("domain", "Value", s)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return problem("domain", "Value", s)
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return problem("domain", "Value", s)
			}
		}
	}
	return nil
}

func isSize(s string) error {
	if _, err := parseSize(s); err != nil {
		return err
	}
	return nil
}

// parseSize reads "10MB", "512KB" or a plain byte count.
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, problem("size", "Value", s)
	}
	return n * mult, nil
}

// isRootKey: empty (no update is applied), or an Ed25519 public key in hex,
// as "preau update keygen" prints it.
func isRootKey(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if b, err := hex.DecodeString(s); err != nil || len(b) != 32 {
		return problem("root_key")
	}
	return nil
}

// CityKeys are the keys the city's DSI may set on its schools through a
// signed update: limits, intervals, the default language; never a
// school's identity, its addresses, its certificates, its link to central
// or the update root key.
var CityKeys = []string{"sync.interval", "sync.stall_timeout", "sync.now_timeout", "cache.max_size", "documents.max_file_size",
	"documents.user_quota", "documents.school_quota", "mail.max_message_size", "mail.user_quota", "collab.max_update_size",
	"update.health_timeout", "i18n.default_language", "sites.fetch_icons", "log.level"}

// CityFile is where a school keeps the city's configuration that a signed
// update brought: above its configuration file, below the environment and
// the flags.
func CityFile(dataDir string) string { return filepath.Join(dataDir, "update", "config.yaml") }

// ParseCity reads the city's configuration, YAML as in config.yaml: only
// CityKeys, each with a valid value. It returns the values by key.
func ParseCity(data []byte) (map[string]string, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, problem("city_unreadable", "Reason", err.Error())
	}
	out := map[string]string{}
	for _, name := range v.AllKeys() {
		if !slices.Contains(CityKeys, name) {
			return nil, problem("city_key", "Key", name)
		}
		for _, k := range keys {
			if k.name != name {
				continue
			}
			if err := checkValue(v, k); err != nil {
				return nil, problem("key_invalid", "Key", name, "Source", i18n.M("config.source_update"), "Problem", err)
			}
			out[name] = v.GetString(name)
		}
	}
	if len(out) == 0 {
		return nil, problem("city_empty")
	}
	return out, nil
}

// readCity reads the city's configuration under the data directory the
// file, the environment or the flags name, if there is one.
func readCity(v *viper.Viper, flags map[string]string) (map[string]string, string, error) {
	dir := v.GetString("data_dir")
	if val, ok := os.LookupEnv(EnvName("data_dir")); ok {
		dir = val
	}
	if val, ok := flags["data_dir"]; ok {
		dir = val
	}
	name := CityFile(dir)
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, name, nil
	}
	if err != nil {
		return nil, name, problem("file_open", "File", name, "Reason", err.Error())
	}
	city, err := ParseCity(data)
	if err != nil {
		return nil, name, problem("city_invalid", "File", name, "Problem", err)
	}
	return city, name, nil
}
