package web

import (
	"html/template"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"preau/appliance/i18n"
)

// A drawing's key tells values apart exactly as the partial would: what
// differs in any exported field, however it is nested, makes another key.
func TestDrawnKeysTellValuesApart(t *testing.T) {
	type inner struct{ Name string }
	type card struct {
		Title  string
		Count  int
		On     bool
		Names  []string
		Inner  inner
		Ptr    *inner
		Any    any
		When   time.Time
		hidden string
	}
	key := func(v any) string {
		var b strings.Builder
		if err := writeKey(&b, reflect.ValueOf(v), 0); err != nil {
			t.Fatalf("key of %#v: %v", v, err)
		}
		return b.String()
	}
	day := time.Date(2026, 12, 4, 8, 30, 0, 0, time.UTC)
	base := card{Title: "CE2", Count: 3, Names: []string{"ab", "c"}, Inner: inner{"x"}, Ptr: &inner{"y"}, Any: 1, When: day}
	same := base
	same.Ptr = &inner{"y"}
	same.hidden = "not drawn"
	if key(base) != key(same) {
		t.Errorf("equal values, different keys")
	}
	for name, change := range map[string]func(*card){
		"title":          func(c *card) { c.Title = "CE1" },
		"count":          func(c *card) { c.Count = 4 },
		"bool":           func(c *card) { c.On = true },
		"split strings":  func(c *card) { c.Names = []string{"a", "bc"} },
		"longer list":    func(c *card) { c.Names = append(c.Names, "") },
		"nested":         func(c *card) { c.Inner.Name = "z" },
		"pointed to":     func(c *card) { c.Ptr = &inner{"w"} },
		"nil pointer":    func(c *card) { c.Ptr = nil },
		"interface kind": func(c *card) { c.Any = "1" },
		"time":           func(c *card) { c.When = day.Add(time.Second) },
		"time zone":      func(c *card) { c.When = day.In(time.FixedZone("Paris", 3600)) },
	} {
		changed := base
		change(&changed)
		if key(changed) == key(base) {
			t.Errorf("%s: a different value has the same key", name)
		}
	}
	var b strings.Builder
	if err := writeKey(&b, reflect.ValueOf(struct{ F func() }{}), 0); err == nil {
		t.Errorf("a function was taken as a key")
	}
}

// A partial is drawn once per language and value, escaped as a template
// draws it; a page's own partial is found in the page's file.
func TestDrawnPartialsAreDrawnOncePerValue(t *testing.T) {
	fsys := fstest.MapFS{
		"layout/base.html":     {Data: []byte(`{{define "base"}}{{template "content" .}}{{end}}{{define "chip"}}<b title="{{.}}">{{count}}{{.}}</b>{{end}}`)},
		"dashboard/page.html":  {Data: []byte(`{{define "content"}}{{drawn "chip" .Data}}{{drawn "own" .Data}}{{end}}{{define "own"}}<i>{{.}}</i>{{end}}`)},
		"dashboard/other.html": {Data: []byte(`{{define "content"}}{{end}}{{define "own"}}<u>{{.}}</u>{{end}}`)},
	}
	drawings := 0
	funcs := func(*i18n.Localizer) template.FuncMap {
		return template.FuncMap{"count": func() string { drawings++; return "" }}
	}
	v, err := newViews(fsys, false, funcs)
	if err != nil {
		t.Fatal(err)
	}
	draw := func(lang i18n.Lang, page, name, value string) string {
		h, err := v.draw(lang, page, name, value)
		if err != nil {
			t.Fatalf("draw %s %s: %v", page, name, err)
		}
		return string(h)
	}
	if got := draw(i18n.FR, "dashboard/page", "chip", `<CE2 "A">`); got != `<b title="&lt;CE2 &#34;A&#34;&gt;">&lt;CE2 &#34;A&#34;&gt;</b>` {
		t.Errorf("drawn: %s", got)
	}
	draw(i18n.FR, "dashboard/other", "chip", `<CE2 "A">`) // a layout's partial is the same on every page
	if drawings != 1 {
		t.Errorf("the same value was drawn %d times", drawings)
	}
	draw(i18n.FR, "dashboard/page", "chip", "CM1")
	draw(i18n.AR, "dashboard/page", "chip", "CM1")
	if drawings != 3 {
		t.Errorf("another value or language: %d drawings, want 3", drawings)
	}
	if got := draw(i18n.FR, "dashboard/page", "own", "x") + draw(i18n.FR, "dashboard/other", "own", "x"); got != "<i>x</i><u>x</u>" {
		t.Errorf("pages' own partials: %s", got)
	}
	if _, err := v.draw(i18n.FR, "dashboard/page", "nowhere", "x"); err == nil {
		t.Errorf("a partial that does not exist was drawn")
	}
	v.drawn.born = time.Now().Add(-2 * drawnLife)
	draw(i18n.FR, "dashboard/page", "chip", "CM1")
	if drawings != 4 {
		t.Errorf("a drawing outlived its minute: %d drawings, want 4", drawings)
	}
}
