package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"preau/appliance/apptest"
	"preau/appliance/feature"
	"preau/appliance/mail"
)

// submission starts a node and its submission server on a loopback
// port; both stop with the test.
func submission(t *testing.T, o apptest.Options) (*apptest.App, *mail.Service, string) {
	t.Helper()
	a := apptest.New(t, o)
	emptyMailboxes(t, a)
	n := mail.Of(a.Env)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- n.ServeSubmission(ctx, ln, false) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("submission server: %v", err)
		}
	})
	return a, n.S, ln.Addr().String()
}

// client is a mail client connected to addr, signed in with PLAIN when
// login is set.
func client(t *testing.T, addr, login string) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if login != "" {
		if err := c.Auth(sasl.NewPlainClient("", login, feature.DemoPassword)); err != nil {
			t.Fatalf("AUTH PLAIN as %s: %v", login, err)
		}
	}
	return c
}

// send sends one message on c; the error is the first refusal.
func send(c *smtp.Client, from string, to []string, msg string) error {
	if err := c.Mail(from, &smtp.MailOptions{Body: smtp.Body8BitMIME}); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	return w.Close()
}

// refused checks that err is the SMTP reply code, enhanced, with a text
// holding each of texts.
func refused(t *testing.T, what string, err error, code int, enhanced smtp.EnhancedCode, texts ...string) {
	t.Helper()
	var e *smtp.SMTPError
	if !errors.As(err, &e) || e.Code != code || e.EnhancedCode != enhanced {
		t.Errorf("%s: %v, want %d %v", what, err, code, enhanced)
		return
	}
	for _, text := range texts {
		if !strings.Contains(e.Message, text) {
			t.Errorf("%s: %q does not say %q", what, e.Message, text)
		}
	}
}

func message(from, to, subject, body string) string {
	return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: Fri, 04 Dec 2026 09:30:00 +0100\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n"
}

// A teacher's mail client sends to a parent, and in blind copy to the
// director: both read it, the parent without the Bcc, and the teacher
// finds it in Envoyés. The subject is 8-bit UTF-8, as clients write it
// when the server says SMTPUTF8.
func TestSubmissionSends(t *testing.T) {
	a, s, addr := submission(t, apptest.Options{})
	ctx := t.Context()
	teacher, director := a.User("enseignant"), a.User("directeur")
	parent, _ := parentOf(t, a, teacher)
	to := s.Address(parent).Email

	c := client(t, addr, "enseignant")
	for _, ext := range []string{"SMTPUTF8", "8BITMIME", "SIZE", "ENHANCEDSTATUSCODES"} {
		if ok, _ := c.Extension(ext); !ok {
			t.Errorf("%s not advertised", ext)
		}
	}
	if max, ok := c.MaxMessageSize(); !ok || int64(max) != s.MaxSize() {
		t.Errorf("SIZE %d, want %d", max, s.MaxSize())
	}
	msg := "From: Thomas <enseignant@preau.local>\r\nTo: " + to + "\r\nBcc: directeur@preau.local\r\nSubject: Sortie à la médiathèque\r\n" +
		"Date: Fri, 04 Dec 2026 09:30:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPrévoir une casquette.\r\n"
	if err := send(c, "Enseignant@preau.local", []string{to, "directeur@preau.local"}, msg); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Errorf("QUIT: %v", err)
	}

	in, err := s.List(ctx, parent, mail.Inbox, 0, 10)
	if err != nil || in.Total != 1 || in.Items[0].Subject != "Sortie à la médiathèque" {
		t.Fatalf("the parent's inbox: %+v %v", in, err)
	}
	opened, err := s.Open(ctx, parent, in.Items[0].CopyID)
	if err != nil || !strings.Contains(opened.Text, "Prévoir une casquette.") || opened.From.Email != "enseignant@preau.local" {
		t.Fatalf("the parent opens: %+v %v", opened, err)
	}
	// A header line, not the bare letters: the random Message-ID is
	// hexadecimal and once held "bcc".
	_, raw, err := s.Raw(ctx, parent, in.Items[0].CopyID)
	if err != nil || strings.Contains(strings.ToLower(string(raw)), "\nbcc:") || strings.Contains(string(raw), "directeur") {
		t.Errorf("the parent reads the blind copy:\n%s (%v)", raw, err)
	}
	if got, _ := s.List(ctx, director, mail.Inbox, 0, 10); got.Total != 1 {
		t.Errorf("the director, in blind copy, got %d messages", got.Total)
	}
	if sent, _ := s.List(ctx, teacher, mail.Sent, 0, 10); sent.Total != 1 || sent.Items[0].Subject != "Sortie à la médiathèque" {
		t.Errorf("the teacher's Envoyés: %+v", sent)
	}

	// AUTH LOGIN, with the address for a login, as account assistants
	// fill it in; the parent answers.
	c = client(t, addr, "")
	if !c.SupportsAuth("LOGIN") || !c.SupportsAuth("PLAIN") {
		t.Error("PLAIN and LOGIN not advertised on loopback")
	}
	if err := c.Auth(sasl.NewLoginClient(to, feature.DemoPassword)); err != nil {
		t.Fatalf("AUTH LOGIN: %v", err)
	}
	if err := send(c, to, []string{"enseignant@preau.local"}, message(to, "enseignant@preau.local", "Re: Sortie", "Merci !")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.List(ctx, teacher, mail.Inbox, 0, 10); got.Total != 1 || got.Items[0].Subject != "Re: Sortie" {
		t.Errorf("the teacher's inbox: %+v", got)
	}
}

