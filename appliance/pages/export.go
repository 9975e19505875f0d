package pages

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the class pages' part of a person's export: the
// pages they created or own, as their HTML, and the versions they saved.
// What they typed into a page others edit too is in those pages' shared
// text, not attributable word by word; the live editing updates are
// binary Yjs data no person could read, and are left out.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	if _, err := env.ExportRows(ctx, x, "pages", `SELECT id, class_id, kind, title, html, created_at, updated_at
		FROM pages WHERE deleted = 0 AND (author_id = ?1 OR owner_id = ?1) ORDER BY created_at`, u.ID); err != nil {
		return err
	}
	_, err := env.ExportRows(ctx, x, "versions", `SELECT v.page_id, p.title, v.html, v.created_at
		FROM page_versions v JOIN pages p ON p.id = v.page_id WHERE v.deleted = 0 AND v.author_id = ? ORDER BY v.created_at`, u.ID)
	return err
}
