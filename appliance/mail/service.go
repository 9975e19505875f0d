package mail

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/i18n"
	"preau/appliance/notify"
	"preau/appliance/store"
)

// Service is the mail, shared by the webmail, the API, IMAP and SMTP. Each
// person reads and changes their own copies only: every method takes the
// person acting and touches nothing of anyone else's mailbox.
type Service struct {
	db      *store.DB
	reg     feature.Register
	auth    *auth.Service
	hub     *notify.Hub // tells recipients; nil tells nobody
	log     *slog.Logger
	domain  string // mail.domain
	maxSize int64  // mail.max_message_size
	quota   int64  // mail.user_quota
	school  string // this node's school, "" on central (which writes every scope)
	now     func() time.Time
	watch   *watcher
	index   *index // the folders IMAP clients look at
	// finder is the search's index, when the node has one: the webmail's
	// search asks it; without it, a plain scan of one's messages.
	finder func() feature.Finder
}

// Config is what the service needs of the node's configuration.
type Config struct {
	Domain  string
	MaxSize int64
	Quota   int64  // 0 for none
	School  string // "" on central
}

// NewService builds the mail on the store.
func NewService(db *store.DB, reg feature.Register, a *auth.Service, hub *notify.Hub, log *slog.Logger, c Config) *Service {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{db: db, reg: reg, auth: a, hub: hub, log: log, domain: strings.ToLower(c.Domain), maxSize: c.MaxSize, quota: c.Quota,
		school: c.School, now: time.Now, watch: newWatcher(db, log)}
	s.index = newIndex(s)
	return s
}

// Domain is the mail domain of every account.
func (s *Service) Domain() string { return s.domain }

// MaxSize is the largest message accepted, in bytes.
func (s *Service) MaxSize() int64 { return s.maxSize }

// Address is an account's mail address.
func (s *Service) Address(u auth.User) Address {
	return Address{Name: u.DisplayName, Email: strings.ToLower(u.Login) + "@" + s.domain}
}

// writeScope is the scope this node writes an account's copies and
// messages in: on a school, the school's (a parent of another school
// writing on its LAN included); on central, the account's home.
func (s *Service) writeScope(u auth.User) string {
	if s.school != "" {
		return s.school
	}
	return homeScope(u)
}

// local reports whether this node delivers to an account at once: central
// delivers to everyone; a school to its own accounts, central delivering
// to the others when the link is up.
func (s *Service) local(u auth.User) bool { return s.school == "" || u.SchoolID == s.school }

// Folder is one of a person's folders.
type Folder struct {
	ID      string
	Name    string // a person's own folder's name; "" for the special ones, named in the reader's language
	IMAP    string // its IMAP name
	Use     string // its special-use attribute (\Sent…), "" for INBOX and one's own
	Total   int
	Unread  int
	Special bool
	Icon    string // its picture in the webmail, under assets/icons
	// Subscribed: mail clients list it (IMAP's SUBSCRIBE); the special
	// folders always are.
	Subscribed bool
}

