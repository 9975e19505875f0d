package feature

import (
	"context"
	"io"
	"time"

	"preau/appliance/auth"
	"preau/appliance/i18n"
	"preau/appliance/store"
)

// Personal is a feature's part of what the RGPD gives a person over their
// data: the export of everything the feature holds written by them or
// about them, and its erasure on the director's order. A feature that
// holds nothing personal leaves both nil.
type Personal struct {
	// Export writes into x what the feature holds written by u or about
	// u: its rows as JSON parts, and the files they name.
	Export func(env *Env, ctx context.Context, u auth.User, x Export) error
	// Erase removes what the feature holds of u, or anonymises it where
	// the school must keep a record (say which, and why, in a comment
	// there: the privacy page names them). It writes replicated rows the
	// usual way, so the erasure reaches central as updates and tombstones.
	Erase func(env *Env, ctx context.Context, u auth.User) error
	// Retain applies the feature's part of the retention rules
	// (env.Config.Retention) as of now: what is older than its rule says
	// goes, the usual way for replicated rows. The privacy feature's daily
	// job calls it; nil when the feature keeps nothing under such a rule.
	Retain func(env *Env, ctx context.Context, now time.Time) error
}

// Export is a person's export being written: a zip, one folder per
// feature.
type Export interface {
	// Part adds v, marshalled to JSON, as the file name (".json" added).
	Part(name string, v any) error
	// File adds the stored blob hash as the file path (a name the person
	// would recognise: the document's own).
	File(path, hash string) error
	// Write adds what r reads as the file path: a file the feature keeps
	// in its row rather than in the blob store (a short mail message).
	Write(path string, r io.Reader) error
}

// ExportRows adds to x, as the part name, the rows query reads: a list of
// objects keyed by the query's column names. No rows, no part: a person
// finds in their export only the folders of what exists. The query names
// its columns, never a secret one.
func (e *Env) ExportRows(ctx context.Context, x Export, name, query string, args ...any) ([]store.Record, error) {
	rows, err := store.Records(ctx, e.DB.Reader(), query, args...)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return rows, nil
	}
	return rows, x.Part(name, rows)
}

// NamedExport is a feature's Personal.Export with the feature's name: its
// folder in the export.
type NamedExport struct {
	Feature string
	Export  func(env *Env, ctx context.Context, u auth.User, x Export) error
}

// LanguageOf is the language u reads Préau in: their choice, else the
// node's default. What an export writes for people to read (a README, a
// notification's title) is in it.
func (e *Env) LanguageOf(u auth.User) i18n.Lang {
	if l, ok := i18n.Parse(u.Language); ok {
		return l
	}
	if l, ok := i18n.Parse(e.Config.DefaultLanguage); ok {
		return l
	}
	return i18n.FR
}

// Eraser is one feature's Personal part, with the feature's name for
// what an erasure or a purge that stops halfway says.
type Eraser struct {
	Feature string
	Personal
}
