package mail

import (
	"context"
	"database/sql"
	"slices"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// What the IMAP server needs of the mailboxes beyond what the webmail
// does: copies as COPY makes them, a folder's messages by UID, new UIDs for
// what a client puts in a folder, a folder renamed with those under it, and
// what the search reads without parsing messages.

// CopyTo makes new copies of some of a person's copies in another of their
// folders: the same messages with the same flags and dates (IMAP's COPY).
// It returns the new copies' ids in the order of copyIDs, "" for an id
// that is none of theirs.
func (s *Service) CopyTo(ctx context.Context, u auth.User, copyIDs []string, folder string) ([]string, error) {
	if _, err := s.folder(ctx, u, folder); err != nil {
		return nil, err
	}
	out := make([]string, len(copyIDs))
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		for i, id := range copyIDs {
			nid := store.NewID()
			res, err := tx.ExecContext(ctx, `INSERT INTO mail_copies(id, scope, hlc, origin, owner_id, message_id, folder, seen, flagged,
				answered, draft, removed, keywords, received_at, size, sent_at, subject)
				SELECT ?, ?, ?, ?, owner_id, message_id, ?, seen, flagged, answered, draft, removed, keywords, received_at, size, sent_at, subject
				FROM mail_copies WHERE id = ? AND owner_id = ? AND deleted = 0`,
				nid, s.writeScope(u), tx.HLC, tx.Origin, folder, id, u.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				out[i] = nid
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RenameFolders renames some of a person's own folders at once (IMAP's
// RENAME takes the folders under the one renamed along): renames maps
// folder ids to their new names.
func (s *Service) RenameFolders(ctx context.Context, u auth.User, renames map[string]string) error {
	clean := make(map[string]string, len(renames))
	for id, name := range renames {
		f, err := s.folder(ctx, u, id)
		if err != nil {
			return err
		}
		if f.Special {
			return apperr.New(apperr.ErrForbidden, "mail.err.special_folder")
		}
		if clean[id], err = s.checkFolderName(ctx, u, name); err != nil {
			return err
		}
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		for id, name := range clean {
			if _, err := tx.ExecContext(ctx, "UPDATE mail_folders SET name = ?, hlc = ?, origin = ? WHERE id = ? AND owner_id = ?",
				name, tx.HLC, tx.Origin, id, u.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// arrivedUIDs gives UIDs to copies a client just put in a folder (APPEND,
// COPY, MOVE), in order, and says them with the folder's UIDVALIDITY. A
// copy that was in the folder before gets a new UID all the same: to the
// folder's clients it is a new message.
func (s *Service) arrivedUIDs(ctx context.Context, u auth.User, folder string, copyIDs []string) (uint32, []uint32, error) {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		for chunk := range slices.Chunk(copyIDs, 500) {
			list, ids := store.In(chunk)
			if _, err := tx.ExecContext(ctx, "DELETE FROM mail_uids WHERE owner_id = ? AND folder = ? AND copy_id IN ("+list+")",
				append([]any{u.ID, folder}, ids...)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	err = s.assign(ctx, u.ID, folder, copyIDs, false)
	s.index.touch(u.ID, folder, copyIDs)
	if err != nil {
		return 0, nil, err
	}
	mb, given, err := s.uids(ctx, u.ID, folder, copyIDs)
	if err != nil {
		return 0, nil, err
	}
	out := make([]uint32, len(copyIDs))
	for i, id := range copyIDs {
		out[i] = given[id]
	}
	return mb.Validity, out, nil
}

// headLimit is how much of a message the search reads to find its header;
// a longer header is read from the message itself.
const headLimit = 8 << 10

// searchable is what the search reads of a copy without parsing its
// message: the start of its text, where the header is, and the text of
// its body the webmail's search reads (body_text).
type searchable struct {
	MessageID   string
	Head        []byte // the first headLimit bytes; nil when the message is a file in the blob store
	Text        string
	Attachments int
}

// searchables reads what the search reads of the copies of one of a
// person's folders whose UIDs are from lo to hi.
func (s *Service) searchables(ctx context.Context, u auth.User, folder string, lo, hi uint32) (map[uint32]searchable, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT x.uid, m.id, CASE WHEN m.blob = '' THEN substr(coalesce(m.raw, X''), 1, ?) END,
		m.body_text, m.attachments
		FROM mail_uids x JOIN mail_copies c ON c.id = x.copy_id JOIN mail_messages m ON m.id = c.message_id
		WHERE x.owner_id = ? AND x.folder = ? AND x.uid BETWEEN ? AND ? AND c.deleted = 0 AND c.owner_id = x.owner_id AND c.folder = x.folder`,
		headLimit, u.ID, folder, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint32]searchable{}
	for rows.Next() {
		var uid uint32
		var sc searchable
		var head sql.RawBytes
		if err := rows.Scan(&uid, &sc.MessageID, &head, &sc.Text, &sc.Attachments); err != nil {
			return nil, err
		}
		if head != nil {
			sc.Head = append([]byte{}, head...)
		}
		out[uid] = sc
	}
	return out, rows.Err()
}

// sentCopy finds the copy in a person's Envoyés of the message they sent
// with this Message-ID.
func (s *Service) sentCopy(ctx context.Context, u auth.User, headerID string) (string, bool) {
	var id string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT c.id FROM mail_copies c JOIN mail_messages m ON m.id = c.message_id
		WHERE m.header_id = ? AND m.sender_id = ? AND c.owner_id = ? AND c.folder = ? AND c.deleted = 0 LIMIT 1`,
		headerID, u.ID, u.ID, Sent).Scan(&id)
	return id, err == nil
}

// uidOf is the UID of a copy in a folder, given it now if it has none.
func (s *Service) uidOf(ctx context.Context, u auth.User, folder, copyID string) (uint32, uint32, error) {
	mb, given, err := s.uids(ctx, u.ID, folder, []string{copyID})
	if err != nil || given[copyID] != 0 {
		return mb.Validity, given[copyID], err
	}
	err = s.assign(ctx, u.ID, folder, []string{copyID}, false)
	s.index.touch(u.ID, folder, []string{copyID})
	if err != nil {
		return 0, 0, err
	}
	mb, given, err = s.uids(ctx, u.ID, folder, []string{copyID})
	return mb.Validity, given[copyID], err
}
