package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/i18n"
	ptext "preau/appliance/text"
)

// SMTP submission (RFC 6409): how a mail client on the LAN sends as one of
// the node's accounts. The client signs in (AUTH PLAIN or LOGIN, over TLS
// unless mail.allow_plain_auth lets it), sends from its own address only,
// to the accounts the rules let it write to; the message then goes exactly
// where the webmail's would (Service.Submit). Nothing leaves the city: an
// address outside mail.domain is refused at RCPT.

// Limits of a submission session.
const (
	// maxRecipients is the most recipients of one message (RCPTMAX): a
	// whole school's parents fit in two.
	maxRecipients = 500
	// commandTimeout is how long the server waits for a command, or for
	// the next bytes of a message: at least five minutes, says RFC 5321
	// (4.5.3.2.7).
	commandTimeout = 5 * time.Minute
	writeTimeout   = time.Minute
	// maxLine is the longest line, commands and message alike: twice RFC
	// 5321's 1000 octets, for the clients that do not fold.
	maxLine = 2000
	// maxClients and maxClientsPerHost cap the connections at once.
	maxClients, maxClientsPerHost = 200, 20
)

// ServeSubmission serves SMTP submission on ln until ctx ends, then closes
// every connection. Only STARTTLS is offered: there is no implicit TLS
// submission port.
func (n *Node) ServeSubmission(ctx context.Context, ln net.Listener, _ bool) error {
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &submission{n: n, ctx: ctx, conn: c}, nil
	}))
	srv.Domain = n.S.Domain()
	srv.TLSConfig = n.tls
	// Whether a password may travel in clear depends on the client's
	// address (mail.allow_plain_auth = loopback): submission.Auth decides.
	srv.AllowInsecureAuth = true
	srv.EnableSMTPUTF8 = true
	// Advertised as SIZE, and checked as the message comes. go-smtp
	// (v0.26.0) refuses a message of exactly this size too, one byte
	// early: harmless, and SIZE stays the one the rest of the mail says.
	srv.MaxMessageBytes = n.S.MaxSize()
	srv.MaxRecipients = maxRecipients
	srv.MaxLineLength = maxLine
	srv.ReadTimeout, srv.WriteTimeout = commandTimeout, writeTimeout
	srv.ErrorLog = smtpLog{n.log}

	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	err := srv.Serve(limitConns(ln, maxClients, maxClientsPerHost, "421 4.7.0 Too many connections, try again later\r\n"))
	if ctx.Err() != nil {
		return nil
	}
	srv.Close()
	return err
}

// submission is one client's session: who signed in, and the message
// under way.
type submission struct {
	n    *Node
	ctx  context.Context
	conn *smtp.Conn
	user *auth.User // nil until AUTH
	utf8 bool       // the message's MAIL said SMTPUTF8: replies may be UTF-8
	to   []auth.User
}

