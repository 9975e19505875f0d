package liaison

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// personalExport is the liaison notebook's part of a person's export:
// the notes a teacher wrote; the notes addressed to a pupil, or to a
// parent's children; the acknowledgements and replies they made or that
// were made for them. A note's other recipients are not listed: they are
// other families.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	family := []string{u.ID}
	if u.Profile == auth.Parent {
		children, err := env.Register.Children(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, c := range children {
			family = append(family, c.ID)
		}
	}
	in, args := store.In(family)
	if _, err := env.ExportRows(ctx, x, "written", `SELECT id, class_id, title, body, signature, replies, day, created_at
		FROM liaison_notes WHERE deleted = 0 AND author_id = ? ORDER BY created_at`, u.ID); err != nil {
		return err
	}
	if _, err := env.ExportRows(ctx, x, "received", `SELECT n.id, r.pupil_id, n.class_id, n.title, n.body, n.signature, n.day, n.created_at
		FROM liaison_recipients r JOIN liaison_notes n ON n.id = r.note_id
		WHERE r.deleted = 0 AND n.deleted = 0 AND r.pupil_id IN (`+in+`) ORDER BY n.created_at`, args...); err != nil {
		return err
	}
	if _, err := env.ExportRows(ctx, x, "acknowledgements", `SELECT note_id, pupil_id, by_id, paper, at
		FROM liaison_acks WHERE deleted = 0 AND (by_id = ?1 OR pupil_id = ?1) ORDER BY at`, u.ID); err != nil {
		return err
	}
	_, err := env.ExportRows(ctx, x, "replies", `SELECT note_id, pupil_id, author_id, body, created_at
		FROM liaison_replies WHERE deleted = 0 AND (author_id = ?1 OR pupil_id = ?1) ORDER BY created_at`, u.ID)
	return err
}
