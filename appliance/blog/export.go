package blog

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the blog's part of a person's export: their posts
// with their photos and videos, and their comments.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	if _, err := env.ExportRows(ctx, x, "posts", `SELECT id, class_id, title, body, audience, status, created_at
		FROM blog_posts WHERE deleted = 0 AND author_id = ? ORDER BY created_at`, u.ID); err != nil {
		return err
	}
	media, err := env.ExportRows(ctx, x, "media", `SELECT m.id, m.post_id, m.kind, m.name, m.type, m.size, m.blob, m.created_at
		FROM blog_media m JOIN blog_posts p ON p.id = m.post_id
		WHERE m.deleted = 0 AND p.deleted = 0 AND p.author_id = ? ORDER BY p.created_at, m.position`, u.ID)
	if err != nil {
		return err
	}
	for _, m := range media {
		name := m["name"].(string)
		if name == "" {
			name = m["id"].(string)
		}
		if err := x.File("media/"+name, m["blob"].(string)); err != nil {
			return err
		}
	}
	_, err = env.ExportRows(ctx, x, "comments", `SELECT id, post_id, body, status, created_at
		FROM blog_comments WHERE deleted = 0 AND author_id = ? ORDER BY created_at`, u.ID)
	return err
}