// Replies of the protocol itself, in RFC 3207's, 4954's and 5321's words.
var (
	errStartTLS       = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Must issue a STARTTLS command first"}
	errNeedEncryption = &smtp.SMTPError{Code: 538, EnhancedCode: smtp.EnhancedCode{5, 7, 11}, Message: "Encryption required for requested authentication mechanism"}
	errAuthRequired   = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	errBadCredentials = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
	errAuthTemporary  = &smtp.SMTPError{Code: 454, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Temporary authentication failure, try again later"}
	errLocal          = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Local error in processing, try again later"}
)

// secure reports whether a password may travel on this connection: it is
// encrypted, or the configuration trusts the client's network.
func (s *submission) secure() bool {
	_, tlsOn := s.conn.TLSConnectionState()
	return tlsOn || s.n.plainAuth(s.conn.Conn().RemoteAddr())
}

// insecure is the refusal of what needs a secure connection: STARTTLS
// first, or, on a server without a certificate, nothing will do.
func (s *submission) insecure() error {
	if s.n.tls != nil {
		return errStartTLS
	}
	return errNeedEncryption
}

// AuthMechanisms are advertised only where AUTH may succeed.
func (s *submission) AuthMechanisms() []string {
	if !s.secure() {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

func (s *submission) Auth(mech string) (sasl.Server, error) {
	if !s.secure() {
		return nil, s.insecure()
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			return s.signIn(identity, username, password)
		}), nil
	case sasl.Login:
		return newLoginServer(func(username, password string) error { return s.signIn("", username, password) }), nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// signIn checks a client's credentials. identity, PLAIN's authorization
// identity, may only name the account itself: nobody sends as another.
func (s *submission) signIn(identity, name, password string) error {
	addr := s.conn.Conn().RemoteAddr()
	u, err := s.n.signIn(s.ctx, name, password, addr)
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		return s.refuse(454, smtp.EnhancedCode{4, 7, 0}, throttled)
	case errors.Is(err, auth.ErrBadCredentials), errors.Is(err, auth.ErrDisabled):
		s.n.log.Info("mail: submission sign-in refused", "login", name, "ip", hostOf(addr))
		return errBadCredentials
	case err != nil:
		s.n.log.Error("mail: submission sign-in", "login", name, "err", err)
		return errAuthTemporary
	}
	if identity != "" && !strings.EqualFold(identity, u.Login) && !strings.EqualFold(identity, s.n.S.Address(u).Email) {
		s.n.log.Info("mail: submission sign-in for another account refused", "login", u.Login, "identity", identity, "ip", hostOf(addr))
		return errBadCredentials
	}
	s.user = &u
	return nil
}

func (s *submission) Mail(from string, opts *smtp.MailOptions) error {
	if s.user == nil {
		if !s.secure() && s.n.tls != nil {
			return errStartTLS
		}
		return errAuthRequired
	}
	s.utf8 = opts.UTF8
	s.to = nil
	if own := s.n.S.Address(*s.user).Email; !strings.EqualFold(from, own) {
		return s.refuse(553, smtp.EnhancedCode{5, 7, 1}, apperr.New(apperr.ErrForbidden, "mail.err.forged_from", "Address", own))
	}
	return nil
}

func (s *submission) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.user == nil {
		return errAuthRequired
	}
	_, domain, ok := strings.Cut(to, "@")
	if !ok { // <postmaster>: nobody here
		return s.refuse(550, smtp.EnhancedCode{5, 1, 1}, apperr.New(apperr.ErrInvalid, "mail.err.unknown", "Address", to))
	}
	x, err := s.n.S.CheckRecipient(s.ctx, *s.user, to)
	switch {
	case err == nil:
		s.to = append(s.to, x)
		return nil
	case errors.Is(err, apperr.ErrForbidden), errors.Is(err, apperr.ErrInvalid) && !strings.EqualFold(domain, s.n.S.Domain()):
		return s.refuse(550, smtp.EnhancedCode{5, 7, 1}, err) // not allowed, or outside the city
	case errors.Is(err, apperr.ErrInvalid):
		return s.refuse(550, smtp.EnhancedCode{5, 1, 1}, err)
	}
	s.n.log.Error("mail: submission recipient", "login", s.user.Login, "err", err)
	return errLocal
}

func (s *submission) Data(r io.Reader) error {
	// The session as MAIL and RCPT left it: with BDAT, Data runs beside
	// the commands, and RSET may clear s meanwhile.
	m := *s
	raw, err := io.ReadAll(paced{r, m.conn.Conn()})
	switch {
	case errors.Is(err, smtp.ErrDataTooLarge):
		return m.refuse(552, smtp.EnhancedCode{5, 3, 4}, ErrTooLarge)
	case errors.Is(err, smtp.ErrTooLongLine):
		return m.refuse(554, smtp.EnhancedCode{5, 6, 0}, malformed(fmt.Errorf("a line is longer than %d characters", maxLine)))
	case err != nil:
		return err // the connection is gone, or the client gave up (RSET)
	}
	out, err := m.n.S.Submit(m.ctx, *m.user, raw, m.to)
	switch {
	case err == nil:
		m.n.log.Info("mail: message submitted", "login", m.user.Login, "recipients", len(m.to), "state", out.State,
			"ip", hostOf(m.conn.Conn().RemoteAddr()))
		return nil
	case errors.Is(err, apperr.ErrTooLarge):
		return m.refuse(552, smtp.EnhancedCode{5, 3, 4}, err)
	case errors.Is(err, apperr.ErrForbidden): // a From that is not the sender's
		return m.refuse(553, smtp.EnhancedCode{5, 7, 1}, err)
	case errors.Is(err, apperr.ErrInvalid): // a message that cannot be read
		return m.refuse(554, smtp.EnhancedCode{5, 6, 0}, err)
	}
	m.n.log.Error("mail: submission", "login", m.user.Login, "err", err)
	return errLocal
}

func (s *submission) Reset() {
	s.to = nil
	s.utf8 = false
}

func (s *submission) Logout() error { return nil }

// refuse is a reply saying err to the person signed in, in their language
// (French before AUTH). RFC 5321 wants replies in ASCII: unless the client
// said SMTPUTF8, accents are dropped, and a language that ASCII cannot
// write is replaced by French.
func (s *submission) refuse(code int, enh smtp.EnhancedCode, err error) *smtp.SMTPError {
	lang := i18n.FR
	if s.user != nil {
		if l, ok := i18n.Parse(s.user.Language); ok {
			lang = l
		}
	}
	text, ok := replyText(i18n.ErrorText(err, lang), s.utf8)
	if !ok {
		text, _ = replyText(i18n.ErrorText(err, i18n.FR), false)
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: text}
}

// replyText makes text one line of a reply, in ASCII unless utf8: « é »
// becomes « e », « ’ » « ' »; ok is false when some of it could not.
func replyText(text string, utf8 bool) (string, bool) {
	if !utf8 {
		text = ptext.StripAccents(text)
		text = strings.ReplaceAll(text, "…", "...")
	}
	ok := true
	text = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case utf8 || r <= unicode.MaxASCII:
			return r
		}
		switch r {
		case '’', '‘', 'ʼ':
			return '\''
		case '«', '»', '“', '”':
			return '"'
		case '–', '—', '‑':
			return '-'
		case '\u00a0', '\u202f':
			return ' '
		}
		ok = false
		return '?'
	}, text)
	return strings.TrimSpace(text), ok
}

// paced gives a client that sends a message slowly but steadily more
// time: the read deadline moves with each read, not from DATA only.
type paced struct {
	r    io.Reader
	conn net.Conn
}

func (p paced) Read(b []byte) (int, error) {
	if len(b) > 64<<10 { // a deadline per 64 KiB, not one for the whole message
		b = b[:64<<10]
	}
	p.conn.SetReadDeadline(time.Now().Add(commandTimeout))
	return p.r.Read(b)
}

// smtpLog takes go-smtp's reports: mostly clients that went away or
// failed their TLS handshake, and a panic now and then.
type smtpLog struct{ log *slog.Logger }

func (l smtpLog) Printf(format string, v ...any) {
	level := slog.LevelInfo
	if strings.HasPrefix(format, "panic") {
		level = slog.LevelError
	}
	l.log.Log(context.Background(), level, "mail: smtp: "+fmt.Sprintf(format, v...))
}

func (l smtpLog) Println(v ...any) { l.Printf("%s", strings.TrimSuffix(fmt.Sprintln(v...), "\n")) }
