package mail

import (
	"context"
	"net"
)

func (n *Node) ServeSubmission(ctx context.Context, ln net.Listener, _ bool) error { return nil }
