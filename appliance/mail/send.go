package mail

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/i18n"
	"preau/appliance/notify"
	"preau/appliance/store"
	"preau/appliance/text"
)

// Draft is a message as the webmail writes it.
type Draft struct {
	To, Cc, Bcc []string // user ids, group keys or addresses
	Subject     string
	Text        string
	Attachments []Attachment
	// ReplyTo is the copy of the message answered; Forward, the copy of
	// the message forwarded (its files come along).
	ReplyTo, Forward string
	// DraftID is the copy of the draft being sent or saved again.
	DraftID string
}

// Limits of the webmail's fields, in characters.
const (
	maxSubject = 250
	maxText    = 100_000
	snippetLen = 160
	textIndex  = 64 << 10 // what of a message's text the search reads
)

// Outcome is what sending did.
type Outcome struct {
	CopyID string // the sender's copy, in Envoyés
	State  string // sent, pending (waits for central), held (waits for a teacher)
}

// Send sends a person's message: checked against the rules first, then
// delivered at once to the recipients of this school (or of the city, on
// central), and to the others by central when the link is up.
func (s *Service) Send(ctx context.Context, u auth.User, lang i18n.Lang, d Draft) (Outcome, error) {
	if err := checkDraft(d); err != nil {
		return Outcome{}, err
	}
	to, groups, err := s.Recipients(ctx, u, lang, d.To)
	if err != nil {
		return Outcome{}, err
	}
	cc, ccGroups, err := s.optionalRecipients(ctx, u, lang, d.Cc)
	if err != nil {
		return Outcome{}, err
	}
	bcc, _, err := s.optionalRecipients(ctx, u, lang, d.Bcc)
	if err != nil {
		return Outcome{}, err
	}
	m, err := s.compose(ctx, u, d)
	if err != nil {
		return Outcome{}, err
	}
	m.To, m.Cc = s.addresses(to, groups), s.addresses(cc, ccGroups)
	m.Groups = append(groups, ccGroups...)
	raw, err := Compose(m)
	if err != nil {
		return Outcome{}, err
	}
	if int64(len(raw)) > s.maxSize {
		return Outcome{}, ErrTooLarge
	}
	if err := s.roomFor(ctx, u, int64(len(raw))); err != nil {
		return Outcome{}, err
	}
	all := unique(slices.Concat(to, cc, bcc))
	sent, err := s.post(ctx, u, raw, m, all, d.DraftID)
	if err == nil && d.ReplyTo != "" {
		s.SetFlags(ctx, u, []string{d.ReplyTo}, Flags{Answered: ptr(true)})
	}
	return sent, err
}

func (s *Service) optionalRecipients(ctx context.Context, u auth.User, lang i18n.Lang, keys []string) ([]auth.User, []string, error) {
	if len(slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return strings.TrimSpace(k) == "" })) == 0 {
		return nil, nil, nil
	}
	return s.Recipients(ctx, u, lang, keys)
}

// addresses lists the people written to by name in the header; those
// reached through a group stay undisclosed.
func (s *Service) addresses(users []auth.User, groups []string) []Address {
	if len(groups) > 0 {
		return nil
	}
	out := make([]Address, len(users))
	for i, x := range users {
		out[i] = s.Address(x)
	}
	return out
}

func unique(users []auth.User) []auth.User {
	seen := map[string]bool{}
	return slices.DeleteFunc(users, func(x auth.User) bool {
		dup := seen[x.ID]
		seen[x.ID] = true
		return dup
	})
}

func checkDraft(d Draft) error {
	switch {
	case utf8.RuneCountInString(d.Subject) > maxSubject:
		return apperr.New(apperr.ErrInvalid, "mail.err.subject_long", "Max", maxSubject)
	case utf8.RuneCountInString(d.Text) > maxText:
		return apperr.New(apperr.ErrInvalid, "mail.err.text_long", "Max", maxText)
	case strings.ContainsAny(d.Subject, "\r\n"):
		return apperr.New(apperr.ErrInvalid, "mail.err.subject_line")
	}
	return nil
}

