package mail

import (
	"bytes"
	"context"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/i18n"
	"preau/appliance/store"
)

// What mail clients write: a message saved in a folder (IMAP APPEND), and
// a message sent (SMTP submission).

// Append saves a message a person wrote or kept into one of their folders,
// as it is (a mail client's Envoyés, a draft, an archive brought in); it
// reaches no one. replaces, when set, is a draft copy it takes the place
// of. It returns the new copy's id.
func (s *Service) Append(ctx context.Context, u auth.User, folder string, raw []byte, f Flags, date time.Time, replaces string) (string, error) {
	if _, err := s.folder(ctx, u, folder); err != nil {
		return "", err
	}
	if int64(len(raw)) > s.maxSize {
		return "", ErrTooLarge
	}
	m, err := Parse(bytes.NewReader(raw), s.maxSize)
	if err != nil {
		return "", err
	}
	if err := s.roomFor(ctx, u, int64(len(raw))); err != nil {
		return "", err
	}
	st, err := s.stored(ctx, u, raw, m)
	if err != nil {
		return "", err
	}
	st.State = "saved"
	if m.Date.IsZero() {
		st.Date = s.now()
	}
	if date.IsZero() {
		date = s.now()
	}
	c := copyRow{ID: store.NewID(), Scope: s.writeScope(u), OwnerID: u.ID, MessageID: st.ID, Folder: folder, ReceivedAt: date,
		Seen: f.Seen != nil && *f.Seen, Draft: f.Draft != nil && *f.Draft, Flagged: f.Flagged != nil && *f.Flagged}
	if f.Keywords != nil {
		c.Keywords = *f.Keywords
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.insertMessage(ctx, tx, st); err != nil {
			return err
		}
		if replaces != "" {
			if _, err := tx.ExecContext(ctx, "UPDATE mail_copies SET deleted = 1, hlc = ?, origin = ? WHERE id = ? AND owner_id = ?",
				tx.HLC, tx.Origin, replaces, u.ID); err != nil {
				return err
			}
		}
		if err := s.insertCopy(ctx, tx, c); err != nil {
			return err
		}
		// its UID now, in the same write, when clients know the folder
		if err := s.giveUIDs(ctx, tx, u.ID, folder, []string{c.ID}, false); err != nil {
			return err
		}
		if f.Answered != nil && *f.Answered {
			_, err := tx.ExecContext(ctx, "UPDATE mail_copies SET answered = 1 WHERE id = ?", c.ID)
			return err
		}
		return nil
	})
	return c.ID, err
}

// CheckRecipient says whether u may write to an address (SMTP's RCPT TO),
// and who it is.
func (s *Service) CheckRecipient(ctx context.Context, u auth.User, address string) (auth.User, error) {
	users, _, err := s.Recipients(ctx, u, i18n.Lang(u.Language), []string{address})
	if err != nil {
		return auth.User{}, err
	}
	return users[0], nil
}

// Submit sends a message a mail client wrote (SMTP submission) to the
// accounts of its envelope: its From must be the sender's own address,
// its Bcc is removed, and the same rules as the webmail's apply. A copy
// goes to Envoyés.
func (s *Service) Submit(ctx context.Context, u auth.User, raw []byte, recipients []auth.User) (Outcome, error) {
	if int64(len(raw)) > s.maxSize {
		return Outcome{}, ErrTooLarge
	}
	m, err := Parse(bytes.NewReader(raw), s.maxSize)
	if err != nil {
		return Outcome{}, err
	}
	if !strings.EqualFold(m.From.Email, s.Address(u).Email) {
		return Outcome{}, apperr.New(apperr.ErrForbidden, "mail.err.forged_from", "Address", s.Address(u).Email)
	}
	if err := s.roomFor(ctx, u, int64(len(raw))); err != nil {
		return Outcome{}, err
	}
	raw = withoutBcc(raw)
	if m.MessageID == "" {
		m.MessageID = store.NewID() + "@" + s.domain
		raw = append([]byte("Message-ID: <"+m.MessageID+">\r\n"), raw...)
	}
	return s.post(ctx, u, raw, m, unique(recipients), "")
}

// withoutBcc removes the Bcc field from a message's header: those it
// names must stay hidden from the others.
func withoutBcc(raw []byte) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		if end = bytes.Index(raw, []byte("\n\n")); end < 0 {
			return raw
		}
	}
	lines := strings.SplitAfter(string(raw[:end]), "\n")
	var out strings.Builder
	skipping := false
	for _, l := range lines {
		if skipping && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) {
			continue
		}
		skipping = len(l) >= 4 && strings.EqualFold(l[:4], "bcc:")
		if !skipping {
			out.WriteString(l)
		}
	}
	return append([]byte(out.String()), raw[end:]...)
}
