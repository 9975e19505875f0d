package appliance_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"

	"preau/appliance/i18n"
)

// Every sentence people read comes from the catalogue (package i18n): these
// tests fail on a template holding text meant for people, on Go code
// holding a French sentence, and on a key the code uses that the
// catalogue lacks.

// untranslated lists the files not yet moved to the catalogue while the
// move is under way; it must end empty.
var untranslated = map[string]bool{}

// templateFuncs are the names templates may call (web's FuncMap); the
// parser needs them, not their code.
var templateFuncs = map[string]any{}

func init() {
	for _, n := range strings.Fields(`t tn tem lang dir date datetime time num langs today pictures slotsLeft
		profileLabel pictureName initials active add mul dayTime size has drawn
		and or not len index eq ne lt le gt ge print printf println html js urlquery call slice`) {
		templateFuncs[n] = func() {}
	}
}

var (
	templateKeyRe = regexp.MustCompile(`\{\{-?\s*(?:t|tn|tem)\s+"([^"]+)"`)
	actionRe      = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tagRe         = regexp.MustCompile(`(?s)<!--.*?-->|<[^<>]*>`)
	entityRe      = regexp.MustCompile(`&[#a-zA-Z0-9]+;`)
	peopleAttrRe  = regexp.MustCompile(`\b(title|alt|placeholder|aria-label|label)="([^"]*)"`)
	buttonValRe   = regexp.MustCompile(`<input[^>]*type="(?:submit|button|reset)"[^>]*value="([^"]*)"|<input[^>]*value="([^"]*)"[^>]*type="(?:submit|button|reset)"`)
)

// notLanguage is text a template may hold as is: the brand, and symbols.
var notLanguage = []string{"Préau"}

// wordy reports whether s holds a letter once what is not language is gone.
func wordy(s string) bool {
	s = entityRe.ReplaceAllString(s, " ")
	for _, w := range notLanguage {
		s = strings.ReplaceAll(s, w, " ")
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func TestTemplatesHoldNoText(t *testing.T) {
	root := filepath.Join("..", "ui")
	err := fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") || untranslated["ui/"+p] {
			return err
		}
		src, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			return err
		}
		if _, err := parse.Parse(p, string(src), "{{", "}}", templateFuncs); err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		for _, m := range templateKeyRe.FindAllStringSubmatch(string(src), -1) {
			if !i18n.Default().Has(i18n.FR, m[1]) {
				t.Errorf("ui/%s: key %q is not in the catalogue", p, m[1])
			}
		}
		// Each action becomes a NUL: the text around it is what the file
		// writes itself, and a tag an action interrupts stays one tag.
		masked := actionRe.ReplaceAllString(string(src), "\x00")
		for _, tag := range tagRe.FindAllString(masked, -1) {
			for _, m := range peopleAttrRe.FindAllStringSubmatch(tag, -1) {
				if wordy(m[2]) {
					t.Errorf("ui/%s: attribute %s=%q is for people: take it from the catalogue", p, m[1], m[2])
				}
			}
			for _, m := range buttonValRe.FindAllStringSubmatch(tag, -1) {
				if wordy(m[1] + m[2]) {
					t.Errorf("ui/%s: button value %q is for people: take it from the catalogue", p, m[1]+m[2])
				}
			}
		}
		for _, piece := range strings.Split(tagRe.ReplaceAllString(masked, "\x00"), "\x00") {
			if wordy(piece) {
				t.Errorf("ui/%s: text %q is for people: take it from the catalogue", p, strings.Join(strings.Fields(piece), " "))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// frenchRe spots a French sentence in a Go string literal.
var frenchRe = regexp.MustCompile(`[àâçéèêëîïôûùüÿœÀÂÇÉÈÊËÎÏÔÛÙÜŸŒ«»]|(?i)\b(le|la|les|des|une|vous|votre|pour|avec|est|sont|pas|aucun|aucune|cette|ce|du)\s`)

// frenchAllowed are the Go files whose French is not interface text:
// the demo school's data (names people would have typed) and the built-in
// default of a config value (the name a school types over it).
var frenchAllowed = map[string]string{
	"appliance/roster/demo.go":     "the demo school's names and classes",
	"appliance/loadtest/city.go":   "a load test's generated data",
	"appliance/loadtest/seed.go":   "a load test's generated data",
	"appliance/loadtest/probes.go": "a load test's generated words",
	"appliance/homework/demo.go":   "the demo class's cahier de textes, typed by its teacher",
	"appliance/config/config.go":   "school.name's default is data the school replaces",
}

var commentRe = regexp.MustCompile(`(?m)^\s*//.*$`)

// keyCallRe finds catalogue keys given as literals to the functions that
// take one.
var keyCallRe = regexp.MustCompile(`(?:\b(?:web|i18n|l|loc)\.(?:T|N|M|Emphasis)\(\s*(?:r,\s*)?|\.(?:T|N)\(\s*|\.Error\(w, r, [^,]+, |\.Redirect\(w, r, [^,]+, |apperr\.New\(apperr\.\w+, |apperr\.Text\(|\bi18n\.Error\([^"]*?, |\.L\(\)\.T\(|\bl\.T\(|\b(?:Label|Hint|NotFound|Forbidden|Summary|Usage|Row):\s*)"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`)

func TestGoCodeSpeaksThroughTheCatalogue(t *testing.T) {
	cat := i18n.Default()
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		rel := filepath.ToSlash(filepath.Join("appliance", p))
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		code := commentRe.ReplaceAllString(string(src), "")
		for _, m := range keyCallRe.FindAllStringSubmatch(code, -1) {
			if !cat.Has(i18n.FR, m[1]) {
				t.Errorf("%s: key %q is not in the catalogue", rel, m[1])
			}
		}
		if _, ok := frenchAllowed[rel]; ok || untranslated[rel] {
			return nil
		}
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			// A declaration whose comment says i18n:data holds data in
			// French (a file format's column names), not interface text.
			if d, ok := n.(*ast.GenDecl); ok && d.Doc != nil && strings.Contains(d.Doc.Text(), "i18n:data") {
				return false
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && frenchRe.MatchString(strings.ReplaceAll(s, "Préau", "")) {
				t.Errorf("%s: %q reads as French: put it in the catalogue (ui/locales) and say it in the reader's language",
					fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
