package documents

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the documents' part of a person's export: the files
// they put in a class's or the city's documents, in their folders.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	docs, err := env.ExportRows(ctx, x, "documents", `SELECT id, class_id, folder, name, type, size, blob, created_at
		FROM documents WHERE deleted = 0 AND author_id = ? ORDER BY folder, name`, u.ID)
	if err != nil {
		return err
	}
	for _, d := range docs {
		p := d["name"].(string)
		if f := d["folder"].(string); f != "" {
			p = f + "/" + p
		}
		if err := x.File("files/"+p, d["blob"].(string)); err != nil {
			return err
		}
	}
	return nil
}
