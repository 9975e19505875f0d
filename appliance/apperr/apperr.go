// Package apperr holds the kinds of failure every layer shares: what was
// asked for does not exist, is not the asker's, is not valid, or clashes
// with what is there. The web layer answers each kind with its HTTP status
// (404, 403, 400, 409) for every feature, pages and JSON alike, so a
// service says what went wrong and never how to answer it.
//
// An error's text is shown to the person who caused it, in their language:
// it is a catalogue message (see package i18n), saying what to do. Make an
// error of a kind with apperr.New(apperr.ErrInvalid, "roster.error.unknown_class"),
// with arguments as name, value pairs; the web layer renders it for the
// reader, and Error() gives the French text for logs.
//
// It imports only i18n: store, text, auth and every feature build on it.
package apperr

import "preau/appliance/i18n"

// The kinds of failure, and the texts they show when given no reason.
var (
	ErrNotFound  error = &kindError{msg: i18n.M("error.not_found"), bare: true}
	ErrForbidden error = &kindError{msg: i18n.M("error.forbidden"), bare: true}
	ErrInvalid   error = &kindError{msg: i18n.M("error.invalid"), bare: true}
	ErrConflict  error = &kindError{msg: i18n.M("error.conflict"), bare: true}
	// ErrTooLarge is what does not fit: a file over a limit or a quota.
	ErrTooLarge error = &kindError{msg: i18n.M("error.too_large"), bare: true}
	// ErrUnavailable is what cannot be had now but will be: a file of the
	// city's library while the link to central is down.
	ErrUnavailable error = &kindError{msg: i18n.M("error.unavailable"), bare: true}
)

// New is an error of kind whose text is the catalogue message key with
// args (name, value pairs): errors.Is(err, kind) holds, and the person
// reads the message in their language.
func New(kind error, key string, args ...any) error {
	return &kindError{kind: kind, msg: i18n.M(key, args...)}
}

// Text is an error of no kind whose text is the catalogue message key: a
// refusal its caller answers itself (a wrong password is 401, not 400).
func Text(key string, args ...any) error { return &kindError{msg: i18n.M(key, args...)} }

type kindError struct {
	kind error // nil for the kinds themselves and for Text
	msg  i18n.Message
	bare bool // one of the kinds
}

func (e *kindError) Error() string                  { return e.msg.String() }
func (e *kindError) Unwrap() error                  { return e.kind }
func (e *kindError) Localize(lang i18n.Lang) string { return e.msg.In(lang) }

// Bare reports whether e is one of the kinds themselves, which says less
// than any error wrapping it (see i18n.ErrorText).
func (e *kindError) Bare() bool { return e.bare }
