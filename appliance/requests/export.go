package requests

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the requests' part of a person's export: the
// requests a director filed, and the comments, changes and files anyone
// added to a request.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	if _, err := env.ExportRows(ctx, x, "filed", `SELECT id, school_id, kind, title, fields, created_at
		FROM requests WHERE deleted = 0 AND author_id = ? ORDER BY created_at`, u.ID); err != nil {
		return err
	}
	events, err := env.ExportRows(ctx, x, "events", `SELECT id, request_id, status, assignee, body, file AS file_blob, file_name, file_type, created_at
		FROM request_events WHERE deleted = 0 AND author_id = ? ORDER BY created_at`, u.ID)
	if err != nil {
		return err
	}
	for _, e := range events {
		if e["file_blob"] == "" {
			continue
		}
		if err := x.File("files/"+e["file_name"].(string), e["file_blob"].(string)); err != nil {
			return err
		}
	}
	return nil
}
