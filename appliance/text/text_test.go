package text

import (
	"errors"
	"strings"
	"testing"

	"preau/appliance/apperr"
)

func TestLine(t *testing.T) {
	hundred := strings.Repeat("é", 100)
	for _, tc := range []struct {
		name, in, want string
		refused        string // part of the message; "" when accepted
	}{
		{"Arabic", "محمد بن علي", "محمد بن علي", ""},
		{"Persian with a ZWNJ", "می\u200Cخواهم", "می\u200Cخواهم", ""},
		{"accented Latin, hyphen, apostrophe", "  Zoé-Léa N'Diaye ", "Zoé-Léa N'Diaye", ""},
		{"Nordic letters", "Ægir Ødegård", "Ægir Ødegård", ""},
		{"typographic apostrophe", "D’Artagnan", "D’Artagnan", ""},
		{"Cyrillic", "Сергей Прокофьев", "Сергей Прокофьев", ""},
		{"Chinese", "王小明", "王小明", ""},
		{"Devanagari with a ZWJ", "क्\u200Dष", "क्\u200Dष", ""},
		{"decomposed, stored composed", "Zoe\u0301", "Zoé", ""},
		{"100 characters of two bytes", hundred, hundred, ""},
		{"trailing newline trimmed", "Léa\n", "Léa", ""},
		{"101 characters", hundred + "e", "", "ne doit pas dépasser 100 caractères (101 saisis)"},
		{"right-to-left override", "Léa\u202EnitraM", "", "caractère invisible ou de contrôle (U+202E, position 4)"},
		{"left-to-right isolate", "\u2066Léa", "", "U+2066"},
		{"pop directional isolate", "Léa\u2069", "", "U+2069"},
		{"left-to-right mark", "Léa\u200E", "", "U+200E"},
		{"zero-width space", "Lé\u200Ba", "", "U+200B"},
		{"NUL", "Léa\x00Martin", "", "U+0000"},
		{"newline", "Léa\nMartin", "", "doit tenir sur une ligne"},
		{"line separator", "Léa\u2028Martin", "", "doit tenir sur une ligne"},
		{"tab", "Léa\tMartin", "", "tabulation (position 4)"},
		{"not UTF-8", "L\xe9a", "", "UTF-8"},
	} {
		got, err := Line("le prénom", tc.in, MaxName)
		switch {
		case tc.refused == "" && (err != nil || got != tc.want):
			t.Errorf("%s: Line(%q) = %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		case tc.refused != "" && err == nil:
			t.Errorf("%s: Line(%q) accepted as %q", tc.name, tc.in, got)
		case tc.refused != "":
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("%s: %v does not wrap ErrInvalid", tc.name, err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "le prénom ") || !strings.Contains(msg, tc.refused) {
				t.Errorf("%s: message %q, want the field and %q", tc.name, msg, tc.refused)
			}
			if strings.Contains(err.Error(), strings.TrimSpace(tc.in)) {
				t.Errorf("%s: the message quotes the value: %q", tc.name, err)
			}
		}
	}
}

func TestBody(t *testing.T) {
	got, err := Body("le message", "Bonjour,\r\n\tla sortie est \u200Fأمس\u200E.\n", 100)
	if want := "Bonjour,\n\tla sortie est \u200Fأمس\u200E."; err != nil || got != want {
		t.Errorf("Body = %q, %v; want %q", got, err, want)
	}
	for _, in := range []string{"a\u202Eb", "a\u2067b", "a\x00b", "a\u2028b"} {
		if _, err := Body("le message", in, 100); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("Body(%q) = %v, want a refusal", in, err)
		}
	}
	if _, err := Body("le message", strings.Repeat("a\n", 51), 100); err == nil {
		t.Error("a body over its limit accepted")
	}
}

func TestShort(t *testing.T) {
	for in, want := range map[string]string{
		"Léa":                                  "Léa",
		strings.Repeat("é", 20):                strings.Repeat("é", 20),
		strings.Repeat("é", 21):                strings.Repeat("é", 20) + "…",
		"Léa\u202EnitraM":                      "Léa�nitraM",
		"a\x00b\nc":                            "a�b�c",
		"  " + strings.Repeat("x", 5000) + " ": strings.Repeat("x", 20) + "…",
	} {
		if got := Short(in); got != want {
			t.Errorf("Short(%.30q) = %q, want %q", in, got, want)
		}
	}
}

func TestStripAccents(t *testing.T) {
	for in, want := range map[string]string{
		"Léa-Marie":       "Lea-Marie",
		"Ørsted Müller":   "Ørsted Muller",
		"plain ASCII":     "plain ASCII",
		"Noël à l'école":  "Noel a l'ecole",
		"e\u0301te\u0301": "ete",
		"مَدْرَسَة":       "مدرسة",
	} {
		if got := StripAccents(in); got != want {
			t.Errorf("StripAccents(%q) = %q, want %q", in, got, want)
		}
	}
}
