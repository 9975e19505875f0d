package notify

import (
	"context"
	"encoding/json"
	"slices"

	"preau/appliance/store"
)

// Forget is the notifications' part of a person's erasure: the person's
// own notifications go, and so do the others' that carry their name, since
// a notice copies the name into its title's arguments when it is written
// (« Léa a répondu »). A first name alone names someone only among their
// family's notices (an absence told to the parents), so it is matched only
// in those of the people in families: a notice of another pupil who bears
// the same first name stays. Notices are transient; tombstoning them loses
// no record.
func (h *Hub) Forget(ctx context.Context, userID, displayName, firstName string, family []string) error {
	type notice struct{ id, user, args string }
	found, err := store.Query(ctx, h.db.Reader(), func(r store.Scanner) (notice, error) {
		var n notice
		return n, r.Scan(&n.id, &n.user, &n.args)
	}, `SELECT id, user_id, title_args FROM notifications WHERE deleted = 0 AND (user_id = ? OR instr(title_args, ?) > 0
		OR (? != '' AND instr(title_args, ?) > 0))`, userID, displayName, firstName, firstName)
	if err != nil {
		return err
	}
	var gone []string
	for _, n := range found {
		if n.user == userID || names(n.args, displayName) || slices.Contains(family, n.user) && names(n.args, firstName) {
			gone = append(gone, n.id)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	return h.db.Write(ctx, func(tx *store.Tx) error {
		for _, id := range gone {
			if _, err := store.Tombstone(ctx, tx, "notifications", "id", id); err != nil {
				return err
			}
		}
		return nil
	})
}

// names reports whether one of a notice's arguments is exactly name.
func names(args, name string) bool {
	var m map[string]string
	if name == "" || json.Unmarshal([]byte(args), &m) != nil {
		return false
	}
	for _, v := range m {
		if v == name {
			return true
		}
	}
	return false
}
