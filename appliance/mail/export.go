package mail

import (
	"bytes"
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the mail's part of a person's export: their mailbox,
// each message they hold as an .eml file any mail program opens, and an
// index of them (folder, flags, sender, subject). A message is as its
// copy shows it: the Bcc of what others sent never was in it.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	if _, err := env.ExportRows(ctx, x, "folders", `SELECT id, name, subscribed, created_at
		FROM mail_folders WHERE deleted = 0 AND owner_id = ? ORDER BY name`, u.ID); err != nil {
		return err
	}
	index, err := env.ExportRows(ctx, x, "messages", `SELECT c.id, 'messages/' || c.id || '.eml' AS file, c.folder, c.seen, c.flagged,
		c.answered, c.draft, c.keywords, c.received_at, m.subject, m.from_addr, m.to_addrs, m.cc_addrs, m.date, m.size
		FROM mail_copies c JOIN mail_messages m ON m.id = c.message_id
		WHERE c.deleted = 0 AND c.removed = 0 AND m.deleted = 0 AND c.owner_id = ? ORDER BY c.received_at, c.id`, u.ID)
	if err != nil {
		return err
	}
	for _, c := range index {
		var raw []byte
		var blob string
		if err := env.DB.Reader().QueryRowContext(ctx, `SELECT coalesce(m.raw, X''), m.blob FROM mail_copies c
			JOIN mail_messages m ON m.id = c.message_id WHERE c.id = ?`, c["id"]).Scan(&raw, &blob); err != nil {
			return err
		}
		if blob != "" {
			err = x.File(c["file"].(string), blob)
		} else {
			err = x.Write(c["file"].(string), bytes.NewReader(raw))
		}
		if err != nil {
			return err
		}
	}
	return nil
}
