package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// ColClock is the stamp of the write that last changed one column of a row,
// with the stamp of the value it replaced (what that write had seen).
type ColClock struct {
	HLC        int64
	Origin     string
	PrevHLC    int64
	PrevOrigin string
}

// zero reports a column unchanged since its row was created.
func (c ColClock) zero() bool { return c.HLC == 0 && c.Origin == "" }

// after orders stamps as last-writer-wins does, on (hlc, origin).
func after(hlc int64, origin string, thanHLC int64, thanOrigin string) bool {
	if hlc != thanHLC {
		return hlc > thanHLC
	}
	return origin > thanOrigin
}

func (c ColClock) after(o ColClock) bool { return after(c.HLC, c.Origin, o.HLC, o.Origin) }

// lostTo reports whether the change loser, beaten by winner on the same
// column, is a conflict worth keeping: the two changes were made without
// either side seeing the other's (conc, the row-level judgement of the log),
// loser was a change and not the value the row was created with, and winner
// did not replace loser itself. Clocks order changes, they do not tell what
// a node had seen: only "winner replaced exactly loser" proves it did.
// Two unchanged columns that differ (a row created on two nodes under one
// natural id) conflict when the rows do.
func (loser ColClock) lostTo(winner ColClock, conc bool) bool {
	if loser.zero() && winner.zero() {
		return conc
	}
	replaced := winner.PrevHLC == loser.HLC && winner.PrevOrigin == loser.Origin
	return conc && !loser.zero() && !replaced
}

// MarshalJSON writes [hlc, origin, prev_hlc, prev_origin].
func (c ColClock) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{c.HLC, c.Origin, c.PrevHLC, c.PrevOrigin})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *ColClock) UnmarshalJSON(data []byte) error {
	var parts []json.RawMessage
	if err := json.Unmarshal(data, &parts); err != nil || len(parts) != 4 {
		return fmt.Errorf("horloge de colonne illisible")
	}
	for i, dst := range []any{&c.HLC, &c.Origin, &c.PrevHLC, &c.PrevOrigin} {
		if err := json.Unmarshal(parts[i], dst); err != nil {
			return fmt.Errorf("horloge de colonne illisible")
		}
	}
	return nil
}

// clockedColumns are the columns of a replicated table merged one by one:
// all but the row's identity and stamps, and its tombstone, which settles
// deletions for the whole row.
func clockedColumns(cols []string) []string {
	out := make([]string, 0, len(cols))
	for _, c := range cols {
		switch c {
		case "id", "hlc", "origin", "deleted":
		default:
			out = append(out, c)
		}
	}
	return out
}

// installClocks (re)creates the trigger that stamps each column an update
// changes. It is made anew at each start, so that a column a later migration
// adds is clocked too.
func (db *DB) installClocks(ctx context.Context, table string) error {
	cols, err := tableColumns(ctx, db.w, table)
	if err != nil {
		return err
	}
	var body strings.Builder
	for _, c := range clockedColumns(cols) {
		fmt.Fprintf(&body, `INSERT INTO col_clocks(tbl, row_id, col, hlc, origin) SELECT '%[1]s', NEW.id, '%[2]s', NEW.hlc, NEW.origin
			WHERE NEW.%[2]s IS NOT OLD.%[2]s
			ON CONFLICT(tbl, row_id, col) DO UPDATE SET prev_hlc = col_clocks.hlc, prev_origin = col_clocks.origin,
			hlc = excluded.hlc, origin = excluded.origin;
`, table, c)
	}
	for _, q := range []string{
		fmt.Sprintf(`DROP TRIGGER IF EXISTS %s_col_clocks`, table),
		fmt.Sprintf(`CREATE TRIGGER %[1]s_col_clocks AFTER UPDATE ON %[1]s BEGIN %[2]s END`, table, body.String()),
	} {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: column clocks of %s: %w", table, err)
		}
	}
	return nil
}

// tableColumns lists a table's columns as q sees them, uncached: the
// clocks trigger is made at start, before any later migration is known.
func tableColumns(ctx context.Context, q querier, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// readClocks adds their column clocks to rows of one table, by id.
func (db *DB) readClocks(ctx context.Context, q querier, table string, rows map[string]Row) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]string, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	res, err := query(ctx, q, `SELECT row_id, col, hlc, origin, prev_hlc, prev_origin FROM col_clocks
		WHERE tbl = ? AND row_id IN (SELECT value FROM json_each(?))`, table, string(list))
	if err != nil {
		return err
	}
	defer res.Close()
	for res.Next() {
		var id, col string
		var c ColClock
		if err := res.Scan(&id, &col, &c.HLC, &c.Origin, &c.PrevHLC, &c.PrevOrigin); err != nil {
			return err
		}
		r := rows[id]
		if r.Clocks == nil {
			r.Clocks = map[string]ColClock{}
			rows[id] = r
		}
		r.Clocks[col] = c
	}
	return res.Err()
}

// writeClocks replaces a row's column clocks by r's.
func (db *DB) writeClocks(ctx context.Context, tx *Tx, r Row) error {
	del, err := tx.prepared(ctx, "DELETE FROM col_clocks WHERE tbl = ? AND row_id = ?")
	if err != nil {
		return err
	}
	if _, err := del.ExecContext(ctx, r.Table, r.ID()); err != nil {
		return err
	}
	if len(r.Clocks) == 0 {
		return nil
	}
	ins, err := tx.prepared(ctx, "INSERT INTO col_clocks(tbl, row_id, col, hlc, origin, prev_hlc, prev_origin) VALUES (?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	for col, c := range r.Clocks {
		if _, err := ins.ExecContext(ctx, r.Table, r.ID(), col, c.HLC, c.Origin, c.PrevHLC, c.PrevOrigin); err != nil {
			return err
		}
	}
	return nil
}