// What a client may not do is refused with the code RFC 5321 and 3463
// give it and a text that says why, in the sender's language; nothing
// of a refused message is written.
func TestSubmissionRefuses(t *testing.T) {
	a, s, addr := submission(t, apptest.Options{Config: map[string]string{"mail.max_message_size": "16KB"}})
	ctx := t.Context()
	teacher := a.User("enseignant")
	parent, pupil := parentOf(t, a, teacher)
	to := s.Address(parent).Email

	anonymous := client(t, addr, "")
	refused(t, "MAIL before AUTH", anonymous.Mail("enseignant@preau.local", nil), 530, smtp.EnhancedCode{5, 7, 0})

	c := client(t, addr, "enseignant")
	refused(t, "MAIL FROM another address", c.Mail("directeur@preau.local", nil), 553, smtp.EnhancedCode{5, 7, 1}, "enseignant@preau.local")
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("enseignant@preau.local", nil); err != nil {
		t.Fatal(err)
	}
	// French, folded to ASCII: the client did not say SMTPUTF8
	refused(t, "unknown address", c.Rcpt("personne@preau.local", nil), 550, smtp.EnhancedCode{5, 1, 1}, "Personne n'a l'adresse personne@preau.local")
	refused(t, "outside address", c.Rcpt("quelquun@gmail.com", nil), 550, smtp.EnhancedCode{5, 7, 1}, "quelquun@gmail.com", "hors de la ville")
	refused(t, "postmaster", c.Rcpt("postmaster", nil), 550, smtp.EnhancedCode{5, 1, 1})
	if err := c.Rcpt(to, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}

	// the message's own From must be the sender's too
	refused(t, "forged From", send(c, "enseignant@preau.local", []string{to}, message("directeur@preau.local", to, "Convocation", "x")),
		553, smtp.EnhancedCode{5, 7, 1}, "enseignant@preau.local")
	refused(t, "malformed", send(c, "enseignant@preau.local", []string{to}, message("enseignant@preau.local", "<<<>", "x", "x")),
		554, smtp.EnhancedCode{5, 6, 0}, "illisible")
	big := message("enseignant@preau.local", to, "Photos", strings.Repeat("0123456789abcdef\r\n", 1200))
	refused(t, "oversized", send(c, "enseignant@preau.local", []string{to}, big), 552, smtp.EnhancedCode{5, 3, 4}, "trop volumineux")
	refused(t, "SIZE announced too large", c.Mail("enseignant@preau.local", &smtp.MailOptions{Size: 1 << 20}), 552, smtp.EnhancedCode{5, 3, 4})
	// the connection is still good for a message that is
	if err := send(c, "enseignant@preau.local", []string{to}, message("enseignant@preau.local", to, "Réunion", "Jeudi.")); err != nil {
		t.Fatalf("after the refusals: %v", err)
	}
	if in, _ := s.List(ctx, parent, mail.Inbox, 0, 10); in.Total != 1 || in.Items[0].Subject != "Réunion" {
		t.Errorf("the parent's inbox: %+v", in.Items)
	}
	if sent, _ := s.List(ctx, teacher, mail.Sent, 0, 10); sent.Total != 1 {
		t.Errorf("%d messages in Envoyés, want the one sent", sent.Total)
	}

	// the rules: a parent may not write to a pupil; said in English to
	// a parent who reads English, in UTF-8 to a client that asks for it
	if err := a.Auth.SetLanguage(ctx, parent.ID, "en"); err != nil {
		t.Fatal(err)
	}
	p := client(t, addr, parent.Login)
	if err := p.Mail(to, nil); err != nil {
		t.Fatal(err)
	}
	refused(t, "parent to pupil", p.Rcpt(s.Address(pupil).Email, nil), 550, smtp.EnhancedCode{5, 7, 1}, "You cannot write to")
	if err := p.Mail(to, &smtp.MailOptions{UTF8: true}); err != nil {
		t.Fatal(err)
	}
	refused(t, "parent to pupil, SMTPUTF8", p.Rcpt(s.Address(pupil).Email, nil), 550, smtp.EnhancedCode{5, 7, 1}, "You cannot write to "+pupil.DisplayName)
	if n, _ := s.Unread(ctx, pupil); n != 0 {
		t.Errorf("the pupil got %d messages", n)
	}
}

