package i18n

import (
	"fmt"
	"html"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"preau/ui"
)

// Catalogue holds every message in every language, compiled once: a
// message is a list of literal parts and {{.Name}} placeholders per plural
// form, so rendering one is a map lookup and a few appends, not a template
// execution (the dashboard renders dozens per page).
type Catalogue struct {
	msgs  map[Lang]map[string]*message
	files map[string]string // key → the file that defines it, to refuse duplicates
}

// message is one key in one language: its text for each CLDR plural form
// present ("other" always).
type message struct {
	forms map[plural.Form]compiled
}

// compiled is a message's text cut at its placeholders: parts[0], then the
// value of names[0], then parts[1], and so on.
type compiled struct {
	parts []string
	names []string
}

// Load reads every <area>.<lang>.toml file under dir of fsys. A file of an
// unknown language, a key defined twice, or a placeholder other than
// {{.Name}} is an error naming the file and the key.
func Load(fsys fs.FS, dir string) (*Catalogue, error) {
	c := &Catalogue{msgs: make(map[Lang]map[string]*message), files: make(map[string]string)}
	for _, l := range Langs {
		c.msgs[l] = make(map[string]*message)
	}
	files, err := fs.Glob(fsys, path.Join(dir, "*.toml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("i18n: no message file in %s", dir)
	}
	unmarshal := map[string]goi18n.UnmarshalFunc{"toml": toml.Unmarshal}
	for _, name := range files {
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		mf, err := goi18n.ParseMessageFileBytes(buf, name, unmarshal)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		lang, ok := Parse(mf.Tag.String())
		if !ok || mf.Tag.String() != string(lang) {
			return nil, fmt.Errorf("i18n: %s: language %q is none of fr, en, ar (name files <area>.<lang>.toml)", name, mf.Tag)
		}
		for _, m := range mf.Messages {
			where := string(lang) + ":" + m.ID
			if prev, dup := c.files[where]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q already defined in %s", name, m.ID, prev)
			}
			c.files[where] = name
			cm, err := compileMessage(m)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s: key %q: %w", name, m.ID, err)
			}
			c.msgs[lang][m.ID] = cm
		}
	}
	return c, nil
}

func compileMessage(m *goi18n.Message) (*message, error) {
	forms := map[plural.Form]string{plural.Zero: m.Zero, plural.One: m.One, plural.Two: m.Two,
		plural.Few: m.Few, plural.Many: m.Many, plural.Other: m.Other}
	if m.Other == "" {
		return nil, fmt.Errorf(`no "other" form`)
	}
	out := &message{forms: make(map[plural.Form]compiled)}
	for f, src := range forms {
		if src == "" {
			continue
		}
		cm, err := compile(src)
		if err != nil {
			return nil, err
		}
		out.forms[f] = cm
	}
	return out, nil
}

