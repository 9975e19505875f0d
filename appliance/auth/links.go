package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// Linking a parent to a child. A parent has one account city-wide, and the
// account belongs to the school that created it: only that school's
// directors (and the DSI) administer it. A director of another school who
// names that parent (an import matching their e-mail address) must not gain
// anything over the account by linking it to one of their pupils, so the
// link is not made: the parent is asked, and answers on central, where every
// parent logs in and where no school can forge their answer.

// LinkRequest is a school's request to link a parent of another school to
// one of its pupils, waiting for the parent's answer.
type LinkRequest struct {
	ID         string
	Child      User
	School     School // the school asking: the child's
	Status     string // pending, accepted or refused
	CreatedAt  time.Time
	AnsweredAt time.Time
}

// Link request statuses.
const (
	LinkPending  = "pending"
	LinkAccepted = "accepted"
	LinkRefused  = "refused"
)

// ErrRequestAnswered means the request was answered already.
var ErrRequestAnswered = apperr.New(apperr.ErrConflict, "vous avez déjà répondu à cette demande")

// linkOrAsk links parent to child when the parent's account belongs to the
// child's school, and otherwise asks the parent (a pending request), unless
// they are linked already. It reports whether it only asked.
func linkOrAsk(ctx context.Context, tx *store.Tx, parentID, childID, askedBy string) (asked bool, err error) {
	var parentSchool, childSchool string
	var profile Profile
	if err := tx.QueryRowContext(ctx, "SELECT school_id, profile FROM users WHERE deleted = 0 AND id = ?", parentID).
		Scan(&parentSchool, &profile); err != nil {
		return false, fmt.Errorf("%w : parent inconnu", apperr.ErrInvalid)
	}
	if profile != Parent {
		return false, fmt.Errorf("%w : seul un compte de parent peut être rattaché à un enfant", apperr.ErrInvalid)
	}
	if err := tx.QueryRowContext(ctx, "SELECT school_id FROM users WHERE deleted = 0 AND profile = 'pupil' AND id = ?", childID).
		Scan(&childSchool); err != nil {
		return false, fmt.Errorf("%w : élève inconnu", apperr.ErrInvalid)
	}
	if parentSchool == childSchool {
		return false, addGuardian(ctx, tx, parentID, childID)
	}
	var linked int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM guardians WHERE deleted = 0 AND parent_id = ? AND child_id = ?",
		parentID, childID).Scan(&linked); err != nil || linked > 0 {
		return false, err
	}
	// Asking again after a refusal asks anew; a pending request stays as it is.
	_, err = tx.ExecContext(ctx, `INSERT INTO guardian_requests(id, scope, hlc, origin, parent_id, child_id, school_id, requested_by,
		status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
		ON CONFLICT(id) DO UPDATE SET status = 'pending', answered_at = '', requested_by = excluded.requested_by,
		created_at = excluded.created_at, deleted = 0, hlc = excluded.hlc, origin = excluded.origin
		WHERE guardian_requests.status != 'pending' OR guardian_requests.deleted = 1`,
		store.NaturalID("guardian-request", parentID, childID), childSchool, tx.HLC, tx.Origin, parentID, childID, childSchool,
		askedBy, time.Now().UTC().Format(time.RFC3339))
	return true, err
}

// LinkRequests lists a parent's requests waiting for an answer, oldest first.
func (s *Service) LinkRequests(ctx context.Context, parentID string) ([]LinkRequest, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, child_id, school_id, status, created_at, answered_at
		FROM guardian_requests WHERE deleted = 0 AND status = 'pending' AND parent_id = ? ORDER BY created_at, id`, parentID)
	if err != nil {
		return nil, err
	}
	type raw struct{ id, child, school, status, created, answered string }
	var list []raw
	for rows.Next() {
		var r raw
		if err := rows.Scan(&r.id, &r.child, &r.school, &r.status, &r.created, &r.answered); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]LinkRequest, 0, len(list))
	for _, r := range list {
		req := LinkRequest{ID: r.id, Status: r.status}
		req.CreatedAt, _ = time.Parse(time.RFC3339, r.created)
		req.AnsweredAt, _ = time.Parse(time.RFC3339, r.answered)
		if req.Child, err = s.User(ctx, r.child); err != nil {
			continue // the pupil left the school meanwhile: nothing to answer
		}
		if req.School, err = s.School(ctx, r.school); err != nil {
			req.School = School{ID: r.school, Name: r.school}
		}
		out = append(out, req)
	}
	return out, nil
}

// AnswerLinkRequest records a parent's answer to one of their requests; an
// acceptance links them to the child in the same transaction.
func (s *Service) AnswerLinkRequest(ctx context.Context, parentID, requestID string, accept bool) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		var childID, status string
		err := tx.QueryRowContext(ctx, "SELECT child_id, status FROM guardian_requests WHERE deleted = 0 AND id = ? AND parent_id = ?",
			requestID, parentID).Scan(&childID, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != LinkPending {
			return ErrRequestAnswered
		}
		answer := LinkRefused
		if accept {
			answer = LinkAccepted
			if err := addGuardian(ctx, tx, parentID, childID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, "UPDATE guardian_requests SET status = ?, answered_at = ?, hlc = ?, origin = ? WHERE id = ?",
			answer, time.Now().UTC().Format(time.RFC3339), tx.HLC, tx.Origin, requestID)
		return err
	})
}

// PendingLinkRequests lists, per parent id, the children a school asked to
// link them to, still waiting for the parent's answer: an import does not
// ask again.
func (s *Service) PendingLinkRequests(ctx context.Context, schoolID string) (map[string][]string, error) {
	return s.pairs(ctx, `SELECT parent_id, child_id FROM guardian_requests
		WHERE deleted = 0 AND status = 'pending' AND school_id = ?`, schoolID)
}
