package homework

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is homework's part of a person's export: what a teacher
// set, with its files, and what a pupil ticked as done.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	if _, err := env.ExportRows(ctx, x, "written", `SELECT id, class_id, day, due, title, body, done, created_at
		FROM homework WHERE deleted = 0 AND author_id = ? ORDER BY due, created_at`, u.ID); err != nil {
		return err
	}
	files, err := env.ExportRows(ctx, x, "files", `SELECT f.id, f.homework_id, f.name, f.type, f.size, f.blob
		FROM homework_files f JOIN homework h ON h.id = f.homework_id
		WHERE f.deleted = 0 AND h.deleted = 0 AND h.author_id = ? ORDER BY h.due, f.name`, u.ID)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := x.File("files/"+f["name"].(string), f["blob"].(string)); err != nil {
			return err
		}
	}
	_, err = env.ExportRows(ctx, x, "ticked", `SELECT t.homework_id, h.title, h.due, t.done
		FROM homework_ticks t JOIN homework h ON h.id = t.homework_id
		WHERE t.deleted = 0 AND h.deleted = 0 AND t.pupil_id = ? ORDER BY h.due`, u.ID)
	return err
}
