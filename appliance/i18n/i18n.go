// Package i18n is the interface's languages: French (the source), English
// and Arabic (right to left). Every sentence a person reads comes from one
// catalogue, embedded from ui/locales/<area>.<lang>.toml, through a
// Localizer for the reader's language: templates call {{t "key"}}, Go code
// calls Localizer.T, and errors carry a Message that the web layer renders
// in the language of whoever reads it.
//
// Message files use go-i18n's format: a key holds a string, or a table of
// CLDR plural forms (zero, one, two, few, many, other) for messages that
// count; {{.Name}} inserts an argument.
//
// It imports nothing of the appliance but the embedded ui files; apperr,
// web and every feature build on it.
package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// Lang is a language the interface speaks.
type Lang string

// The languages, French first: it is the source and the fallback.
const (
	FR Lang = "fr"
	EN Lang = "en"
	AR Lang = "ar"
)

// Langs lists the languages in the order a language switch shows them.
var Langs = []Lang{FR, EN, AR}

// Parse reads a language code ("ar", "en-GB", "FR"); ok is false for a
// language Préau does not speak, which callers replace by their default.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	for _, l := range Langs {
		if string(l) == s {
			return l, true
		}
	}
	return "", false
}

// Dir is the writing direction of the language, for <html dir>.
func (l Lang) Dir() string {
	if l == AR {
		return "rtl"
	}
	return "ltr"
}

var matcher = language.NewMatcher([]language.Tag{language.French, language.English, language.Arabic})

// Negotiate picks the language an Accept-Language header prefers among
// those Préau speaks; ok is false when it names none of them (or cannot be
// read), and the caller keeps its default.
func Negotiate(acceptLanguage string) (Lang, bool) {
	if acceptLanguage == "" {
		return "", false
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return "", false
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return "", false
	}
	return Langs[i], true
}

// FromEnv is the language a terminal's locale asks for (LC_ALL, then
// LC_MESSAGES, then LANG, as POSIX has it: "ar_MA.UTF-8" is Arabic); ok is
// false for a locale of no language Préau speaks ("C", "de_DE"). The
// command line speaks it, else i18n.default_language.
func FromEnv(getenv func(string) string) (Lang, bool) {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		if i := strings.IndexAny(v, ".@"); i >= 0 {
			v = v[:i]
		}
		return Parse(v)
	}
	return "", false
}
