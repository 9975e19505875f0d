// Package text holds the rules every field people type follows: a length
// counted in characters, and no character that hides or reorders text. A
// name is read by a whole school: a right-to-left override or an invisible
// character in it would let one account pass for another, or turn the line
// it is shown in around.
//
// Each feature declares its own fields' limits and cleans what it stores
// with Line (names, titles) or Body (several lines). Messages are French,
// for the person who typed.
//
// It imports only apperr: auth and every feature build on it.
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"preau/appliance/apperr"
)

// Limits, in characters, of the fields several places store.
const (
	MaxName  = 100 // a person's first, last or display name; a class's or a school's name
	MaxEmail = 254 // the longest address mail can carry (RFC 5321)
)

// refusal is a refused field: its text is the sentence shown as is, which
// names the field and says what to do.
type refusal string

func (e refusal) Error() string { return string(e) }

// Unwrap makes a refused field invalid data like any other: pages and the
// API answer it with 400.
func (e refusal) Unwrap() error { return apperr.ErrInvalid }

func refuse(format string, args ...any) error { return refusal(fmt.Sprintf(format, args...)) }

// Line cleans one line of typed text, such as a name or a title: in NFC,
// trimmed, at most max characters, with no control character, line break or
// invisible format character — save the zero-width joiner and non-joiner,
// which Arabic, Persian and Indic names need. field names it in messages:
// "le prénom". An empty result is left to the caller, who knows whether
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
		return "", refuse("%s n'est pas du texte lisible (encodage UTF-8 attendu) : saisissez-le de nouveau", field)
	}
	v := strings.TrimSpace(norm.NFC.String(value))
	if n := utf8.RuneCountInString(v); n > max {
		return "", refuse("%s ne doit pas dépasser %d caractères (%d saisis)", field, max, n)
	}
	pos := 0
	for _, r := range v {
		pos++
		if !refused(r, lines) {
			continue
		}
		switch {
		case r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			return "", refuse("%s doit tenir sur une ligne : retirez le retour à la ligne (position %d)", field, pos)
		case r == '\t':
			return "", refuse("%s contient une tabulation (position %d) : remplacez-la par un espace", field, pos)
		}
		return "", refuse("%s contient un caractère invisible ou de contrôle (U+%04X, position %d) : retirez-le", field, r, pos)
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