// compose builds the message of a draft: its headers, the conversation it
// answers, the files of the message it forwards.
func (s *Service) compose(ctx context.Context, u auth.User, d Draft) (Message, error) {
	m := Message{MessageID: store.NewID() + "@" + s.domain, Subject: strings.TrimSpace(d.Subject), From: s.Address(u),
		Date: s.now(), Text: d.Text, Attachments: d.Attachments}
	if d.ReplyTo != "" {
		c, err := s.copyOf(ctx, u.ID, d.ReplyTo)
		if err != nil {
			return m, err
		}
		orig, err := s.read(ctx, c.MessageID)
		if err != nil {
			return m, err
		}
		if orig.MessageID != "" {
			m.InReplyTo = orig.MessageID
			m.References = append(slices.Clone(orig.References), orig.MessageID)
		}
	}
	if d.Forward != "" {
		c, err := s.copyOf(ctx, u.ID, d.Forward)
		if err != nil {
			return m, err
		}
		orig, err := s.read(ctx, c.MessageID)
		if err != nil {
			return m, err
		}
		m.Attachments = append(m.Attachments, orig.Attachments...)
	}
	return m, nil
}

// SaveDraft keeps a message being written in Brouillons, replacing the
// previous save of the same draft; it returns the new copy's id.
func (s *Service) SaveDraft(ctx context.Context, u auth.User, lang i18n.Lang, d Draft) (string, error) {
	if err := checkDraft(d); err != nil {
		return "", err
	}
	m, err := s.compose(ctx, u, d)
	if err != nil {
		return "", err
	}
	// a draft keeps whom it is for as written: the rules are checked when it is sent
	for _, key := range slices.Concat(d.To, d.Cc) {
		if x, err := s.account(ctx, key); err == nil {
			m.To = append(m.To, s.Address(x))
		}
	}
	raw, err := Compose(m)
	if err != nil {
		return "", err
	}
	if int64(len(raw)) > s.maxSize {
		return "", ErrTooLarge
	}
	return s.Append(ctx, u, Drafts, raw, Flags{Draft: ptr(true), Seen: ptr(true)}, time.Time{}, d.DraftID)
}

// post writes a message sent by u to recipients: the message, the
// sender's copy in Envoyés, and the copies of the recipients this node
// delivers to. A pupil's message waits for a teacher when the school
// moderates; one to people this node does not deliver to waits for
// central. draftID, when set, is the draft it replaces.
func (s *Service) post(ctx context.Context, u auth.User, raw []byte, m Message, recipients []auth.User, draftID string) (Outcome, error) {
	st, err := s.stored(ctx, u, raw, m)
	if err != nil {
		return Outcome{}, err
	}
	st.State = "sent"
	for _, r := range recipients {
		st.Recipients = append(st.Recipients, r.ID)
		if scope := homeScope(r); r.SchoolID != elsewhere && !slices.Contains(st.Schools, scope) && scope != st.Scope {
			st.Schools = append(st.Schools, scope)
		}
		if !s.local(r) {
			st.State = "pending"
		}
	}
	if u.Profile == auth.Pupil {
		if set, err := s.Settings(ctx, u.SchoolID); err != nil {
			return Outcome{}, err
		} else if set.Moderate {
			st.State = "held"
		}
	}
	own := copyRow{ID: store.NewID(), Scope: s.writeScope(u), OwnerID: u.ID, MessageID: st.ID, Folder: Sent, Seen: true, ReceivedAt: s.now()}
	var delivered []auth.User
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.insertMessage(ctx, tx, st); err != nil {
			return err
		}
		if err := s.insertCopy(ctx, tx, own); err != nil {
			return err
		}
		if draftID != "" {
			if _, err := tx.ExecContext(ctx, "UPDATE mail_copies SET deleted = 1, hlc = ?, origin = ? WHERE id = ? AND owner_id = ? AND folder = ?",
				tx.HLC, tx.Origin, draftID, u.ID, Drafts); err != nil {
				return err
			}
		}
		if st.State == "held" {
			return nil
		}
		delivered, err = s.deliver(ctx, tx, st.ID, recipients, s.local)
		return err
	})
	if err != nil {
		return Outcome{}, err
	}
	s.announce(ctx, u, st.Subject, delivered)
	return Outcome{CopyID: own.ID, State: st.State}, nil
}

