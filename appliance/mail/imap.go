package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"preau/appliance/i18n"
)

// The IMAP server (RFC 3501 and 9051), on go-imap's imapserver: mail
// clients read and file the same mailboxes as the webmail, with the same
// accounts. Sessions are in imap_session.go, what they do to messages in
// imap_messages.go and imap_search.go.

// imapCaps are the extensions served beyond what imapserver always
// offers (IDLE, UNSELECT, ENABLE, SASL-IR, LITERAL-, STARTTLS with a
// certificate) and APPENDLIMIT, which sessions give.
var imapCaps = imap.CapSet{
	imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {},
	imap.CapNamespace: {}, imap.CapUIDPlus: {}, imap.CapMove: {}, imap.CapSpecialUse: {}, imap.CapChildren: {},
	imap.CapESearch: {}, imap.CapSearchRes: {}, imap.CapListExtended: {}, imap.CapListStatus: {},
	imap.CapStatusSize: {}, imap.CapBinary: {}, imap.CapLiteralPlus: {},
}

// maxIMAPClients and maxIMAPClientsPerHost cap the IMAP connections at
// once: a client keeps one or two per account open, idling.
const maxIMAPClients, maxIMAPClientsPerHost = 2000, 300

// ServeIMAP serves mail clients on ln until ctx ends, then closes their
// connections. With implicitTLS, every connection starts with TLS (IMAPS);
// otherwise a client may ask for it with STARTTLS, when the node has a
// certificate. A password may travel only over TLS, or from the clients
// mail.allow_plain_auth trusts: the others are told LOGINDISABLED until
// they turn TLS on.
func (n *Node) ServeIMAP(ctx context.Context, ln net.Listener, implicitTLS bool) error {
	defer ln.Close()
	// a cap on connections at once, in all and per client: a school's
	// whole staff with two devices each fits many times over
	ln = limitConns(ln, maxIMAPClients, maxIMAPClientsPerHost, "* BYE Too many connections, try again later\r\n")
	if implicitTLS {
		if n.tls == nil {
			return errors.New("mail: IMAPS needs a certificate (tls.cert, tls.key)")
		}
		ln = tls.NewListener(ln, n.tls)
	}
	sessions := &liveSessions{}
	// imapserver decides for the whole server whether a password may come
	// in clear text: one server for the clients it may, one for the others.
	newServer := func(plain bool) (*imapserver.Server, *handedListener) {
		srv := imapserver.New(&imapserver.Options{
			NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
				if !sessions.open() {
					return nil, nil, &imap.Error{Type: imap.StatusResponseTypeBye, Text: i18n.M("mail.imap.shutdown").String()}
				}
				return n.newIMAPSession(ctx, c, sessions.done), nil, nil
			},
			Caps:         imapCaps,
			Logger:       imapLogger{n.log},
			TLSConfig:    n.tls,
			InsecureAuth: plain,
		})
		hl := &handedListener{addr: ln.Addr(), conns: make(chan net.Conn), closed: make(chan struct{}), serving: make(chan struct{})}
		go srv.Serve(hl)
		// Serve counts itself in after it registers the listener: a Close
		// between the two would race it (imapserver v2.0.0-beta.8)
		<-hl.serving
		return srv, hl
	}
	open, openLn := newServer(true)
	guarded, guardedLn := newServer(false)
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var err error
	for delay := time.Duration(0); ; {
		c, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() != nil || errors.Is(aerr, net.ErrClosed) {
				break
			}
			// out of files, say: wait and try again, as net/http does
			var ne interface{ Temporary() bool }
			if errors.As(aerr, &ne) && ne.Temporary() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			err = fmt.Errorf("imap: accept: %w", aerr)
			break
		}
		delay = 0
		if implicitTLS || n.plainAuth(c.RemoteAddr()) {
			openLn.hand(c)
		} else {
			guardedLn.hand(c)
		}
	}
	sessions.closing()
	open.Close()
	guarded.Close()
	sessions.wait()
	return err
}

// liveSessions counts the sessions open, so that ServeIMAP returns once
// the last has closed, and opens none once it is stopping.
type liveSessions struct {
	mu      sync.Mutex
	n       int
	stopped bool
	zero    chan struct{}
}

func (l *liveSessions) open() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return false
	}
	l.n++
	return true
}

func (l *liveSessions) done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n--; l.n == 0 && l.zero != nil {
		close(l.zero)
		l.zero = nil
	}
}

func (l *liveSessions) closing() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
}

func (l *liveSessions) wait() {
	l.mu.Lock()
	if l.n == 0 {
		l.mu.Unlock()
		return
	}
	zero := make(chan struct{})
	l.zero = zero
	l.mu.Unlock()
	<-zero
}

// handedListener is a listener the connections are handed to, one by one:
// ServeIMAP accepts them and gives each to the server whose rules fit it.
type handedListener struct {
	addr    net.Addr
	conns   chan net.Conn
	closed  chan struct{}
	once    sync.Once
	serving chan struct{} // closed at the first Accept
	started sync.Once
}

func (l *handedListener) Accept() (net.Conn, error) {
	l.started.Do(func() { close(l.serving) })
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *handedListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *handedListener) Addr() net.Addr { return l.addr }

func (l *handedListener) hand(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.closed:
		c.Close()
	}
}

// imapLogger logs what imapserver reports: a panic it recovered is an
// error, a client gone without LOGOUT only detail.
type imapLogger struct{ log *slog.Logger }

func (l imapLogger) Printf(format string, args ...any) {
	msg := strings.TrimSpace(fmt.Sprintf(format, args...))
	switch {
	case strings.HasPrefix(msg, "panic"):
		l.log.Error("imap: "+msg, "component", "imap")
	case strings.HasPrefix(msg, "failed to read command"):
		l.log.Debug("imap: "+msg, "component", "imap")
	default:
		l.log.Warn("imap: "+msg, "component", "imap")
	}
}

// appendLimit is mail.max_message_size as IMAP says it (APPENDLIMIT).
func (n *Node) appendLimit() uint32 {
	return uint32(min(max(n.S.MaxSize(), 0), math.MaxUint32))
}
