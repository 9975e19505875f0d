package mail

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The mail's SQL, all of it but the UIDs' (uids.go).

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the mail's part of the database. A message reaches the
// schools of its recipients through the audience; its file, when large,
// travels as a blob.
var Schema = store.Schema{
	Name:       "mail",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"mail_messages", "mail_copies", "mail_folders", "mail_settings"},
	Audience: map[string]string{
		"mail_messages": "' ' || schools || ' ' LIKE '% ' || :school || ' %'",
	},
	Blobs:      map[string]string{"mail_messages": "blob"},
	PushChecks: pushChecks,
	Labels: map[string]store.Label{
		"mail_messages": {Row: "mail.label.message", Columns: []store.ColumnLabel{{Column: "subject", Label: "mail.label.subject"}}},
		"mail_copies": {Row: "mail.label.copy", Columns: []store.ColumnLabel{
			{Column: "folder", Label: "mail.label.folder"}, {Column: "seen", Label: "mail.label.seen", Flag: true},
		}},
		"mail_folders":  {Row: "mail.label.folder", Columns: []store.ColumnLabel{{Column: "name", Label: "mail.label.name"}}},
		"mail_settings": {Row: "mail.label.settings"},
	},
}

// The special folders' ids; a person's own folders have a row's id.
const (
	Inbox   = "inbox"
	Sent    = "sent"
	Drafts  = "drafts"
	Trash   = "trash"
	Archive = "archive"
)

// specials are the special folders in the order they are listed, with
// their IMAP names and special-use attributes.
var specials = []struct{ ID, IMAP, Use, Icon string }{
	{Inbox, "INBOX", "", "courrier"},
	{Drafts, "Drafts", `\Drafts`, "journal"},
	{Sent, "Sent", `\Sent`, "envoyer"},
	{Archive, "Archive", `\Archive`, "bibliotheque"},
	{Trash, "Trash", `\Trash`, "corbeille"},
}

// cityScope is the home scope of the accounts of no school (the DSI): their
// mail stays on central.
const cityScope = "city"

// homeScope is where an account's mail belongs.
func homeScope(u auth.User) string {
	if u.SchoolID == "" {
		return cityScope
	}
	return u.SchoolID
}

// inline is the largest message kept in its row; a larger one goes to the
// blob store and travels as a file.
const inline = 128 << 10

// Summary is a copy of a message as a list shows it.
type Summary struct {
	CopyID, MessageID, ThreadID string
	Folder                      string
	SenderID                    string
	Subject, From, To, Cc       string
	Snippet                     string
	Date, ReceivedAt            time.Time
	Size                        int64
	Attachments                 int
	Seen, Flagged, Answered     bool
	Draft, Removed              bool
	Keywords                    []string
	State, Reason               string // the message's: sent, pending, held, returned, saved
	DeliveredAt                 time.Time
	HLC                         int64 // the copy's clock: it changes with every change of its flags or folder
}

// FromName is who a message is from, by name when it has one.
func (s Summary) FromName() string {
	if i := strings.LastIndex(s.From, " <"); i > 0 {
		return strings.Trim(s.From[:i], `"`)
	}
	return s.From
}

const summaryColumns = `c.id, m.id, m.thread_id, c.folder, m.sender_id, m.subject, m.from_addr, m.to_addrs, m.cc_addrs,
	m.snippet, m.date, c.received_at, m.size, m.attachments, c.seen, c.flagged, c.answered, c.draft, c.removed,
	c.keywords, m.state, m.reason, m.delivered_at, c.hlc`

// A message erased with its writer (see erase.go) hides the copies other
// nodes still held of it when the tombstone came.
const summaryFrom = " FROM mail_copies c JOIN mail_messages m ON m.id = c.message_id WHERE c.deleted = 0 AND m.deleted = 0 AND "