// stored is the row of a message written by u: parsed, sized, its text
// kept for the search, its file in the blob store when large.
func (s *Service) stored(ctx context.Context, u auth.User, raw []byte, m Message) (stored, error) {
	st := stored{ID: store.NewID(), Scope: s.writeScope(u), SenderID: u.ID, HeaderID: m.MessageID, Subject: m.Subject,
		From: displayAddress(m.From), To: joinAddresses(m.To, m.Groups), Cc: joinAddresses(m.Cc, nil), Date: m.Date,
		Size: int64(len(raw)), Snippet: snippet(m), Text: truncate(m.Text, textIndex), Attachments: len(m.Attachments), Raw: raw}
	if st.Date.IsZero() {
		st.Date = s.now()
	}
	st.ThreadID = s.threadOf(ctx, m, st.ID)
	if len(raw) > inline {
		hash, _, err := s.db.Blobs().Put(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			return st, err
		}
		st.Blob = hash
	}
	return st, nil
}

// threadOf finds the conversation a message belongs to: that of the
// message it answers, when known here.
func (s *Service) threadOf(ctx context.Context, m Message, id string) string {
	for _, ref := range slices.Concat([]string{m.InReplyTo}, m.References) {
		if ref == "" {
			continue
		}
		var thread string
		if s.db.Reader().QueryRowContext(ctx, "SELECT thread_id FROM mail_messages WHERE header_id = ? LIMIT 1", ref).Scan(&thread) == nil {
			return thread
		}
	}
	return id
}

// displayAddress is an address as people read it: « Name <address> »,
// not encoded.
func displayAddress(a Address) string {
	if a.Name == "" {
		return a.Email
	}
	return a.Name + " <" + a.Email + ">"
}

func joinAddresses(as []Address, groups []string) string {
	parts := make([]string, 0, len(as)+len(groups))
	for _, a := range as {
		parts = append(parts, cmpOr(a.Name, a.Email))
	}
	return strings.Join(append(parts, groups...), ", ")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func snippet(m Message) string {
	t := strings.Join(strings.Fields(m.Text), " ")
	if t == "" && m.HTML != "" {
		t = strings.Join(strings.Fields(text.HTMLText(m.HTML)), " ")
	}
	return truncate(t, snippetLen)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// deliver writes, in tx, the inbox copies of a message for the recipients
// this node may deliver to (may); it returns them.
func (s *Service) deliver(ctx context.Context, tx *store.Tx, messageID string, recipients []auth.User, may func(auth.User) bool) ([]auth.User, error) {
	var out []auth.User
	now := s.now()
	for _, r := range recipients {
		if !may(r) {
			continue
		}
		c := copyRow{ID: store.NaturalID("mail", r.ID, messageID), Scope: s.writeScope(r), OwnerID: r.ID, MessageID: messageID, Folder: Inbox, ReceivedAt: now}
		if err := s.insertCopy(ctx, tx, c); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// announce tells the recipients a message arrived.
func (s *Service) announce(ctx context.Context, from auth.User, subject string, to []auth.User) {
	if len(to) == 0 {
		return
	}
	byScope := map[string][]string{}
	for _, r := range to {
		byScope[s.writeScope(r)] = append(byScope[s.writeScope(r)], r.ID)
	}
	for scope, ids := range byScope {
		s.hub.Tell(ctx, notify.Notice{Users: ids, Scope: scope, Kind: "mail", Key: "mail.notice.new",
			Args: map[string]string{"From": from.DisplayName, "Subject": subject}, URL: Path, Icon: "courrier"})
	}
}
