package news

import (
	"context"
	"mime"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the news' part of a person's export: what they
// published, with its pictures.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	rows, err := env.ExportRows(ctx, x, "written", `SELECT id, audience, class_id, title, body, image AS image_blob, image_type, created_at
		FROM news WHERE deleted = 0 AND author_id = ? ORDER BY created_at`, u.ID)
	if err != nil {
		return err
	}
	for _, n := range rows {
		if n["image_blob"] == "" {
			continue
		}
		ext := ""
		if exts, _ := mime.ExtensionsByType(n["image_type"].(string)); len(exts) > 0 {
			ext = exts[0]
		}
		if err := x.File("images/"+n["id"].(string)+ext, n["image_blob"].(string)); err != nil {
			return err
		}
	}
	return nil
}
