package forum

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the forums' part of a person's export: the forums
// and threads they opened, their posts with their files, and the posts
// they reported. Which threads they have read is kept too.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	parts := []struct{ name, query string }{
		{"forums", `SELECT id, audience, class_id, title, about, created_at FROM forums WHERE deleted = 0 AND author_id = ? ORDER BY created_at`},
		{"threads", `SELECT id, forum_id, category, title, created_at FROM forum_threads WHERE deleted = 0 AND author_id = ? ORDER BY created_at`},
		{"posts", `SELECT p.id, p.thread_id, t.title AS thread, p.body, p.status, p.created_at, p.edited_at
			FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id WHERE p.deleted = 0 AND p.author_id = ? ORDER BY p.created_at`},
		{"reports", `SELECT post_id, reason, status, created_at FROM forum_reports WHERE deleted = 0 AND reporter_id = ? ORDER BY created_at`},
		{"reads", `SELECT thread_id, read_at FROM forum_reads WHERE deleted = 0 AND user_id = ? ORDER BY read_at`},
	}
	for _, p := range parts {
		if _, err := env.ExportRows(ctx, x, p.name, p.query, u.ID); err != nil {
			return err
		}
	}
	files, err := env.ExportRows(ctx, x, "files", `SELECT id, post_id, name, type, size, hash, created_at
		FROM forum_files WHERE deleted = 0 AND author_id = ? ORDER BY created_at`, u.ID)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := x.File("files/"+f["name"].(string), f["hash"].(string)); err != nil {
			return err
		}
	}
	return nil
}