// compile cuts src at its {{.Name}} placeholders. Nothing else of Go's
// templates is allowed: a translator writes sentences, not programs.
func compile(src string) (compiled, error) {
	var c compiled
	for {
		i := strings.Index(src, "{{")
		if i < 0 {
			c.parts = append(c.parts, src)
			return c, nil
		}
		j := strings.Index(src[i:], "}}")
		if j < 0 {
			return c, fmt.Errorf("unclosed {{ in %q", src)
		}
		name := strings.TrimSpace(src[i+2 : i+j])
		if !strings.HasPrefix(name, ".") || !isIdent(name[1:]) {
			return c, fmt.Errorf("placeholder {{%s}} is not of the form {{.Name}}", name)
		}
		c.parts = append(c.parts, src[:i])
		c.names = append(c.names, name[1:])
		src = src[i+j+2:]
	}
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// Has reports whether lang's catalogue holds key.
func (c *Catalogue) Has(lang Lang, key string) bool {
	_, ok := c.msgs[lang][key]
	return ok
}

// Keys lists lang's keys, sorted.
func (c *Catalogue) Keys(lang Lang) []string {
	out := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Placeholders lists the names a key's message inserts, in every form,
// sorted and without repeats: the same in every language, or a
// translation loses (or invents) a value.
func (c *Catalogue) Placeholders(lang Lang, key string) []string {
	m := c.msgs[lang][key]
	if m == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, f := range m.forms {
		for _, n := range f.names {
			seen[n] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Plural reports whether a key's message in lang has plural forms.
func (c *Catalogue) Plural(lang Lang, key string) bool {
	m := c.msgs[lang][key]
	return m != nil && len(m.forms) > 1
}

// lookup finds key in lang, then in French; nil when neither has it.
func (c *Catalogue) lookup(lang Lang, key string) *message {
	if m, ok := c.msgs[lang][key]; ok {
		return m
	}
	return c.msgs[FR][key]
}

// T renders key in lang with args given as name, value pairs
// (T(AR, "home.greeting", "Name", u.FirstName)). A key the catalogue lacks
// shows as itself: the catalogue tests make that a failing build, not a
// blank page.
func (c *Catalogue) T(lang Lang, key string, args ...any) string {
	m := c.lookup(lang, key)
	if m == nil {
		return key
	}
	return m.forms[plural.Other].render(lang, c, args)
}

// N renders key for a count of n, in the plural form lang gives n (Arabic
// has six); the message reads the count as {{.Count}}.
func (c *Catalogue) N(lang Lang, key string, n int, args ...any) string {
	m := c.lookup(lang, key)
	if m == nil {
		return key
	}
	f, ok := m.forms[pluralForm(lang, n)]
	if !ok {
		f = m.forms[plural.Other]
	}
	return f.render(lang, c, append(args, "Count", n))
}

var tags = map[Lang]language.Tag{FR: language.French, EN: language.English, AR: language.Arabic}

func pluralForm(lang Lang, n int) plural.Form {
	if n < 0 {
		n = -n
	}
	return plural.Cardinal.MatchPlural(tags[lang], n, 0, 0, 0, 0)
}

func (cm compiled) render(lang Lang, c *Catalogue, args []any) string {
	if len(cm.names) == 0 {
		return cm.parts[0]
	}
	var b strings.Builder
	for i, name := range cm.names {
		b.WriteString(cm.parts[i])
		b.WriteString(c.arg(lang, name, args))
	}
	b.WriteString(cm.parts[len(cm.parts)-1])
	return b.String()
}

// Emphasis renders key in lang as HTML: its text escaped, each argument
// escaped and set in <strong><bdi>…</bdi></strong>, so that a name a person
// typed stands out and keeps its own direction inside the sentence.
func (c *Catalogue) Emphasis(lang Lang, key string, args ...any) string {
	m := c.lookup(lang, key)
	if m == nil {
		return html.EscapeString(key)
	}
	cm := m.forms[plural.Other]
	var b strings.Builder
	for i, name := range cm.names {
		b.WriteString(html.EscapeString(cm.parts[i]))
		b.WriteString("<strong><bdi>")
		b.WriteString(html.EscapeString(c.arg(lang, name, args)))
		b.WriteString("</bdi></strong>")
	}
	b.WriteString(html.EscapeString(cm.parts[len(cm.parts)-1]))
	return b.String()
}

// arg is the value named name among args, written for lang: numbers with
// the language's digit grouping, a Message in the same language.
func (c *Catalogue) arg(lang Lang, name string, args []any) string {
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] != name {
			continue
		}
		switch v := args[i+1].(type) {
		case string:
			return v
		case int:
			return c.Number(lang, v)
		case int64:
			return c.Number(lang, int(v))
		case Message:
			return v.in(lang, c)
		case time.Time: // a day, written in full as the language does
			return (&Localizer{Lang: lang, c: c}).Date(v)
		case Localized: // an error that says itself, inside a sentence
			return v.Localize(lang)
		case fmt.Stringer:
			return v.String()
		default:
			return fmt.Sprint(v)
		}
	}
	return ""
}

// Number writes n with lang's grouping of thousands (« 12 345 » in
// French, "12,345" in English); digits stay Western Arabic in every
// language, as Maghreb usage has them.
func (c *Catalogue) Number(lang Lang, n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= 4 && lang == FR || len(s) <= 3 { // French groups from five digits: « 2026 », « 12 345 »
		if neg {
			return "-" + s
		}
		return s
	}
	sep := c.T(lang, "number.group")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// Default is the catalogue embedded in the binary (ui/locales). It is read
// on first use; the catalogue's tests make sure it always loads.
var Default = sync.OnceValue(func() *Catalogue {
	c, err := Load(ui.FS, "locales")
	if err != nil {
		panic(err)
	}
	return c
})
