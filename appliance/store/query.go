package store

import (
	"context"
	"strings"
)

// What every feature's store does with the rows of a query, once.

// Scanner is a row being read: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// Query runs a read and reads each row with scan, in order.
func Query[T any](ctx context.Context, r *ReadPool, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// In is an SQL list of placeholders for the values, and the values as
// arguments: "class_id IN ("+list+")".
func In[T any](values []T) (string, []any) {
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", "), args
}

// Record is one row read by Records: its columns by name, text as text.
type Record map[string]any

// Records runs a read and gives each row as a Record, for what hands rows
// on as they are (a person's export): the query names its columns, so
// that no secret column leaves by a SELECT *.
func Records(ctx context.Context, r *ReadPool, query string, args ...any) ([]Record, error) {
	rows, err := r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []Record{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		rec := make(Record, len(cols))
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			rec[c] = vals[i]
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}