// At most 500 recipients a message (452 4.5.3, RFC 5321's "too many
// recipients": the client sends the rest in another message); a line
// longer than 2000 octets ends the connection.
func TestSubmissionLimits(t *testing.T) {
	a, s, addr := submission(t, apptest.Options{})
	parent, _ := parentOf(t, a, a.User("enseignant"))
	to := s.Address(parent).Email
	c := client(t, addr, "enseignant")
	if ok, limits := c.Extension("LIMITS"); !ok || limits != "RCPTMAX=500" {
		t.Errorf("LIMITS %q", limits)
	}
	if err := c.Mail("enseignant@preau.local", nil); err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		if err := c.Rcpt(to, nil); err != nil {
			t.Fatalf("recipient %d: %v", i+1, err)
		}
	}
	refused(t, "recipient 501", c.Rcpt(to, nil), 452, smtp.EnhancedCode{4, 5, 3})

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	text := textproto.NewConn(conn)
	if _, _, err := text.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	if err := text.PrintfLine("EHLO %s", strings.Repeat("x", 3000)); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := text.ReadResponse(0); code != 500 {
		t.Errorf("a 3000-octet line answered %d", code)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := text.ReadLine(); !errors.Is(err, io.EOF) {
		t.Errorf("the connection stays open after an overlong line: %v", err)
	}
}

// A wrong password is 535; after a few, the login is locked for a while
// (454, saying how long), whatever the password. Each try is a new
// connection: go-smtp's client answers a refusal with a stray "*", which
// the server counts as a protocol error.
func TestSubmissionWrongPassword(t *testing.T) {
	_, _, addr := submission(t, apptest.Options{})
	try := func(identity, login, password string) error {
		return client(t, addr, "").Auth(sasl.NewPlainClient(identity, login, password))
	}
	err := try("", "enseignant", "faux")
	refused(t, "wrong password", err, 535, smtp.EnhancedCode{5, 7, 8})
	var e *smtp.SMTPError
	for i := 0; i < 20 && errors.As(err, &e) && e.Code == 535; i++ {
		err = try("", "enseignant", "faux")
	}
	refused(t, "after repeated failures", err, 454, smtp.EnhancedCode{4, 7, 0}, "reessayez dans")
	refused(t, "the right password, locked", try("", "enseignant", feature.DemoPassword), 454, smtp.EnhancedCode{4, 7, 0})
	// nobody signs in for someone else
	refused(t, "another identity", try("directeur", "parent", feature.DemoPassword), 535, smtp.EnhancedCode{5, 7, 8})
}

// Without TLS, a password is refused where mail.allow_plain_auth does not
// trust the network: AUTH is not advertised, and refused if tried.
func TestSubmissionPlainAuthRefused(t *testing.T) {
	_, _, addr := submission(t, apptest.Options{Config: map[string]string{"mail.allow_plain_auth": "false"}})
	c := client(t, addr, "")
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("AUTH advertised without TLS")
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Error("STARTTLS advertised without a certificate")
	}
	refused(t, "AUTH without TLS", c.Auth(sasl.NewPlainClient("", "enseignant", feature.DemoPassword)), 538, smtp.EnhancedCode{5, 7, 11})
	refused(t, "MAIL", c.Mail("enseignant@preau.local", nil), 530, smtp.EnhancedCode{5, 7, 0})
}

