package minisites

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the mini-sites' part of a person's export: the sites
// they made or were named among the makers of, as last published, and
// the pictures they added.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	const theirs = `SELECT id FROM minisites WHERE deleted = 0 AND (author_id = ?1 OR ' ' || pupils || ' ' LIKE '% ' || ?1 || ' %')`
	if _, err := env.ExportRows(ctx, x, "sites", `SELECT id, class_id, title, theme, status, audience, slug, credits, created_at, updated_at, published_at
		FROM minisites WHERE id IN (`+theirs+`) ORDER BY created_at`, u.ID); err != nil {
		return err
	}
	if _, err := env.ExportRows(ctx, x, "published", `SELECT site_id, page_id, parent_id, position, title, html, published_at
		FROM minisite_published WHERE deleted = 0 AND site_id IN (`+theirs+`) ORDER BY site_id, position`, u.ID); err != nil {
		return err
	}
	images, err := env.ExportRows(ctx, x, "images", `SELECT id, site_id, page_id, name, type, hash, created_at
		FROM minisite_images WHERE deleted = 0 AND author_id = ? ORDER BY created_at`, u.ID)
	if err != nil {
		return err
	}
	for _, im := range images {
		if err := x.File("images/"+im["name"].(string), im["hash"].(string)); err != nil {
			return err
		}
	}
	return nil
}
