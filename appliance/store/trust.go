package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"preau/appliance/i18n"
	"strings"
)

// What central trusts of a school. A school's node key is held by whoever
// is root on that school's server, so central treats every row a school
// pushes as a claim: it must be something that school's own users could have
// written through the pages and the API. Each table's owner declares the
// rule (Schema.PushChecks); a table without one is refused. And credentials
// travel only to the nodes where their account logs in (Schema.Secrets).

// Pushed is one row a school pushed, as its table's PushCheck sees it.
type Pushed struct {
	School string // the pushing school
	Row    Row    // as pushed
	Prior  *Row   // central's version before the batch, nil for a new row
	// Tx reads central's state with the whole batch applied, for the rows
	// this one points to (a pupil created in the same batch as its class).
	Tx *Tx

	db *DB
}

// PushCheck says why a pushed row is refused, nil when the school may write it.
// Its error names the rule, in French.
type PushCheck func(ctx context.Context, p Pushed) error

// ScopeIsEnough is the rule of a table whose rows reach nothing beyond
// their scope, which central has checked already (test tables, a school's own
// notes): any row of the school's scope is one its users could write.
func ScopeIsEnough(context.Context, Pushed) error { return nil }

// ErrRefusedRow is a pushed row that breaks its table's rule.
var ErrRefusedRow = i18n.Error(nil, "store.push.refused")

// RefusedRow says which row of a push broke which rule.
type RefusedRow struct {
	Index     int // 1-based, in the batch
	Table, ID string
	Rule      error
}

func (e *RefusedRow) Error() string { return e.message().String() }

// Localize says the refusal in lang.
func (e *RefusedRow) Localize(lang i18n.Lang) string { return e.message().In(lang) }

func (e *RefusedRow) message() i18n.Message {
	return i18n.M("store.push.refused_row", "Refused", ErrRefusedRow, "Line", e.Index, "Table", e.Table, "ID", e.ID, "Rule", e.Rule)
}

func (e *RefusedRow) Unwrap() error { return ErrRefusedRow }

// Priors reads, inside tx and before a batch is applied, central's versions
// of the batch's rows.
func (db *DB) Priors(ctx context.Context, tx *Tx, rows []Row) (map[string]map[string]Row, error) {
	ids := map[string][]string{}
	for _, r := range rows {
		ids[r.Table] = append(ids[r.Table], r.ID())
	}
	out := make(map[string]map[string]Row, len(ids))
	for t, list := range ids {
		read, err := db.ReadRows(ctx, tx, t, list)
		if err != nil {
			return nil, err
		}
		out[t] = read
	}
	return out, nil
}

// CheckPushed judges the rows a school pushed, once they are applied in tx
// (so rows may point to each other), against central's versions before the
// batch (priors). It returns the first *RefusedRow; the caller rolls back.
func (db *DB) CheckPushed(ctx context.Context, tx *Tx, school string, rows []Row, priors map[string]map[string]Row) error {
	for i, r := range rows {
		p := Pushed{School: school, Row: r, Tx: tx, db: db}
		if prior, ok := priors[r.Table][r.ID()]; ok {
			p.Prior = &prior
		}
		if err := db.checkPushed(ctx, p); err != nil {
			return &RefusedRow{Index: i + 1, Table: r.Table, ID: r.ID(), Rule: err}
		}
	}
	return nil
}

func (db *DB) checkPushed(ctx context.Context, p Pushed) error {
	if p.Row.Scope() != p.School {
		return i18n.Error(nil, "store.push.own_scope", "Scope", p.Row.Scope())
	}
	if p.Prior != nil && p.Prior.Scope() != p.School {
		return i18n.Error(nil, "store.push.other_scope", "Scope", p.Prior.Scope())
	}
	check, ok := db.pushChecks[p.Row.Table]
	if !ok {
		return i18n.Error(nil, "store.push.no_rule")
	}
	return check(ctx, p)
}

