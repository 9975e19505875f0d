package mail

import (
	"context"
	"log/slog"
)

// SetLog replaces the node's logger before its servers start, for a test
// that reads what they log.
func (n *Node) SetLog(l *slog.Logger) { n.log = l }

// ReadMailbox reads a folder's IMAP state from the store, past the index.
func (s *Service) ReadMailbox(ctx context.Context, owner, folder string) (Mailbox, error) {
	return s.readMailbox(ctx, owner, folder)
}

// UsageQuery is the quota's sum, for a test of its plan.
const UsageQuery = usageQuery
