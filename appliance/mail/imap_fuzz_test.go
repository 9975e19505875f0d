package mail_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/mail"
)

// errorLog counts the errors logged: a panic imapserver recovers is one.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelError }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }

func (l *errorLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.msgs
	l.msgs = nil
	return out
}

// checkMailboxes checks what IMAP relies on in a person's mailbox: each
// folder's UIDs given once, in order, below the next; every copy with one.
func checkMailboxes(t testing.TB, s *mail.Service, u auth.User) string {
	t.Helper()
	ctx := context.Background()
	folders, err := s.Folders(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	var state strings.Builder
	for _, f := range folders {
		mb, err := s.Mailbox(ctx, u, f.ID)
		if err != nil {
			t.Fatalf("%s: %v", f.IMAP, err)
		}
		if mb.Validity == 0 || len(mb.Entries) != f.Total {
			t.Fatalf("%s: validity %d, %d entries for %d copies", f.IMAP, mb.Validity, len(mb.Entries), f.Total)
		}
		for i, e := range mb.Entries {
			if e.UID >= mb.NextUID || (i > 0 && e.UID <= mb.Entries[i-1].UID) {
				t.Fatalf("%s: UID %d after %v, next %d", f.IMAP, e.UID, mb.Entries[max(i-1, 0)].UID, mb.NextUID)
			}
			fmt.Fprintf(&state, "%s %d %v %v %v\n", f.IMAP, e.UID, e.Seen, e.Flagged, e.Keywords)
		}
	}
	return state.String()
}

// FuzzIMAPCommands feeds a signed-in connection whatever bytes: the server
// neither panics nor hangs, the person's mailbox stays whole, and no one
// else's changes.
func FuzzIMAPCommands(f *testing.F) {
	a := apptest.New(f, apptest.Options{Config: map[string]string{"mail.max_message_size": "64KB"}})
	emptyMailboxes(f, a)
	n := mail.Of(a.Env)
	errs := &errorLog{}
	n.SetLog(slog.New(errs))
	addr := serveIMAP(f, n, false)
	teacher, director := a.User("enseignant"), a.User("directeur")
	parent := a.User("parent")
	sendAs(f, n.S, director, "Conseil", "Jeudi au musée.", teacher)
	sendAs(f, n.S, parent, "Absence", "Léa est malade.", teacher)
	sendAs(f, n.S, teacher, "Réponse", "Bon rétablissement.", parent)
	if _, err := n.S.Send(context.Background(), director, "fr", mail.Draft{To: []string{teacher.ID}, Subject: "Pièce jointe", Text: "ci-joint",
		Attachments: []mail.Attachment{{Name: "a.pdf", Type: "application/pdf", Data: []byte("%PDF-1.4")}}}); err != nil {
		f.Fatal(err)
	}
	others := map[string]auth.User{"directeur": director, "parent": parent}
	before := map[string]string{}
	for name, u := range others {
		before[name] = checkMailboxes(f, n.S, u)
	}
	f.Fuzz(func(t *testing.T, commands []byte) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		r := bufio.NewReader(c)
		fmt.Fprintf(c, "F0 LOGIN enseignant %s\r\nF1 SELECT INBOX\r\n", feature.DemoPassword)
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			if strings.HasPrefix(l, "F1 ") {
				break
			}
		}
		read := make(chan error, 1)
		go func() {
			_, err := io.Copy(io.Discard, r)
			read <- err
		}()
		c.Write(commands)
		c.(*net.TCPConn).CloseWrite() // the end of the client's bytes: the server must end the session
		select {
		case err := <-read:
			if err != nil {
				t.Fatalf("reading the answers: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("the server still talks 15 s after the client's last byte")
		}
		if logged := errs.take(); len(logged) > 0 {
			t.Fatalf("errors logged: %q", logged)
		}
		checkMailboxes(t, n.S, teacher)
		for name, u := range others {
			if got := checkMailboxes(t, n.S, u); got != before[name] {
				t.Fatalf("%s's mailbox changed:\n%s\nwas\n%s", name, got, before[name])
			}
		}
	})
}