// HasPushCheck reports whether a replicated table declares its rule.
func (db *DB) HasPushCheck(table string) bool { _, ok := db.pushChecks[table]; return ok }

// Str reads a text column of a pushed row ("" when absent or not text).
func (r Row) Str(col string) string { s, _ := r.Values[col].(string); return s }

// Unchanged reports whether the pushed row leaves these columns as central
// had them: a school may send back what it received.
func (p Pushed) Unchanged(cols ...string) bool {
	if p.Prior == nil {
		return false
	}
	for _, c := range cols {
		if !equalValue(p.Prior.Values[c], p.Row.Values[c]) {
			return false
		}
	}
	return true
}

func equalValue(a, b any) bool {
	ab, aok := a.([]byte)
	bb, bok := b.([]byte)
	if aok || bok {
		return string(ab) == string(bb)
	}
	return a == b
}

// checkConflict is the conflicts table's rule: a kept version the school
// pushes must be one the school could have written itself, since a director
// may restore it on central.
func checkConflict(ctx context.Context, p Pushed) error {
	var loser Row
	if err := json.Unmarshal([]byte(p.Row.Str("loser")), &loser); err != nil {
		return i18n.Error(nil, "store.push.kept_unreadable")
	}
	if loser.Table != p.Row.Str("tbl") || loser.ID() != p.Row.Str("row_id") || !p.db.IsReplicated(loser.Table) || loser.Table == "conflicts" {
		return i18n.Error(nil, "store.push.kept_other")
	}
	inner := Pushed{School: p.School, Row: loser, Tx: p.Tx, db: p.db}
	if cur, err := p.db.ReadRow(ctx, p.Tx, loser.Table, loser.ID()); err == nil {
		inner.Prior = &cur
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := p.db.checkPushed(ctx, inner); err != nil {
		return i18n.Error([]error{err}, "store.push.kept_of", "Table", loser.Table, "ID", loser.ID(), "Error", err)
	}
	return nil
}

// SecretColumns lists a table's credential columns ("" when none).
func (db *DB) SecretColumns(table string) []string { return db.secrets[table] }

// Withhold blanks the credential columns of a row sent to a school where its
// account does not log in: a row of global scope (the city's DSI) is every
// school's, but its password logs in on central only, and a stolen school
// server must not be an offline attack on the city's most powerful account.
// The rows of the school's scope and of its audience (the parents of its
// pupils) log in there and keep theirs.
func (db *DB) Withhold(r Row) Row {
	if r.Scope() != GlobalScope {
		return r
	}
	return db.blankSecrets(r)
}

// ScrubSecrets blanks, on a school's node, the credentials of global rows it
// holds from before central withheld them. It writes each such row as central
// would now send it (same origin, the next clock tick of that version), so
// the change is never pushed and central's next real edit still wins.
func (db *DB) ScrubSecrets(ctx context.Context) (int64, error) {
	var n int64
	err := db.Write(ctx, func(tx *Tx) error {
		for table, cols := range db.secrets {
			set := make([]string, len(cols))
			held := make([]string, len(cols))
			for i, c := range cols {
				set[i] = c + " = ''"
				held[i] = c + " != ''"
			}
			res, err := tx.ExecContext(ctx, "UPDATE "+table+" SET "+strings.Join(set, ", ")+", hlc = hlc + 1 WHERE scope = ? AND ("+
				strings.Join(held, " OR ")+")", GlobalScope)
			if err != nil {
				return fmt.Errorf("scrub %s: %w", table, err)
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	return n, err
}

// blankSecrets is r without its credentials, for a kept version of a
// conflict: a losing password is never worth restoring, and conflicts travel
// with the row's scope.
func (db *DB) blankSecrets(r Row) Row {
	cols := db.secrets[r.Table]
	if len(cols) == 0 {
		return r
	}
	c := Row{Table: r.Table, Values: make(map[string]any, len(r.Values))}
	for k, v := range r.Values {
		c.Values[k] = v
	}
	for _, col := range cols {
		c.Values[col] = ""
	}
	return c
}
