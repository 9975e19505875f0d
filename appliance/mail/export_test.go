package mail

import "log/slog"

// SetLog replaces the node's logger before its servers start, for a test
// that reads what they log.
func (n *Node) SetLog(l *slog.Logger) { n.log = l }
