package sites

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the sites' part of a person's export: the links they
// recommended, with their pictures.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	rows, err := env.ExportRows(ctx, x, "sites", `SELECT id, class_id, level, url, title, comment, picture AS picture_blob, picture_type, created_at
		FROM sites WHERE deleted = 0 AND author_id = ? ORDER BY created_at`, u.ID)
	if err != nil {
		return err
	}
	for _, s := range rows {
		if s["picture_blob"] == "" {
			continue
		}
		if err := x.File("pictures/"+s["id"].(string), s["picture_blob"].(string)); err != nil {
			return err
		}
	}
	return nil
}