// Folders lists a person's folders with their counts: the special ones
// first, then theirs by name.
func (s *Service) Folders(ctx context.Context, u auth.User) ([]Folder, error) {
	out, err := s.folderList(ctx, u)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT folder, count(*), sum(1 - seen) FROM mail_copies
		WHERE deleted = 0 AND owner_id = ? GROUP BY folder`, u.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var total, unread int
		if err := rows.Scan(&id, &total, &unread); err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(out, func(f Folder) bool { return f.ID == id }); i >= 0 {
			out[i].Total, out[i].Unread = total, unread
		}
	}
	return out, rows.Err()
}

// folderList lists a person's folders without their counts.
func (s *Service) folderList(ctx context.Context, u auth.User) ([]Folder, error) {
	out := make([]Folder, 0, len(specials))
	for _, sp := range specials {
		out = append(out, Folder{ID: sp.ID, IMAP: sp.IMAP, Use: sp.Use, Special: true, Icon: sp.Icon, Subscribed: true})
	}
	own, err := store.Query(ctx, s.db.Reader(), func(r store.Scanner) (Folder, error) {
		var f Folder
		err := r.Scan(&f.ID, &f.Name, &f.Subscribed)
		f.IMAP, f.Icon = f.Name, "dossier"
		return f, err
	}, "SELECT id, name, subscribed FROM mail_folders WHERE deleted = 0 AND owner_id = ? ORDER BY name", u.ID)
	return append(out, own...), err
}

// Subscribe sets whether mail clients list one of a person's own folders.
// The special folders are always listed.
func (s *Service) Subscribe(ctx context.Context, u auth.User, id string, on bool) error {
	f, err := s.folder(ctx, u, id)
	if err != nil {
		return err
	}
	if f.Special {
		if on {
			return nil
		}
		return apperr.New(apperr.ErrForbidden, "mail.err.special_subscribed")
	}
	if f.Subscribed == on {
		return nil
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE mail_folders SET subscribed = ?, hlc = ?, origin = ? WHERE id = ? AND owner_id = ? AND deleted = 0",
			on, tx.HLC, tx.Origin, id, u.ID)
		return err
	})
}

// folder finds one of a person's folders by id.
func (s *Service) folder(ctx context.Context, u auth.User, id string) (Folder, error) {
	folders, err := s.folderList(ctx, u)
	if err != nil {
		return Folder{}, err
	}
	if i := slices.IndexFunc(folders, func(f Folder) bool { return f.ID == id }); i >= 0 {
		return folders[i], nil
	}
	return Folder{}, apperr.New(apperr.ErrNotFound, "mail.err.no_folder")
}

// FolderByIMAP finds a folder by its IMAP name (INBOX in any case).
func (s *Service) FolderByIMAP(ctx context.Context, u auth.User, name string) (Folder, error) {
	folders, err := s.folderList(ctx, u)
	if err != nil {
		return Folder{}, err
	}
	for _, f := range folders {
		if f.IMAP == name || (f.ID == Inbox && strings.EqualFold(name, "INBOX")) {
			return f, nil
		}
	}
	return Folder{}, apperr.New(apperr.ErrNotFound, "mail.err.no_folder")
}

// usageQuery sums a person's copies from the index mail_copies_usage alone.
const usageQuery = "SELECT coalesce(sum(size), 0) FROM mail_copies WHERE deleted = 0 AND owner_id = ?"

// Usage is what a person's mailbox holds, in bytes, and may hold (0:
// no limit).
func (s *Service) Usage(ctx context.Context, u auth.User) (used, quota int64, err error) {
	err = s.db.Reader().QueryRowContext(ctx, usageQuery, u.ID).Scan(&used)
	return used, s.quota, err
}

// roomFor refuses a message of size bytes that a person's mailbox cannot
// hold: what they send or save; what they receive always arrives.
func (s *Service) roomFor(ctx context.Context, u auth.User, size int64) error {
	if s.quota <= 0 {
		return nil
	}
	used, _, err := s.Usage(ctx, u)
	if err != nil {
		return err
	}
	if used+size > s.quota {
		return apperr.New(apperr.ErrTooLarge, "mail.err.quota", "Used", i18n.Size(used), "Quota", i18n.Size(s.quota))
	}
	return nil
}

// Unread counts the unread messages of a person's inbox.
func (s *Service) Unread(ctx context.Context, u auth.User) (int, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM mail_copies WHERE deleted = 0 AND owner_id = ? AND folder = ? AND seen = 0",
		u.ID, Inbox).Scan(&n)
	return n, err
}

// maxFolderName is the longest folder name, in characters.
const maxFolderName = 100

// CreateFolder adds one of a person's folders; "/" separates levels.
func (s *Service) CreateFolder(ctx context.Context, u auth.User, name string) (Folder, error) {
	name, err := s.checkFolderName(ctx, u, name)
	if err != nil {
		return Folder{}, err
	}
	f := Folder{ID: store.NewID(), Name: name, IMAP: name}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO mail_folders(id, scope, hlc, origin, owner_id, name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			f.ID, s.writeScope(u), tx.HLC, tx.Origin, u.ID, name, s.now().UTC().Format(time.RFC3339))
		return err
	})
	return f, err
}

// checkFolderName refuses an empty, overlong or taken name, or one of the
// special folders'.
func (s *Service) checkFolderName(ctx context.Context, u auth.User, name string) (string, error) {
	name = strings.Trim(strings.TrimSpace(name), "/")
	if name == "" || len([]rune(name)) > maxFolderName || strings.ContainsAny(name, "*%\r\n\x00") || strings.Contains(name, "//") {
		return "", apperr.New(apperr.ErrInvalid, "mail.err.folder_name")
	}
	if _, err := s.FolderByIMAP(ctx, u, name); err == nil {
		return "", apperr.New(apperr.ErrConflict, "mail.err.folder_exists", "Name", name)
	}
	return name, nil
}

// RenameFolder renames one of a person's own folders; its messages and
// their UIDs stay.
func (s *Service) RenameFolder(ctx context.Context, u auth.User, id, name string) error {
	f, err := s.folder(ctx, u, id)
	if err != nil {
		return err
	}
	if f.Special {
		return apperr.New(apperr.ErrForbidden, "mail.err.special_folder")
	}
	if name, err = s.checkFolderName(ctx, u, name); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE mail_folders SET name = ?, hlc = ?, origin = ? WHERE id = ? AND owner_id = ?", name, tx.HLC, tx.Origin, id, u.ID)
		return err
	})
}

// DeleteFolder deletes one of a person's own folders; its messages go to
// the Corbeille.
func (s *Service) DeleteFolder(ctx context.Context, u auth.User, id string) error {
	f, err := s.folder(ctx, u, id)
	if err != nil {
		return err
	}
	if f.Special {
		return apperr.New(apperr.ErrForbidden, "mail.err.special_folder")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE mail_copies SET folder = ?, hlc = ?, origin = ? WHERE deleted = 0 AND owner_id = ? AND folder = ?",
			Trash, tx.HLC, tx.Origin, u.ID, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE mail_folders SET deleted = 1, hlc = ?, origin = ? WHERE id = ? AND owner_id = ?", tx.HLC, tx.Origin, id, u.ID)
		return err
	})
}

// Page is one page of a folder's list, newest first.
type Page struct {
	Items       []Summary
	Total       int
	Offset, Max int
}

// List reads a page of a folder, newest first.
func (s *Service) List(ctx context.Context, u auth.User, folder string, offset, max int) (Page, error) {
	if _, err := s.folder(ctx, u, folder); err != nil {
		return Page{}, err
	}
	p := Page{Offset: max0(offset), Max: max}
	if err := s.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM mail_copies WHERE deleted = 0 AND owner_id = ? AND folder = ?",
		u.ID, folder).Scan(&p.Total); err != nil {
		return p, err
	}
	var err error
	p.Items, err = store.Query(ctx, s.db.Reader(), scanSummary, "SELECT "+summaryColumns+summaryFrom+
		"c.owner_id = ? AND c.folder = ? ORDER BY c.received_at DESC, c.id DESC LIMIT ? OFFSET ?", u.ID, folder, max, p.Offset)
	return p, err
}

func max0(n int) int { return max(n, 0) }

// Opened is a message as a person reads it: their copy, the message read,
// and the other messages of its conversation they hold.
type Opened struct {
	Copy Summary
	Message
	Thread []Summary
}

// Open reads one of a person's messages and marks it read.
func (s *Service) Open(ctx context.Context, u auth.User, copyID string) (Opened, error) {
	c, err := s.copyOf(ctx, u.ID, copyID)
	if err != nil {
		return Opened{}, err
	}
	m, err := s.read(ctx, c.MessageID)
	if err != nil {
		return Opened{}, err
	}
	if !c.Seen {
		if err := s.SetFlags(ctx, u, []string{copyID}, Flags{Seen: ptr(true)}); err != nil {
			return Opened{}, err
		}
		c.Seen = true
	}
	thread, err := s.summaries(ctx, "c.owner_id = ? AND m.thread_id = ? AND c.folder != ?", u.ID, c.ThreadID, Trash)
	return Opened{Copy: c, Message: m, Thread: thread}, err
}

// read parses a message's text.
func (s *Service) read(ctx context.Context, messageID string) (Message, error) {
	r, err := s.raw(ctx, messageID)
	if err != nil {
		return Message{}, err
	}
	defer r.Close()
	return Parse(r, 1<<40)
}

// Attachment reads the nth file (from 0) of one of a person's messages.
func (s *Service) Attachment(ctx context.Context, u auth.User, copyID string, n int) (Attachment, error) {
	c, err := s.copyOf(ctx, u.ID, copyID)
	if err != nil {
		return Attachment{}, err
	}
	m, err := s.read(ctx, c.MessageID)
	if err != nil {
		return Attachment{}, err
	}
	if n < 0 || n >= len(m.Attachments) {
		return Attachment{}, apperr.New(apperr.ErrNotFound, "mail.err.no_attachment")
	}
	return m.Attachments[n], nil
}

// Raw opens the RFC 5322 text of one of a person's messages.
func (s *Service) Raw(ctx context.Context, u auth.User, copyID string) (Summary, []byte, error) {
	c, err := s.copyOf(ctx, u.ID, copyID)
	if err != nil {
		return c, nil, err
	}
	data, err := s.rawBytes(ctx, c.MessageID)
	return c, data, err
}

// Flags is a change of a copy's flags: nil leaves one as it is.
type Flags struct {
	Seen, Flagged, Answered, Draft, Removed *bool
	Keywords                                *[]string
}

func ptr[T any](v T) *T { return &v }

// SetFlags changes the flags of some of a person's copies.
func (s *Service) SetFlags(ctx context.Context, u auth.User, copyIDs []string, f Flags) error {
	var set []string
	var args []any
	add := func(col string, v *bool) {
		if v != nil {
			set = append(set, col+" = ?")
			args = append(args, *v)
		}
	}
	add("seen", f.Seen)
	add("flagged", f.Flagged)
	add("answered", f.Answered)
	add("draft", f.Draft)
	add("removed", f.Removed)
	if f.Keywords != nil {
		set = append(set, "keywords = ?")
		args = append(args, strings.Join(*f.Keywords, " "))
	}
	if len(set) == 0 || len(copyIDs) == 0 {
		return nil
	}
	return s.updateCopies(ctx, u, copyIDs, strings.Join(set, ", "), args...)
}

// updateCopies sets columns of some of a person's live copies; one that
// is not theirs (or no more) changes nothing of any: not found.
func (s *Service) updateCopies(ctx context.Context, u auth.User, copyIDs []string, set string, args ...any) error {
	copyIDs = slices.Compact(slices.Sorted(slices.Values(copyIDs)))
	return s.db.Write(ctx, func(tx *store.Tx) error {
		for chunk := range slices.Chunk(copyIDs, 500) {
			list, ids := store.In(chunk)
			all := append(slices.Clone(args), tx.HLC, tx.Origin, u.ID)
			all = append(all, ids...)
			res, err := tx.ExecContext(ctx, "UPDATE mail_copies SET "+set+", hlc = ?, origin = ? WHERE deleted = 0 AND owner_id = ? AND id IN ("+list+")",
				all...)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != int64(len(chunk)) {
				return apperr.New(apperr.ErrNotFound, "mail.err.not_found")
			}
		}
		return nil
	})
}

// Move moves some of a person's copies to another of their folders.
func (s *Service) Move(ctx context.Context, u auth.User, copyIDs []string, folder string) error {
	if _, err := s.folder(ctx, u, folder); err != nil {
		return err
	}
	return s.updateCopies(ctx, u, copyIDs, "folder = ?, removed = 0", folder)
}

// Delete puts copies in the Corbeille, or, those already there, deletes
// them for good.
func (s *Service) Delete(ctx context.Context, u auth.User, copyIDs []string) error {
	var trashed, others []string
	for _, id := range copyIDs {
		c, err := s.copyOf(ctx, u.ID, id)
		if err != nil {
			return err
		}
		if c.Folder == Trash {
			trashed = append(trashed, id)
		} else {
			others = append(others, id)
		}
	}
	if err := s.Expunge(ctx, u, trashed); err != nil {
		return err
	}
	return s.Move(ctx, u, others, Trash)
}

// EmptyTrash deletes for good what a person's Corbeille holds.
func (s *Service) EmptyTrash(ctx context.Context, u auth.User) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE mail_copies SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND owner_id = ? AND folder = ?",
			tx.HLC, tx.Origin, u.ID, Trash)
		return err
	})
}

// Expunge deletes some of a person's copies for good.
func (s *Service) Expunge(ctx context.Context, u auth.User, copyIDs []string) error {
	if len(copyIDs) == 0 {
		return nil
	}
	return s.updateCopies(ctx, u, copyIDs, "deleted = 1")
}

// Search finds a person's messages whose subject, people or text hold
// every word of q, best first (the search's full-text index), in one
// folder, or in all but the Corbeille when folder is "".
func (s *Service) Search(ctx context.Context, u auth.User, q, folder string, max int) ([]Summary, error) {
	if s.finder == nil || s.finder() == nil {
		return s.scan(ctx, u, q, folder, max)
	}
	ids, err := s.finder().Find(ctx, u, q, searchSource.Kind, 4*max)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	list, args := store.In(ids)
	found, err := s.summaries(ctx, "c.owner_id = ? AND c.id IN ("+list+")", append([]any{u.ID}, args...)...)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Summary, len(found))
	for _, f := range found {
		byID[f.CopyID] = f
	}
	var out []Summary
	for _, id := range ids {
		if f, ok := byID[id]; ok && len(out) < max && (f.Folder == folder || (folder == "" && f.Folder != Trash)) {
			out = append(out, f)
		}
	}
	return out, nil
}

// scan is the search without an index: every word somewhere in the
// subject, the people or the text, newest first.
func (s *Service) scan(ctx context.Context, u auth.User, q, folder string, max int) ([]Summary, error) {
	where := "c.owner_id = ?"
	args := []any{u.ID}
	if folder != "" {
		where += " AND c.folder = ?"
		args = append(args, folder)
	} else {
		where += " AND c.folder != ?"
		args = append(args, Trash)
	}
	for _, w := range strings.Fields(q) {
		where += " AND (instr(lower(m.subject), ?) OR instr(lower(m.from_addr), ?) OR instr(lower(m.to_addrs), ?) OR instr(lower(m.body_text), ?))"
		w = strings.ToLower(w)
		args = append(args, w, w, w, w)
	}
	list, err := store.Query(ctx, s.db.Reader(), scanSummary, "SELECT "+summaryColumns+summaryFrom+where+
		" ORDER BY c.received_at DESC LIMIT ?", append(args, max)...)
	return list, err
}