func scanSummary(row store.Scanner) (Summary, error) {
	var s Summary
	var date, received, delivered, keywords string
	err := row.Scan(&s.CopyID, &s.MessageID, &s.ThreadID, &s.Folder, &s.SenderID, &s.Subject, &s.From, &s.To, &s.Cc,
		&s.Snippet, &date, &received, &s.Size, &s.Attachments, &s.Seen, &s.Flagged, &s.Answered, &s.Draft, &s.Removed,
		&keywords, &s.State, &s.Reason, &delivered, &s.HLC)
	if errors.Is(err, sql.ErrNoRows) {
		return s, apperr.New(apperr.ErrNotFound, "mail.err.not_found")
	}
	s.Date, _ = time.Parse(time.RFC3339, date)
	s.ReceivedAt, _ = time.Parse(time.RFC3339Nano, received)
	s.DeliveredAt, _ = time.Parse(time.RFC3339, delivered)
	s.Keywords = strings.Fields(keywords)
	return s, err
}

// summaries lists copies, oldest received first (IMAP's order; the
// webmail reverses it).
func (s *Service) summaries(ctx context.Context, where string, args ...any) ([]Summary, error) {
	return store.Query(ctx, s.db.Reader(), scanSummary, "SELECT "+summaryColumns+summaryFrom+where+" ORDER BY c.received_at, c.id", args...)
}

// copyOf reads one of the owner's copies.
func (s *Service) copyOf(ctx context.Context, ownerID, copyID string) (Summary, error) {
	return scanSummary(s.db.Reader().QueryRowContext(ctx, "SELECT "+summaryColumns+summaryFrom+"c.owner_id = ? AND c.id = ?", ownerID, copyID))
}

// raw opens a message's RFC 5322 text.
func (s *Service) raw(ctx context.Context, messageID string) (io.ReadCloser, error) {
	var data []byte
	var blob string
	err := s.db.Reader().QueryRowContext(ctx, "SELECT coalesce(raw, X''), blob FROM mail_messages WHERE id = ?", messageID).Scan(&data, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.ErrNotFound, "mail.err.not_found")
	}
	if err != nil {
		return nil, err
	}
	if blob == "" {
		return io.NopCloser(strings.NewReader(string(data))), nil
	}
	f, err := s.db.Blobs().Open(blob)
	if err != nil {
		// the row came by sync before its file: it will follow
		return nil, apperr.New(apperr.ErrUnavailable, "mail.err.not_here")
	}
	return f, nil
}

// stored is a message as its row holds it, before it is written.
type stored struct {
	ID, Scope, SenderID, HeaderID, ThreadID string
	Subject, From, To, Cc                   string
	Recipients, Schools                     []string
	State                                   string
	Date                                    time.Time
	Size                                    int64
	Snippet, Text                           string
	Attachments                             int
	Raw                                     []byte
	Blob                                    string
}

func (s *Service) insertMessage(ctx context.Context, tx *store.Tx, m stored) error {
	var raw any
	if m.Blob == "" {
		raw = m.Raw
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO mail_messages(id, scope, hlc, origin, sender_id, header_id, thread_id, subject,
		from_addr, to_addrs, cc_addrs, recipients, schools, state, date, size, snippet, body_text, attachments, raw, blob)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.Scope, tx.HLC, tx.Origin, m.SenderID, m.HeaderID, m.ThreadID, m.Subject, m.From, m.To, m.Cc,
		strings.Join(m.Recipients, " "), strings.Join(m.Schools, " "), m.State, m.Date.UTC().Format(time.RFC3339),
		m.Size, m.Snippet, m.Text, m.Attachments, raw, m.Blob)
	return err
}

// copyRow is one copy to write.
type copyRow struct {
	ID, Scope, OwnerID, MessageID, Folder string
	Seen, Draft, Flagged                  bool
	Keywords                              []string
	ReceivedAt                            time.Time
}

func (s *Service) insertCopy(ctx context.Context, tx *store.Tx, c copyRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mail_copies(id, scope, hlc, origin, owner_id, message_id, folder, seen, draft, flagged, keywords, received_at,
		size, sent_at, subject)
		SELECT ?, ?, ?, ?, ?, m.id, ?, ?, ?, ?, ?, ?, m.size, m.date, m.subject FROM mail_messages m WHERE m.id = ?
		ON CONFLICT(id) DO NOTHING`,
		c.ID, c.Scope, tx.HLC, tx.Origin, c.OwnerID, c.Folder, c.Seen, c.Draft, c.Flagged,
		strings.Join(c.Keywords, " "), c.ReceivedAt.UTC().Format(time.RFC3339Nano), c.MessageID)
	return err
}
