package mail

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"

	"preau/appliance/config"
	"preau/appliance/feature"
)

// Feature is the mail.
var Feature = feature.Feature{Name: "mail", Schema: Schema, Routes: routes, Tiles: tiles, Demo: feature.Demo{Seed: demo},
	Search: []feature.SearchSource{searchSource}, Personal: feature.Personal{Export: personalExport, Erase: erase, Retain: retain}}

// Path is the webmail, for every profile.
const Path = "/messagerie"

// Node is the mail of a running node: its service, and what mail clients
// reach it through.
type Node struct {
	S   *Service
	cfg config.Config
	log *slog.Logger
	// tls is the server's certificate for STARTTLS and implicit TLS; nil
	// when none is configured.
	tls *tls.Config
	// facts are the envelopes and structures of the messages IMAP listed
	facts factCache
}

type nodeKey struct{}

// Of is a node's mail, for the tests that drive it.
func Of(env *feature.Env) *Node { n, _ := env.Provided(nodeKey{}).(*Node); return n }

func newNode(env *feature.Env) *Node {
	c := env.Config
	school := c.SchoolID
	if c.Role == config.RoleCentral {
		school = ""
	}
	n := &Node{cfg: c, log: env.Log,
		S: NewService(env.DB, env.Register, env.Auth, env.Notify, env.Log, Config{Domain: c.MailDomain, MaxSize: c.MailMaxSize, Quota: c.MailQuota, School: school})}
	n.S.finder = func() feature.Finder { return env.Finder } // the search registers after the mail
	if c.TLS() {
		if cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey); err == nil {
			n.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		} else {
			env.Log.Warn("mail: the certificate does not load: IMAP and SMTP without TLS", "err", err)
		}
	}
	return n
}

func routes(env *feature.Env) {
	n := newNode(env)
	env.Provide(nodeKey{}, n)
	h := &handlers{Env: env, s: n.S}
	h.routes()
	env.Services = append(env.Services, n.run)
}

// run serves mail clients on the configured addresses, and on central
// delivers what schools left waiting, until ctx ends.
func (n *Node) run(ctx context.Context) {
	listen := func(addr string, implicitTLS bool, serve func(context.Context, net.Listener, bool) error) {
		if addr == "" || (implicitTLS && n.tls == nil) {
			return
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			n.log.Error("mail: cannot listen", "addr", addr, "err", err)
			return
		}
		n.log.Info("mail clients served", "addr", ln.Addr().String(), "tls", implicitTLS)
		go func() {
			if err := serve(ctx, ln, implicitTLS); err != nil && ctx.Err() == nil {
				n.log.Error("mail: server stopped", "addr", addr, "err", err)
			}
		}()
	}
	listen(n.cfg.MailIMAPAddr, false, n.ServeIMAP)
	listen(n.cfg.MailIMAPSAddr, true, n.ServeIMAP)
	listen(n.cfg.MailSubmissionAddr, false, n.ServeSubmission)
	if n.S.school == "" {
		kick := make(chan struct{}, 1)
		n.S.db.OnCommit(func() {
			select {
			case kick <- struct{}{}:
			default:
			}
		})
		n.S.runDelivery(ctx, kick)
	}
}

// plainAuth reports whether a password may travel without TLS from a
// client at addr (mail.allow_plain_auth).
func (n *Node) plainAuth(addr net.Addr) bool {
	switch n.cfg.MailPlainAuth {
	case "true":
		return true
	case "loopback":
		tcp, ok := addr.(*net.TCPAddr)
		return ok && tcp.IP.IsLoopback()
	}
	return false
}
