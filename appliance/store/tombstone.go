package store

import (
	"context"
	"fmt"
	"regexp"
)

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Tombstone marks deleted, in tx, the live rows of a replicated table whose
// column holds value: how a feature removes a person's rows (their
// erasure) so that the removal replicates. Table and column are the
// caller's constants, never input; it reports how many rows it marked.
func Tombstone(ctx context.Context, tx *Tx, table, column, value string) (int64, error) {
	if !identifier.MatchString(table) || !identifier.MatchString(column) {
		return 0, fmt.Errorf("store: tombstone %s.%s: not an identifier", table, column)
	}
	res, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND %s = ?", table, column),
		tx.HLC, tx.Origin, value)
	if err != nil {
		return 0, fmt.Errorf("store: tombstone %s: %w", table, err)
	}
	return res.RowsAffected()
}
