package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"preau/appliance"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/roster"
)

// school is a data directory made by "preau init", for user commands.
type school struct {
	t    *testing.T
	file string
}

func newSchool(t *testing.T) school {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	if _, err := run(t, "", "init", "--config", file, "--data-dir", filepath.Join(dir, "data"),
		"--school-id", "ecole-test", "--school-name", "École de test"); err != nil {
		t.Fatal(err)
	}
	return school{t, file}
}

// user runs "preau user ..." on the school.
func (s school) user(stdin string, args ...string) (string, error) {
	s.t.Helper()
	return run(s.t, stdin, append(append([]string{"user"}, args...), "--config", s.file)...)
}

// accounts opens the school's accounts directly, as the server would.
func (s school) accounts() *auth.Service {
	s.t.Helper()
	return s.open().Auth
}

// register opens the school's register as a command would.
func (s school) register() *roster.Service {
	s.t.Helper()
	return s.open().Register
}

// open opens the school's store with its accounts and register.
func (s school) open() struct {
	Auth     *auth.Service
	Register *roster.Service
} {
	s.t.Helper()
	cfg, err := config.Load(s.file, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := appliance.OpenStore(context.Background(), cfg, log)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { db.Close() })
	a := auth.NewService(db, log, 2, cfg.SessionTTL)
	return struct {
		Auth     *auth.Service
		Register *roster.Service
	}{a, roster.NewService(db, a)}
}

func (s school) count() int {
	s.t.Helper()
	users, err := s.accounts().AllUsers(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return len(users)
}

var provisional = regexp.MustCompile(`Mot de passe provisoire : (\S+)`)

func TestUserAdd(t *testing.T) {
	ctx := context.Background()
	s := newSchool(t)
	out, err := s.user("secret-de-marie\n", "add", "--login", "marie.curie", "--name", "Marie Curie",
		"--profile", "teacher", "--password", "-")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "marie.curie") || provisional.MatchString(out) {
		t.Errorf("output:\n%s", out)
	}
	a, reg := s.accounts(), s.register()
	u, err := a.LoginPassword(ctx, "marie.curie", "secret-de-marie", "127.0.0.1")
	if err != nil {
		t.Fatalf("login with the password read from stdin: %v", err)
	}
	if u.Profile != auth.Teacher || u.SchoolID != "ecole-test" || u.FirstName != "Marie" || u.LastName != "Curie" ||
		u.DisplayName != "Marie Curie" || u.MustChange {
		t.Errorf("created %+v", u)
	}
	// The school row is created as the server would on first start.
	if sc, err := reg.School(ctx, "ecole-test"); err != nil || sc.Name != "École de test" {
		t.Errorf("school = %+v, %v", sc, err)
	}
}

func TestUserAddGeneratesPasswordAndJoinsClasses(t *testing.T) {
	ctx := context.Background()
	s := newSchool(t)
	a, reg := s.accounts(), s.register()
	if err := reg.EnsureSchool(ctx, "ecole-test", "x"); err != nil {
		t.Fatal(err)
	}
	ce1, err := reg.CreateClass(ctx, "ecole-test", "CE1 A", "CE1")
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.user("", "add", "--name", "Léa Petit", "--profile", "pupil", "--class", "ce1 a")
	if err != nil {
		t.Fatal(err)
	}
	m := provisional.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no password printed:\n%s", out)
	}
	u, err := a.LoginPassword(ctx, "lea.petit", m[1], "127.0.0.1")
	if err != nil {
		t.Fatalf("login with the printed password (generated login lea.petit): %v", err)
	}
	if !u.MustChange {
		t.Error("a generated password must be changed at first login")
	}
	classes, _ := reg.UserClasses(ctx, u.ID)
	if len(classes) != 1 || classes[0].ID != ce1.ID {
		t.Errorf("classes = %+v, want CE1 A", classes)
	}
}

