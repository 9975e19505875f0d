package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newImportSchool is a school made by "preau init" with two classes, and a
// CSV file written next to it.
func newImportSchool(t *testing.T) (school, func(content string) string) {
	t.Helper()
	s := newSchool(t)
	ctx := context.Background()
	a := s.register()
	if err := a.EnsureSchool(ctx, "ecole-test", "x"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"CP", "CM2"} {
		if _, err := a.CreateClass(ctx, "ecole-test", c, c); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	n := 0
	return s, func(content string) string {
		n++
		name := filepath.Join(dir, "import"+string(rune('0'+n))+".csv")
		if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return name
	}
}

const cliFile = "profil;prénom;nom;classe;enfants\n" +
	"élève;Zoé;Lefèvre;CP;\n" +
	"élève;Tom;Blanc;CM2;\n" +
	"parent;Marc;Lefèvre;;Zoé Lefèvre|Tom Blanc\n" +
	"enseignant;Anne;Roy;CP;\n"

func TestUserImport(t *testing.T) {
	s, file := newImportSchool(t)
	ctx := context.Background()
	f := file(cliFile)
	before := s.count()

	out, err := s.user("", "import", f, "--dry-run")
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if !strings.Contains(out, "ligne 2") || !strings.Contains(out, "Zoé Lefèvre (CP)") || !strings.Contains(out, "à créer") ||
		!strings.Contains(out, "rien n'a été écrit") {
		t.Errorf("dry run output:\n%s", out)
	}
	if s.count() != before {
		t.Fatal("--dry-run wrote accounts")
	}

	out, err = s.user("", "import", "--school", "ecole-test", f) // flags before or after the file
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if s.count() != before+4 {
		t.Errorf("%d accounts created, want 4", s.count()-before)
	}
	a := s.accounts()
	logins := 0
	for _, line := range strings.Split(out, "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) != 5 || cols[0] == "groupe" {
			continue
		}
		u, err := a.LoginPassword(ctx, cols[2], cols[3], "127.0.0.1")
		if err != nil {
			t.Errorf("printed credentials %q do not log in: %v", line, err)
			continue
		}
		logins++
		if young := cols[0] == "CP"; young != (cols[4] != "") {
			t.Errorf("pictures printed %q for %s", cols[4], u.DisplayName)
		}
	}
	if logins != 4 {
		t.Errorf("%d credentials printed, want 4:\n%s", logins, out)
	}
	marc, err := a.UserByLogin(ctx, "marc.lefevre")
	if err != nil {
		t.Fatal(err)
	}
	if kids, _ := s.register().Children(ctx, marc.ID); len(kids) != 2 {
		t.Errorf("Marc has %d children", len(kids))
	}

	out, err = s.user("", "import", f)
	if err != nil || !strings.Contains(out, "Rien à importer") || s.count() != before+4 {
		t.Errorf("second import: %v, %d accounts\n%s", err, s.count()-before, out)
	}
}

func TestUserImportRefuses(t *testing.T) {
	s, file := newImportSchool(t)
	before := s.count()
	bad := file("profil;prénom;nom;classe\nélève;Zoé;Lefèvre;CP\nélève;Noah;Morel;CE3\n")
	out, err := s.user("", "import", bad)
	if err == nil || !strings.Contains(err.Error(), "1 ligne en erreur") || !strings.Contains(out, "ERREUR : classe inconnue « CE3 »") {
		t.Errorf("bad line: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{file("élève;Zoé;Lefèvre;CP\n")}, "en-tête"},
		{[]string{file("\x00\x01binaire")}, "données binaires"},
		{[]string{file(cliFile), "--school", "ailleurs"}, "école « ailleurs » inconnue"},
		{[]string{filepath.Join(t.TempDir(), "absent.csv")}, "lecture de "},
		{nil, "indiquez un fichier"},
	} {
		_, err := s.user("", append([]string{"import"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
	if s.count() != before {
		t.Errorf("refused imports wrote accounts: %d → %d", before, s.count())
	}
}
