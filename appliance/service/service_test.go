package service

import (
	"os"
	"path/filepath"
	"preau/appliance/i18n"
	"reflect"
	"strings"
	"testing"
)

// chdir moves into a temporary directory so that relative paths have a
// known meaning; the test must not run in parallel with others.
func chdir(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	t.Chdir(dir)
	return dir
}

func TestCommandMakesPathsAbsolute(t *testing.T) {
	dir := chdir(t)
	exe, args, err := Options{Executable: "bin/preau", ConfigFile: "conf/config.yaml", DataDir: "../donnees"}.Command()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "bin", "preau"); exe != want {
		t.Errorf("exe = %q, want %q", exe, want)
	}
	want := []string{"serve", "--config", filepath.Join(dir, "conf", "config.yaml"),
		"--data-dir", filepath.Join(filepath.Dir(dir), "donnees")}
	if !reflect.DeepEqual(args, want) {
		t.Errorf("args = %q, want %q", args, want)
	}
}

func TestCommandDefaults(t *testing.T) {
	chdir(t)
	exe, args, err := Options{ConfigFile: "config.yaml"}.Command()
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	if !filepath.IsAbs(exe) || filepath.Base(exe) != filepath.Base(self) {
		t.Errorf("exe = %q, want the absolute path of %q", exe, self)
	}
	if len(args) != 3 || args[0] != "serve" || args[1] != "--config" || !filepath.IsAbs(args[2]) {
		t.Errorf("args = %q, want serve --config <absolute path> and no --data-dir", args)
	}
	if _, _, err := (Options{}).Command(); err == nil || !strings.Contains(err.Error(), "--config") {
		t.Errorf("no config file: err = %v, want one naming --config", err)
	}
}

func TestConfig(t *testing.T) {
	dir := chdir(t)
	c, err := Options{Executable: "/opt/preau/preau", ConfigFile: "etc/config.yaml"}.Config()
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "preau" || c.DisplayName != "Préau" || !strings.Contains(c.Description, "schools") {
		t.Errorf("names = %q %q %q", c.Name, c.DisplayName, c.Description)
	}
	if c.Executable != "/opt/preau/preau" || c.WorkingDirectory != filepath.Join(dir, "etc") {
		t.Errorf("executable %q, working directory %q", c.Executable, c.WorkingDirectory)
	}
	if want := []string{"serve", "--config", filepath.Join(dir, "etc", "config.yaml")}; !reflect.DeepEqual(c.Arguments, want) {
		t.Errorf("arguments = %q, want %q", c.Arguments, want)
	}
	// Controlling an installed service needs no configuration file.
	c, err = Options{}.Config()
	if err != nil || c.Name != "preau" || c.Executable != "" || c.Arguments != nil {
		t.Errorf("control-only config = %+v, %v", c, err)
	}
}

func TestUnknownActionTouchesNothing(t *testing.T) {
	m, err := New(Options{})
	if err != nil {
		t.Skipf("no service manager here: %v", err)
	}
	if err := m.Control("reboot"); err == nil || !strings.Contains(err.Error(), "action inconnue") {
		t.Errorf("err = %v", err)
	}
}

func TestStatusInEveryLanguage(t *testing.T) {
	for s, want := range map[Status]string{Running: "en marche", Stopped: "arrêté", NotInstalled: "non installé", Unknown: "état inconnu"} {
		if got := i18n.For(i18n.FR).T(s.Key()); got != want {
			t.Errorf("%d = %q, want %q", s, got, want)
		}
	}
	if got := i18n.For(i18n.AR).T(Running.Key()); got != "قيد التشغيل" {
		t.Errorf("Arabic: %q", got)
	}
}