func TestUserAddRefusesBadInput(t *testing.T) {
	s := newSchool(t)
	if _, err := s.user("", "add", "--login", "jean", "--name", "Jean Valjean", "--profile", "teacher", "--password", "un-bon-mot-de-passe"); err != nil {
		t.Fatal(err)
	}
	before := s.count()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--login", "jean", "--name", "Jean Bis", "--profile", "teacher"}, "déjà utilisé"},
		{[]string{"--login", "x1", "--profile", "teacher"}, "--name"},
		{[]string{"--login", "x2", "--name", "X Deux", "--profile", "maire"}, "--profile"},
		{[]string{"--login", "x3", "--name", "X Trois", "--profile", "teacher", "--password", "court"}, "au moins"},
		{[]string{"--login", "x4", "--name", "X Quatre", "--profile", "pupil", "--class", "CM9"}, "classe « CM9 » inconnue"},
		{[]string{"--login", "x5", "--name", "X Cinq", "--profile", "parent", "--school", "ailleurs"}, "école « ailleurs » inconnue"},
		{[]string{"--login", "x6", "--name", "X Six", "--profile", "dsi"}, "serveur central"},
		{[]string{"--login", "Bad Login", "--name", "X Sept", "--profile", "teacher"}, "invalide"},
		{[]string{"--login", "x8", "--name", "X Huit", "--profile", "teacher", "--password", "-"}, "mot de passe vide"},
		{[]string{"--login", "x9", "--name", "Xavier " + strings.Repeat("Neuf", 24), "--profile", "teacher"}, "--name ne doit pas dépasser 100 caractères (103 saisis)"},
		{[]string{"--login", "x10", "--name", "X \u202EfueN", "--profile", "teacher"}, "--name contient un caractère invisible ou de contrôle (U+202E"},
		{[]string{"--login", "x11", "--name", "X\u200BOnze", "--profile", "teacher"}, "U+200B"},
		{[]string{"--login", "x12" + strings.Repeat("z", 62), "--name", "X Douze", "--profile", "teacher"}, "l'identifiant ne doit pas dépasser 64 caractères"},
		{[]string{"--login", "x13", "--name", "X Treize", "--profile", "teacher", "--class", strings.Repeat("CM", 30)}, "classe « CMCMCMCMCMCMCMCMCMCM… » inconnue"},
	} {
		_, err := s.user("", append([]string{"add"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to contain %q", tc.args, err, tc.want)
		}
		for _, arg := range tc.args {
			if err != nil && len(arg) > 30 && strings.Contains(err.Error(), arg) {
				t.Errorf("%v: the error quotes a value whole: %v", tc.args, err)
			}
		}
	}
	if after := s.count(); after != before {
		t.Errorf("refused commands created accounts: %d → %d", before, after)
	}
}

func TestUserPasswd(t *testing.T) {
	ctx := context.Background()
	s := newSchool(t)
	if _, err := s.user("", "add", "--login", "paul", "--name", "Paul Dupont", "--profile", "parent", "--password", "ancien-mot-de-passe"); err != nil {
		t.Fatal(err)
	}
	a := s.accounts()
	u, _ := a.UserByLogin(ctx, "paul")
	token, _ := a.NewSession(ctx, u, "127.0.0.1")

	if _, err := s.user("nouveau-mot-de-passe\n", "passwd", "paul"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.LoginPassword(ctx, "paul", "nouveau-mot-de-passe", "127.0.0.1"); err != nil {
		t.Errorf("new password refused: %v", err)
	}
	if _, err := a.Session(ctx, token); err == nil {
		t.Error("the session survived the password change")
	}

	out, err := s.user("", "passwd", "paul", "--generate") // flag after the login
	if err != nil {
		t.Fatal(err)
	}
	m := provisional.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no password printed:\n%s", out)
	}
	u, err = a.LoginPassword(ctx, "paul", m[1], "127.0.0.1")
	if err != nil || !u.MustChange {
		t.Errorf("generated password: %+v, %v; want a login that must change it", u, err)
	}

	if _, err := s.user("", "passwd", "personne", "--generate"); err == nil || !strings.Contains(err.Error(), "introuvable") {
		t.Errorf("unknown login: err = %v", err)
	}
	if _, err := s.user("court\n", "passwd", "paul"); !errors.Is(err, auth.ErrWeakPassword) {
		t.Errorf("short password: err = %v", err)
	}
	if _, err := s.user("", "passwd"); err == nil || !strings.Contains(err.Error(), "IDENTIFIANT") {
		t.Errorf("no login: err = %v", err)
	}
}

func TestUserDisable(t *testing.T) {
	ctx := context.Background()
	s := newSchool(t)
	if _, err := s.user("", "add", "--login", "zoe", "--name", "Zoé Martin", "--profile", "teacher", "--password", "mot-de-passe-zoe"); err != nil {
		t.Fatal(err)
	}
	a := s.accounts()
	u, _ := a.UserByLogin(ctx, "zoe")
	token, _ := a.NewSession(ctx, u, "127.0.0.1")
	if _, err := s.user("", "disable", "zoe"); err != nil {
		t.Fatal(err)
	}
	if u, _ := a.UserByLogin(ctx, "zoe"); !u.Disabled {
		t.Error("account not disabled")
	}
	if _, err := a.Session(ctx, token); err == nil {
		t.Error("the session survived disabling")
	}
	if _, err := a.LoginPassword(ctx, "zoe", "mot-de-passe-zoe", "127.0.0.1"); err == nil {
		t.Error("a disabled account logged in")
	}
	if _, err := s.user("", "disable", "--enable", "zoe"); err != nil {
		t.Fatal(err)
	}
	if u, _ := a.UserByLogin(ctx, "zoe"); u.Disabled {
		t.Error("account not enabled again")
	}
}

// The features' subcommands of user run with their arguments, beside the
// command line's own.
func TestUserSubcommandsOfFeatures(t *testing.T) {
	saved := featureCommands
	defer func() { featureCommands = saved }()
	var got []string
	featureCommands = func() []feature.Command {
		return []feature.Command{{Name: "user import", Usage: "  preau user import FICHIER", Run: func(c feature.Console, args []string) error {
			got = args
			return nil
		}}}
	}
	if _, err := run(t, "", "user", "import", "eleves.csv", "--confirm"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []string{"eleves.csv", "--confirm"}) {
		t.Errorf("import got %q", got)
	}
	if out, err := run(t, "", "user", "help"); err != nil || !strings.Contains(out, "preau user import FICHIER") || !strings.Contains(out, "preau user passwd") {
		t.Errorf("usage of user: %v\n%s", err, out)
	}
	if _, err := run(t, "", "user", "add", "--name", "X"); err == nil || !strings.Contains(err.Error(), "inconnue") {
		t.Errorf("a subcommand no feature brings: %v", err)
	}
	if _, err := run(t, "", "user", "supprimer"); err == nil || !strings.Contains(err.Error(), "inconnue") {
		t.Errorf("unknown subcommand: err = %v", err)
	}
}

// The account commands are administrative actions: each one done is in
// the school's audit log, from the console, with no account behind it
// and never a password; a refused one is not.
func TestUserCommandsAudited(t *testing.T) {
	s := newSchool(t)
	if _, err := s.user("", "add", "--login", "zoe", "--name", "Zoé Martin", "--profile", "teacher", "--password", "mot-de-passe-zoe"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.user("", "disable", "zoe"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.user("", "passwd", "--generate", "zoe"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.user("", "disable", "personne"); err == nil {
		t.Fatal("an unknown login was disabled")
	}
	cfg, err := config.Load(s.file, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := appliance.OpenStore(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []string
	rows, err := db.Reader().QueryContext(t.Context(), `SELECT action || ' ' || target || ' ' || address || ' ' || school_id || ' [' || actor_id || ']'
		FROM audit_entries ORDER BY at, rowid`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		rows.Scan(&line)
		got = append(got, line)
	}
	rows.Close()
	want := []string{"account.create zoe console ecole-test []", "account.disable zoe console ecole-test []",
		"account.password_reset zoe console ecole-test []"}
	if !slices.Equal(got, want) {
		t.Errorf("the journal holds\n%q\nwant\n%q", got, want)
	}
}
