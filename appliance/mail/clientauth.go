package mail

import (
	"context"
	"net"
	"strings"

	"preau/appliance/auth"
)

// signIn checks the login and password a mail client gives, from the
// client at addr: the login as people type it on the web, or their mail
// address (login@<mail.domain>), which is what a mail client's account
// assistant fills in. Failures are throttled like the web's
// (auth.ThrottledError); the password goes nowhere else.
func (n *Node) signIn(ctx context.Context, name, password string, addr net.Addr) (auth.User, error) {
	login := strings.TrimSpace(name)
	if l, domain, ok := strings.Cut(login, "@"); ok && strings.EqualFold(domain, n.S.Domain()) {
		login = l
	}
	return n.S.auth.ClientLogin(ctx, login, password, hostOf(addr))
}
