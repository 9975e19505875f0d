package i18n

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Localizer speaks one language from the default catalogue: what a
// request's handlers and templates use.
type Localizer struct {
	Lang Lang
	c    *Catalogue
}

// For is the localizer of lang (French for a language Préau does not
// speak). There is one per language: a page asks for it many times.
func For(lang Lang) *Localizer {
	ls := localizers()
	switch lang {
	case EN:
		return ls[1]
	case AR:
		return ls[2]
	}
	return ls[0]
}

var localizers = sync.OnceValue(func() [3]*Localizer {
	c := Default()
	return [3]*Localizer{{Lang: FR, c: c}, {Lang: EN, c: c}, {Lang: AR, c: c}}
})

// T renders key with name, value pairs (see Catalogue.T).
func (l *Localizer) T(key string, args ...any) string { return l.c.T(l.Lang, key, args...) }

// Emphasis renders key as escaped HTML with its arguments in bold (see
// Catalogue.Emphasis).
func (l *Localizer) Emphasis(key string, args ...any) string {
	return l.c.Emphasis(l.Lang, key, args...)
}

// N renders key for a count (see Catalogue.N).
func (l *Localizer) N(key string, n int, args ...any) string { return l.c.N(l.Lang, key, n, args...) }

// Number writes n as the language groups its digits.
func (l *Localizer) Number(n int) string { return l.c.Number(l.Lang, n) }

// Dir is "rtl" or "ltr".
func (l *Localizer) Dir() string { return l.Lang.Dir() }

// Date writes a day in full: « jeudi 3 décembre 2026 », "Thursday 3
// December 2026", « الخميس 3 ديسمبر 2026 ».
func (l *Localizer) Date(t time.Time) string {
	return l.T("date.long", "Weekday", l.T("date.weekday."+strconv.Itoa(int(t.Weekday()))),
		"Day", strconv.Itoa(t.Day()), "Month", l.T("date.month."+strconv.Itoa(int(t.Month()))),
		"Year", strconv.Itoa(t.Year()))
}

// ShortDate writes a day without its weekday: « 3 décembre 2026 ».
func (l *Localizer) ShortDate(t time.Time) string {
	return l.T("date.short", "Day", strconv.Itoa(t.Day()), "Month", l.T("date.month."+strconv.Itoa(int(t.Month()))),
		"Year", strconv.Itoa(t.Year()))
}

// Time writes a time of day, 24-hour: « 14:05 ».
func (l *Localizer) Time(t time.Time) string { return t.Format("15:04") }

// DateTime writes a day and a time: « jeudi 3 décembre 2026 à 14:05 ».
func (l *Localizer) DateTime(t time.Time) string {
	return l.T("date.at", "Date", l.Date(t), "Time", l.Time(t))
}

// Message is a sentence not yet put into words: a key and its arguments,
// rendered in the reader's language when someone reads it. Errors carry
// one, so that a service need not know who will read its refusal.
type Message struct {
	Key  string
	Args []any
}

// Size is a file's size in words: « 12 Ko », « 3.4 Mo », « 2.5 Go ».
func Size(n int64) Message {
	switch {
	case n < 1<<20:
		return M("size.kb", "N", int((n+1023)/1024))
	case n < 1<<30:
		return M("size.mb", "N", tenths(float64(n)/(1<<20)))
	}
	return M("size.gb", "N", tenths(float64(n)/(1<<30)))
}

// tenths writes x to one decimal, none when it is whole: « 3.4 », « 100 ».
func tenths(x float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(x, 'f', 1, 64), ".0")
}

// M is the message key with name, value pairs.
func M(key string, args ...any) Message { return Message{Key: key, Args: args} }

// In renders the message in lang.
func (m Message) In(lang Lang) string { return m.in(lang, Default()) }

func (m Message) in(lang Lang, c *Catalogue) string {
	if n, ok := m.count(); ok {
		return c.N(lang, m.Key, n, m.Args...)
	}
	return c.T(lang, m.Key, m.Args...)
}

// count is the message's "Count" argument, when it has one: a message
// with a count takes its plural form from it.
func (m Message) count() (int, bool) {
	for i := 0; i+1 < len(m.Args); i += 2 {
		if m.Args[i] == "Count" {
			n, ok := m.Args[i+1].(int)
			return n, ok
		}
	}
	return 0, false
}

// String is the French text, for logs and for Go's error chains.
func (m Message) String() string { return m.In(FR) }

// Localized is what can say itself in a language: apperr's errors, and
// any error a feature defines for people to read.
type Localized interface {
	Localize(Lang) string
}

// ErrorText is what a person reading lang is told of err: the text of the
// first Localized error in its chain, else err's own text. A bare kind of
// failure (apperr.ErrInvalid alone, which says only "données invalides")
// speaks only when nothing wraps it: a wrapper's own text says more.
func ErrorText(err error, lang Lang) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		le, ok := e.(Localized)
		if !ok {
			continue
		}
		if b, ok := e.(interface{ Bare() bool }); ok && b.Bare() && e != err {
			break
		}
		return le.Localize(lang)
	}
	return err.Error()
}

// Error is an error said in the reader's language: the message key with
// its arguments, and the errors it stands for (errors.Is holds for each of
// causes), for failures of no apperr kind, such as a refused sync batch or a
// broken backup archive. Error() gives the French text, for logs.
func Error(causes []error, key string, args ...any) error {
	return &localError{msg: M(key, args...), causes: causes}
}

type localError struct {
	msg    Message
	causes []error
}

func (e *localError) Error() string             { return e.msg.String() }
func (e *localError) Localize(lang Lang) string { return e.msg.In(lang) }
func (e *localError) Unwrap() []error           { return e.causes }
