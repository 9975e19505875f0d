package roster

import (
	"context"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
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
	Child      auth.User
	School     auth.School // the school asking: the child's
	Status     string      // pending, accepted or refused
	CreatedAt  time.Time
	AnsweredAt time.Time
}

// Link request statuses.
const (
	LinkPending  = "pending"
	LinkAccepted = "accepted"
	LinkRefused  = "refused"
)

// The answers to a request that cannot be given.
var (
	ErrRequestAnswered = apperr.New(apperr.ErrConflict, "roster.links.answered")
	ErrNoRequest       = apperr.New(apperr.ErrNotFound, "roster.links.no_request")
)

// LinkRequests lists a parent's requests waiting for an answer, oldest first.
func (s *Service) LinkRequests(ctx context.Context, parentID string) ([]LinkRequest, error) {
	list, err := s.pendingRequests(ctx, parentID)
	if err != nil {
		return nil, err
	}
	out := make([]LinkRequest, 0, len(list))
	for _, r := range list {
		req := LinkRequest{ID: r.id, Status: r.status}
		req.CreatedAt, _ = time.Parse(time.RFC3339, r.created)
		req.AnsweredAt, _ = time.Parse(time.RFC3339, r.answered)
		if req.Child, err = s.accounts.User(ctx, r.child); err != nil {
			continue // the pupil left the school meanwhile: nothing to answer
		}
		if req.School, err = s.School(ctx, r.school); err != nil {
			req.School = auth.School{ID: r.school, Name: r.school}
		}
		out = append(out, req)
	}
	return out, nil
}

// AskedToLink reports whether a school waits for this parent's answer to
// link them to a child: sign-in takes them to their answer first.
func (s *Service) AskedToLink(ctx context.Context, parentID string) (bool, error) {
	reqs, err := s.LinkRequests(ctx, parentID)
	return len(reqs) > 0, err
}

// AnswerLinkRequest records a parent's answer to one of their requests; an
// acceptance links them to the child in the same transaction.
func (s *Service) AnswerLinkRequest(ctx context.Context, parentID, requestID string, accept bool) error {
	return s.answerRequest(ctx, parentID, requestID, accept)
}
