package mail_test

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/feature"
	"preau/appliance/mail"
)

// A mail client not written in Go, end to end: Debian's python3 sends
// with smtplib through submission, then reads with imaplib over IMAP —
// login, LIST with the special-use folders, SELECT, SEARCH, FETCH of the
// envelope and the body — what the parent received, and the teacher's
// own copy in Sent. And a webmail user reads what Python sent.
func TestPythonMailClient(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	a := apptest.New(t, apptest.Options{})
	emptyMailboxes(t, a)
	n := mail.Of(a.Env)
	imapAddr := serveIMAP(t, n, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.ServeSubmission(ctx, ln, false) }()
	t.Cleanup(func() { cancel(); <-done })
	parent, _ := parentOf(t, a, a.User("enseignant"))
	script := `
import imaplib, smtplib, sys, email
from email.header import decode_header
imap_host, imap_port, smtp_host, smtp_port, password, parent_login, parent_addr = sys.argv[1:8]
msg = ("From: Thomas <enseignant@preau.local>\r\nTo: %s\r\nSubject: =?utf-8?q?Sortie_au_mus=C3=A9e?=\r\nMIME-Version: 1.0\r\n"
       "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nRendez-vous à 9 h devant l'école.\r\n" % parent_addr).encode()
with smtplib.SMTP(smtp_host, int(smtp_port), timeout=30) as s:
    s.login("enseignant", password)
    s.sendmail("enseignant@preau.local", [parent_addr], msg)
    print("SENT")

def read(login, folder):
    m = imaplib.IMAP4(imap_host, int(imap_port), timeout=30)
    m.login(login, password)
    typ, folders = m.list()
    names = b" ".join(folders).decode()
    for use in ("\\Sent", "\\Drafts", "\\Trash", "\\Archive"):
        assert use in names, (use, names)
    typ, data = m.select(folder)
    assert typ == "OK", (typ, data)
    typ, data = m.uid("SEARCH", None, "SUBJECT", "Sortie")
    uids = data[0].split()
    assert len(uids) == 1, data
    typ, data = m.uid("FETCH", uids[0], "(ENVELOPE BODY.PEEK[])")
    body = email.message_from_bytes(data[0][1])
    subject = "".join(p.decode(c or "ascii") if isinstance(p, bytes) else p for p, c in decode_header(body["Subject"]))
    text = body.get_payload(decode=True).decode("utf-8")
    print(login, folder, subject, "|", text.strip())
    m.logout()

read(parent_login, "INBOX")
read("enseignant@preau.local", "Sent")
`
	ih, ip, _ := net.SplitHostPort(imapAddr)
	sh, sp, _ := net.SplitHostPort(ln.Addr().String())
	out, err := exec.CommandContext(t.Context(), "python3", "-c", script, ih, ip, sh, sp, feature.DemoPassword, parent.Login, n.S.Address(parent).Email).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{"SENT", parent.Login + " INBOX Sortie au musée | Rendez-vous à 9 h devant l'école.",
		"enseignant@preau.local Sent Sortie au musée | Rendez-vous à 9 h devant l'école."} {
		if !strings.Contains(got, want) {
			t.Errorf("python3 said:\n%s\nwant a line with %q", got, want)
		}
	}
	in, err := n.S.List(t.Context(), parent, mail.Inbox, 0, 10)
	if err != nil || in.Total != 1 || in.Items[0].Subject != "Sortie au musée" {
		t.Fatalf("the parent's webmail: %+v %v", in, err)
	}
}