// With a certificate, a client must STARTTLS before it signs in; then it
// sends.
func TestSubmissionSTARTTLS(t *testing.T) {
	cert, key := certificate(t)
	a, s, addr := submission(t, apptest.Options{Config: map[string]string{"mail.allow_plain_auth": "false", "tls.cert": cert, "tls.key": key}})
	parent, _ := parentOf(t, a, a.User("enseignant"))
	to := s.Address(parent).Email

	c := client(t, addr, "")
	refused(t, "AUTH before STARTTLS", c.Auth(sasl.NewPlainClient("", "enseignant", feature.DemoPassword)), 530, smtp.EnhancedCode{5, 7, 0},
		"Must issue a STARTTLS command first")
	refused(t, "MAIL before STARTTLS", c.Mail("enseignant@preau.local", nil), 530, smtp.EnhancedCode{5, 7, 0}, "STARTTLS")

	c, err := smtp.DialStartTLS(addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", "enseignant", feature.DemoPassword)); err != nil {
		t.Fatalf("AUTH after STARTTLS: %v", err)
	}
	if err := send(c, "enseignant@preau.local", []string{to}, message("enseignant@preau.local", to, "Chiffré", "x")); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Unread(t.Context(), parent); n != 1 {
		t.Errorf("the parent got %d messages", n)
	}
}

// certificate writes a self-signed certificate for 127.0.0.1.
func certificate(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// Debian's Python smtplib, a client that is not go-smtp's: it signs in
// (PLAIN, then LOGIN), sends an 8-bit message, and reads a refusal.
func TestSubmissionPythonClient(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	a, s, addr := submission(t, apptest.Options{})
	parent, pupil := parentOf(t, a, a.User("enseignant"))
	host, port, _ := net.SplitHostPort(addr)
	script := `
import smtplib, sys
host, port, password, parent, pupil = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
msg = ("From: enseignant@preau.local\r\nTo: %s\r\nSubject: Fête de l'école\r\nMIME-Version: 1.0\r\n"
       "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nÀ samedi !\r\n" % parent).encode()
with smtplib.SMTP(host, port, timeout=30) as s:
    s.login("enseignant", password)
    s.sendmail("enseignant@preau.local", [parent], msg)
with smtplib.SMTP(host, port, timeout=30) as s:
    s.ehlo()
    s.user, s.password = "enseignant@preau.local", password
    code, _ = s.auth("LOGIN", s.auth_login)
    print("LOGIN", code)
    s.sendmail("enseignant@preau.local", [parent], msg.replace(b"samedi", b"dimanche"))
with smtplib.SMTP(host, port, timeout=30) as s:
    s.login(parent, password)
    try:
        s.sendmail(parent, [pupil], b"From: " + parent.encode() + b"\r\nSubject: x\r\n\r\nx\r\n")
    except smtplib.SMTPRecipientsRefused as e:
        code, text = e.recipients[pupil]
        print("REFUSED", code, text.decode("ascii"))
`
	out, err := exec.CommandContext(t.Context(), "python3", "-c", script, host, port, feature.DemoPassword,
		s.Address(parent).Email, s.Address(pupil).Email).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	t.Logf("python3 said:\n%s", out)
	if !strings.Contains(string(out), "LOGIN 235") || !strings.Contains(string(out), "REFUSED 550 5.7.1 Vous ne pouvez pas ecrire a") {
		t.Errorf("python3 said:\n%s", out)
	}
	in, err := s.List(t.Context(), parent, mail.Inbox, 0, 10)
	if err != nil || in.Total != 2 || in.Items[0].Subject != "Fête de l'école" {
		t.Fatalf("the parent's inbox: %+v %v", in, err)
	}
	opened, err := s.Open(t.Context(), parent, in.Items[1].CopyID)
	if err != nil || !strings.Contains(opened.Text, "À samedi !") && !strings.Contains(opened.Text, "À dimanche !") {
		t.Errorf("the parent reads %q (%v)", opened.Text, err)
	}
}
