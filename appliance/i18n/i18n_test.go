package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestCatalogueIsWhole: every French key exists in English and Arabic with
// the same placeholders, no language has a key French lacks, and a message
// that counts has Arabic's six plural forms.
func TestCatalogueIsWhole(t *testing.T) {
	c := Default()
	fr := c.Keys(FR)
	if len(fr) == 0 {
		t.Fatal("the French catalogue is empty")
	}
	for _, lang := range []Lang{EN, AR} {
		for _, k := range fr {
			if !c.Has(lang, k) {
				t.Errorf("%s: key %q has no translation", lang, k)
				continue
			}
			if a, b := strings.Join(c.Placeholders(FR, k), ","), strings.Join(c.Placeholders(lang, k), ","); a != b {
				t.Errorf("%s: key %q inserts {%s}, French inserts {%s}", lang, k, b, a)
			}
		}
		for _, k := range c.Keys(lang) {
			if !c.Has(FR, k) {
				t.Errorf("%s: key %q is not in the French catalogue", lang, k)
			}
		}
	}
	for _, k := range fr {
		if !c.Plural(FR, k) && !c.Plural(EN, k) && !c.Plural(AR, k) {
			continue
		}
		m := c.msgs[AR][k]
		if m == nil || len(m.forms) != 6 {
			t.Errorf("ar: key %q counts but does not give the six forms zero, one, two, few, many, other", k)
		}
		if !c.Plural(FR, k) || !c.Plural(EN, k) {
			t.Errorf("key %q counts in one language but not in French and English (give one and other)", k)
		}
	}
}

func TestParseAndNegotiate(t *testing.T) {
	for in, want := range map[string]Lang{"ar": AR, "AR-ma": AR, "en_GB": EN, " fr ": FR} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "de", "arabic", "f", "<script>"} {
		if got, ok := Parse(bad); ok {
			t.Errorf("Parse(%q) = %q, want refused", bad, got)
		}
	}
	cases := map[string]Lang{
		"ar":                         AR,
		"ar-MA,ar;q=0.9,fr;q=0.8":    AR,
		"en-GB,en;q=0.9":             EN,
		"de-DE,de;q=0.9,en;q=0.5":    EN,
		"fr-FR,fr;q=0.9,en-US;q=0.8": FR,
	}
	for h, want := range cases {
		if got, ok := Negotiate(h); !ok || got != want {
			t.Errorf("Negotiate(%q) = %q, %v; want %q", h, got, ok, want)
		}
	}
	for _, h := range []string{"", "de", "zz;q=garbage,,,", "*"} {
		if got, ok := Negotiate(h); ok {
			t.Errorf("Negotiate(%q) = %q, want no language", h, got)
		}
	}
	if AR.Dir() != "rtl" || FR.Dir() != "ltr" || EN.Dir() != "ltr" {
		t.Error("directions")
	}
}

func TestDates(t *testing.T) {
	day := time.Date(2026, 12, 3, 14, 5, 0, 0, time.UTC)
	want := map[Lang]string{
		FR: "jeudi 3 décembre 2026",
		EN: "Thursday 3 December 2026",
		AR: "الخميس 3 ديسمبر 2026",
	}
	for l, w := range want {
		if got := For(l).Date(day); got != w {
			t.Errorf("%s: Date = %q, want %q", l, got, w)
		}
	}
	if got := For(FR).DateTime(day); got != "jeudi 3 décembre 2026 à 14:05" {
		t.Errorf("DateTime = %q", got)
	}
}

func TestNumbers(t *testing.T) {
	cases := []struct {
		l    Lang
		n    int
		want string
	}{{FR, 2026, "2026"}, {FR, 12345, "12\u202f345"}, {EN, 1234, "1,234"}, {EN, 999, "999"}, {AR, -1234567, "-1,234,567"}}
	for _, c := range cases {
		if got := For(c.l).Number(c.n); got != c.want {
			t.Errorf("%s Number(%d) = %q, want %q", c.l, c.n, got, c.want)
		}
	}
}

// TestArabicPlurals renders a counting message through the six CLDR forms.
func TestArabicPlurals(t *testing.T) {
	fsys := fstest.MapFS{
		"l/t.fr.toml": {Data: []byte("[pupils]\none = \"{{.Count}} élève\"\nother = \"{{.Count}} élèves\"\n")},
		"l/t.en.toml": {Data: []byte("[pupils]\none = \"{{.Count}} pupil\"\nother = \"{{.Count}} pupils\"\n")},
		"l/t.ar.toml": {Data: []byte("[pupils]\nzero = \"لا تلاميذ\"\none = \"تلميذ واحد\"\ntwo = \"تلميذان\"\n" +
			"few = \"{{.Count}} تلاميذ\"\nmany = \"{{.Count}} تلميذًا\"\nother = \"{{.Count}} تلميذ\"\n")},
	}
	c, err := Load(fsys, "l")
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{0: "لا تلاميذ", 1: "تلميذ واحد", 2: "تلميذان", 3: "3 تلاميذ", 10: "10 تلاميذ",
		11: "11 تلميذًا", 99: "99 تلميذًا", 100: "100 تلميذ", 103: "103 تلاميذ"}
	for n, w := range want {
		if got := c.N(AR, "pupils", n); got != w {
			t.Errorf("ar N(%d) = %q, want %q", n, got, w)
		}
	}
	for n, w := range map[int]string{0: "0 élève", 1: "1 élève", 2: "2 élèves"} {
		if got := c.N(FR, "pupils", n); got != w {
			t.Errorf("fr N(%d) = %q, want %q", n, got, w)
		}
	}
	if got := c.N(EN, "pupils", 0); got != "0 pupils" {
		t.Errorf("en N(0) = %q", got)
	}
	if got := c.T(EN, "missing.key"); got != "missing.key" {
		t.Errorf("a missing key shows as %q", got)
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	cases := map[string]fstest.MapFS{
		"unknown language": {"l/a.de.toml": {Data: []byte("x = \"y\"\n")}},
		"template logic":   {"l/a.fr.toml": {Data: []byte("x = \"{{if .A}}y{{end}}\"\n")}},
		"unclosed":         {"l/a.fr.toml": {Data: []byte("x = \"{{.A\"\n")}},
		"twice": {"l/a.fr.toml": {Data: []byte("x = \"y\"\n")},
			"l/b.fr.toml": {Data: []byte("x = \"z\"\n")}},
		"bad toml": {"l/a.fr.toml": {Data: []byte("x = \n")}},
	}
	for name, fsys := range cases {
		if _, err := Load(fsys, "l"); err == nil {
			t.Errorf("%s: loaded", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestMessagesAndErrors(t *testing.T) {
	m := M("error.json.field_type", "Field", "login", "Kind", M("error.json.kind_string"))
	if got := m.In(EN); got != "the field “login” must be text in double quotes" {
		t.Errorf("nested message: %q", got)
	}
	if got := m.String(); !strings.Contains(got, "du texte entre guillemets") {
		t.Errorf("French: %q", got)
	}
}

func BenchmarkT(b *testing.B) {
	l := For(AR)
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			_ = l.T("layout.home")
		}
	})
	b.Run("args", func(b *testing.B) {
		for b.Loop() {
			_ = l.T("layout.renamed", "Login", "lea.martin")
		}
	})
}
