package mail

import (
	"context"
	"net"
)

func (n *Node) ServeIMAP(ctx context.Context, ln net.Listener, implicitTLS bool) error { return nil }
