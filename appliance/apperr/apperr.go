// Package apperr holds the kinds of failure every layer shares: what was
// asked for does not exist, is not the asker's, is not valid, or clashes
// with what is there. The web layer answers each kind with its HTTP status
// (404, 403, 400, 409) for every feature, pages and JSON alike, so a
// service says what went wrong and never how to answer it.
//
// An error's text is shown to the person who caused it: French, saying what
// to do. Wrap a kind to give the reason, fmt.Errorf("%w : classe inconnue",
// apperr.ErrInvalid), or make an error of a kind with a text of its own,
// apperr.New(apperr.ErrConflict, "cet identifiant est déjà utilisé").
//
// It imports nothing of the appliance: store, text, auth and every feature
// build on it.
package apperr

import "errors"

// The kinds of failure, and the texts they show when given no reason.
var (
	ErrNotFound  = errors.New("introuvable")
	ErrForbidden = errors.New("vous n'avez pas accès à cette action")
	ErrInvalid   = errors.New("données invalides")
	ErrConflict  = errors.New("cette action contredit l'état actuel")
)

// New is an error of kind whose text is msg alone: errors.Is(err, kind)
// holds, and the person reads msg.
func New(kind error, msg string) error { return &kindError{kind: kind, msg: msg} }

type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
