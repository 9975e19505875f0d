// Package text holds the rules every field people type follows: a length
// counted in characters, and no character that hides or reorders text. A
// name is read by a whole school: a right-to-left override or an invisible
// character in it would let one account pass for another, or turn the line
// it is shown in around.
//
// Each feature declares its own fields' limits and cleans what it stores
// with Line (names, titles) or Body (several lines). A field is named by its
// catalogue key ("field.first_name"); refusals are catalogue messages, said
// in the language of the person who typed.
//
// It imports only apperr, i18n, golang.org/x/text, bluemonday and goldmark
// (SafeHTML and Markdown, for what people write): auth and every feature
// build on it.
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"preau/appliance/apperr"
	"preau/appliance/i18n"
)

// Limits, in characters, of the fields several places store.
const (
	MaxName  = 100 // a person's first, last or display name; a class's or a school's name
	MaxEmail = 254 // the longest address mail can carry (RFC 5321)
)

// refuse is a refused field: invalid data like any other (pages and the
// API answer it with 400), with a sentence that names the field and says
// what to do.
func refuse(key, field string, args ...any) error {
	return apperr.New(apperr.ErrInvalid, key, append([]any{"Field", i18n.M(field)}, args...)...)
}

// Line cleans one line of typed text, such as a name or a title: in NFC,
// trimmed, at most max characters, with no control character, line break or
// invisible format character — save the zero-width joiner and non-joiner,
// which Arabic, Persian and Indic names need. field is the catalogue key
// that names it in messages: "field.first_name". An empty result is left to the caller, who knows whether
// the field is required.
func Line(field, value string, max int) (string, error) { return clean(field, value, max, false) }

// Name is Line for the names of people and places: at most MaxName.
func Name(field, value string) (string, error) { return Line(field, value, MaxName) }

// Body cleans typed text of several lines, such as a message: as Line, but
// line breaks (stored as "\n") and tabs are kept, and so are the invisible
// marks that prose mixing Arabic and French carries (U+200E, U+200F). The
// bidirectional embeddings, overrides and isolates are still refused: they
// reorder what follows them.
func Body(field, value string, max int) (string, error) {
	value = strings.ReplaceAll(strings.ReplaceAll(value, "\r\n", "\n"), "\r", "\n")
	return clean(field, value, max, true)
}

func clean(field, value string, max int, lines bool) (string, error) {
	if !utf8.ValidString(value) {
		return "", refuse("text.not_utf8", field)
	}
	v := strings.TrimSpace(norm.NFC.String(value))
	if n := utf8.RuneCountInString(v); n > max {
		return "", refuse("text.too_long", field, "Max", max, "Typed", n)
	}
	pos := 0
	for _, r := range v {
		pos++
		if !refused(r, lines) {
			continue
		}
		switch {
		case r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			return "", refuse("text.one_line", field, "Pos", pos)
		case r == '\t':
			return "", refuse("text.tab", field, "Pos", pos)
		}
		return "", refuse("text.invisible", field, "Code", fmt.Sprintf("U+%04X", r), "Pos", pos)
	}
	return v, nil
}

// refused reports whether r has no place in typed text; lines allows what a
// text of several lines keeps.
func refused(r rune, lines bool) bool {
	switch {
	case r == '\u200C' || r == '\u200D': // ZWNJ, ZWJ: they shape letters
		return false
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069': // embeddings, overrides, isolates
		return true
	case lines && (r == '\n' || r == '\t' || unicode.Is(unicode.Cf, r)):
		return false
	}
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp)
}

// shortLen is how many characters of a value a message quotes.
const shortLen = 20

// Short is the start of a value to quote in a message: its first
// characters, with "…" when there were more, and "�" for each character
// Line refuses. A refused value is never shown whole, and a quoted one can
// neither hide in the message nor turn it around.
func Short(value string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(value) {
		if n == shortLen {
			b.WriteRune('…')
			break
		}
		if refused(r, false) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
