package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// StripAccents is s without its accents and other combining marks: « Léa
// Ørsted-Müller » → « Lea Ørsted-Muller ». Logins are made of names with
// it, names compared (CSV import, search ranking) and replies to old mail
// clients written in ASCII. Most text is plain ASCII and is given back as
// it is. Safe for concurrent use (a transform.Chain shared between
// goroutines is not).
func StripAccents(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}
