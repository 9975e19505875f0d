package mail

import (
	"context"
	"io"
	"slices"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// Delivery between schools, and the messages pupils' teachers let go.
//
// A school delivers at once to its own accounts. A message to anyone else
// is written « en attente » (pending) and reaches central with the next
// sync; central, which may write every school's rows, delivers it to the
// others — checking the rules again, since it trusts no school's word for
// them — and marks it delivered; the copies and the mark travel back down.
// The partition (the sending school delivers its own accounts, central the
// others) means no copy is ever written by two nodes.

// DeliverPending delivers, on central, the messages schools left waiting;
// it returns how many it delivered or returned.
func (s *Service) DeliverPending(ctx context.Context) (int, error) {
	if s.school != "" {
		return 0, nil
	}
	type pending struct{ id, scope, sender, subject, recipients string }
	list, err := store.Query(ctx, s.db.Reader(), func(r store.Scanner) (pending, error) {
		var p pending
		return p, r.Scan(&p.id, &p.scope, &p.sender, &p.subject, &p.recipients)
	}, "SELECT id, scope, sender_id, subject, recipients FROM mail_messages WHERE deleted = 0 AND state = 'pending' ORDER BY date LIMIT 500")
	if err != nil {
		return 0, err
	}
	for _, p := range list {
		if err := s.deliverPending(ctx, p.id, p.scope, p.sender, p.subject, strings.Fields(p.recipients)); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

func (s *Service) deliverPending(ctx context.Context, id, scope, senderID, subject string, ids []string) error {
	sender, err := s.auth.User(ctx, senderID)
	if err != nil {
		return s.returnMessage(ctx, id, "mail.reason.unknown_sender")
	}
	r, err := s.reachOf(ctx, sender)
	if err != nil {
		return err
	}
	var to []auth.User
	var schools []string // where the message must go: a school may not have known
	for _, rid := range ids {
		x, err := s.auth.User(ctx, rid)
		if err != nil {
			continue // an account deleted since: nothing to deliver
		}
		if homeScope(x) == scope {
			continue // the sending school's own: delivered there
		}
		if !slices.Contains(schools, homeScope(x)) {
			schools = append(schools, homeScope(x))
		}
		if !r.allows(x.ID) && !s.answers(ctx, sender, x.ID) {
			return s.returnMessage(ctx, id, "mail.reason.not_allowed")
		}
		to = append(to, x)
	}
	var delivered []auth.User
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if delivered, err = s.deliver(ctx, tx, id, to, func(auth.User) bool { return true }); err != nil {
			return err
		}
		slices.Sort(schools)
		_, err := tx.ExecContext(ctx, "UPDATE mail_messages SET state = 'sent', delivered_at = ?, schools = ?, hlc = ?, origin = ? WHERE id = ? AND state = 'pending'",
			s.now().UTC().Format(time.RFC3339), strings.Join(schools, " "), tx.HLC, tx.Origin, id)
		return err
	})
	if err == nil {
		s.announce(ctx, sender, subject, delivered)
	}
	return err
}

// returnMessage gives a message back to its sender with the reason.
func (s *Service) returnMessage(ctx context.Context, id, reason string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE mail_messages SET state = 'returned', reason = ?, hlc = ?, origin = ? WHERE id = ?",
			reason, tx.HLC, tx.Origin, id)
		return err
	})
}

// runDelivery delivers on central whenever a write may have brought a
// pending message, until ctx ends.
func (s *Service) runDelivery(ctx context.Context, kick <-chan struct{}) {
	for {
		if _, err := s.DeliverPending(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("mail: deliver", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-time.After(time.Minute):
		}
	}
}

// Held is a pupil's message waiting for a teacher.
type Held struct {
	Summary
	Sender auth.User
	Text   string
}

// Held lists the messages of a teacher's pupils that wait for them.
func (s *Service) Held(ctx context.Context, u auth.User) ([]Held, error) {
	if u.Profile != auth.Teacher && u.Profile != auth.Director {
		return nil, nil
	}
	list, err := s.summaries(ctx, "m.state = 'held' AND c.folder = ? AND c.owner_id = m.sender_id", Sent)
	if err != nil {
		return nil, err
	}
	var out []Held
	for _, c := range list {
		sender, err := s.auth.User(ctx, c.SenderID)
		if err != nil || !s.moderates(ctx, u, sender) {
			continue
		}
		m, err := s.read(ctx, c.MessageID)
		if err != nil {
			return nil, err
		}
		out = append(out, Held{Summary: c, Sender: sender, Text: m.Text})
	}
	return out, nil
}

// moderates reports whether u may let a pupil's messages go: one of the
// pupil's teachers, or their school's director.
func (s *Service) moderates(ctx context.Context, u auth.User, pupil auth.User) bool {
	if pupil.Profile != auth.Pupil || pupil.SchoolID != u.SchoolID {
		return false
	}
	if u.Profile == auth.Director {
		return true
	}
	classes, err := s.reg.UserClasses(ctx, pupil.ID)
	if err != nil {
		return false
	}
	for _, c := range classes {
		teachers, err := s.reg.ClassTeachers(ctx, c.ID)
		if err != nil {
			return false
		}
		for _, t := range teachers {
			if t.ID == u.ID {
				return true
			}
		}
	}
	return false
}

// heldMessage reads a held message a teacher may decide on.
func (s *Service) heldMessage(ctx context.Context, u auth.User, messageID string) (auth.User, []auth.User, string, error) {
	var senderID, recipients, state, subject string
	err := s.db.Reader().QueryRowContext(ctx, "SELECT sender_id, recipients, state, subject FROM mail_messages WHERE deleted = 0 AND id = ?", messageID).
		Scan(&senderID, &recipients, &state, &subject)
	if err != nil || state != "held" {
		return auth.User{}, nil, "", apperr.New(apperr.ErrNotFound, "mail.err.not_held")
	}
	sender, err := s.auth.User(ctx, senderID)
	if err != nil || !s.moderates(ctx, u, sender) {
		return auth.User{}, nil, "", apperr.New(apperr.ErrForbidden, "mail.err.not_your_pupil")
	}
	var to []auth.User
	for _, id := range strings.Fields(recipients) {
		if x, err := s.auth.User(ctx, id); err == nil {
			to = append(to, x)
		}
	}
	return sender, to, subject, nil
}

// Approve lets a pupil's held message go.
func (s *Service) Approve(ctx context.Context, u auth.User, messageID string) error {
	sender, to, subject, err := s.heldMessage(ctx, u, messageID)
	if err != nil {
		return err
	}
	state := "sent"
	for _, r := range to {
		if !s.local(r) {
			state = "pending"
		}
	}
	var delivered []auth.User
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if delivered, err = s.deliver(ctx, tx, messageID, to, s.local); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE mail_messages SET state = ?, hlc = ?, origin = ? WHERE id = ? AND state = 'held'", state, tx.HLC, tx.Origin, messageID)
		return err
	})
	if err == nil {
		s.announce(ctx, sender, subject, delivered)
	}
	return err
}

// Return gives a pupil's held message back with the teacher's reason.
func (s *Service) Return(ctx context.Context, u auth.User, messageID, reason string) error {
	if _, _, _, err := s.heldMessage(ctx, u, messageID); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return apperr.New(apperr.ErrInvalid, "mail.err.reason")
	}
	return s.returnMessage(ctx, messageID, reason)
}

// rawBytes reads a message's RFC 5322 text.
func (s *Service) rawBytes(ctx context.Context, messageID string) ([]byte, error) {
	r, err := s.raw(ctx, messageID)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
