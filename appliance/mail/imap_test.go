package mail_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/mail"
	"preau/appliance/store"
)

// imapNode starts a node and its IMAP server on loopback; both stop with
// the test.
func imapNode(t testing.TB, o apptest.Options) (*apptest.App, *mail.Node, string) {
	t.Helper()
	a := apptest.New(t, o)
	emptyMailboxes(t, a)
	n := mail.Of(a.Env)
	addr := serveIMAP(t, n, false)
	return a, n, addr
}

// serveIMAP serves a node's IMAP on a loopback port until the test ends.
func serveIMAP(t testing.TB, n *mail.Node, implicitTLS bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.ServeIMAP(ctx, ln, implicitTLS) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("IMAP server: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the IMAP server did not stop")
		}
	})
	return ln.Addr().String()
}

// signIn connects a client and logs in with the demo password.
func signIn(t testing.TB, addr, login string, o *imapclient.Options) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(login, feature.DemoPassword).Wait(); err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	return c
}

// rawIMAP is a connection spoken to by hand, for what a client library
// would not send.
type rawIMAP struct {
	t testing.TB
	c net.Conn
	r *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawIMAP {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r := &rawIMAP{t: t, c: c, r: bufio.NewReader(c)}
	if greeting := r.line(); !strings.HasPrefix(greeting, "* OK") {
		t.Fatalf("greeting: %q", greeting)
	}
	return r
}

func (r *rawIMAP) line() string {
	r.t.Helper()
	r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	l, err := r.r.ReadString('\n')
	if err != nil {
		r.t.Fatalf("read: %v (after %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// send writes a command line and reads the answer up to the tagged one,
// which it returns with the untagged ones before it.
func (r *rawIMAP) send(line string) (string, []string) {
	r.t.Helper()
	if _, err := r.c.Write([]byte(line + "\r\n")); err != nil {
		r.t.Fatal(err)
	}
	tag, _, _ := strings.Cut(line, " ")
	return r.until(tag)
}

func (r *rawIMAP) until(tag string) (string, []string) {
	r.t.Helper()
	var untagged []string
	for {
		l := r.line()
		if strings.HasPrefix(l, tag+" ") {
			return l, untagged
		}
		untagged = append(untagged, l)
	}
}

func (r *rawIMAP) login(login string) {
	r.t.Helper()
	if res, _ := r.send("L1 LOGIN " + login + " " + feature.DemoPassword); !strings.HasPrefix(res, "L1 OK") {
		r.t.Fatalf("login: %s", res)
	}
}

// send is a message from one person to others through the webmail.
func sendAs(t testing.TB, s *mail.Service, from auth.User, subject, text string, to ...auth.User) {
	t.Helper()
	d := mail.Draft{Subject: subject, Text: text}
	for _, u := range to {
		d.To = append(d.To, u.ID)
	}
	if _, err := s.Send(context.Background(), from, "fr", d); err != nil {
		t.Fatalf("send %q: %v", subject, err)
	}
}

// listWith is a client's LIST: each folder's attributes by name.
func listWith(t *testing.T, c *imapclient.Client, pattern string, o *imap.ListOptions) map[string][]imap.MailboxAttr {
	t.Helper()
	all, err := c.List("", pattern, o).Collect()
	if err != nil {
		t.Fatalf("LIST %q: %v", pattern, err)
	}
	out := map[string][]imap.MailboxAttr{}
	for _, l := range all {
		if l.Delim != '/' {
			t.Errorf("%s: delimiter %q", l.Mailbox, l.Delim)
		}
		out[l.Mailbox] = l.Attrs
	}
	return out
}

// imapCode is the response code of a command's refusal.
func imapCode(err error) imap.ResponseCode {
	var ie *imap.Error
	if errors.As(err, &ie) {
		return ie.Code
	}
	return ""
}

func TestIMAPFolders(t *testing.T) {
	a, n, addr := imapNode(t, apptest.Options{})
	teacher := a.User("enseignant")
	// a folder the webmail made, with a level above it that is no folder
	if _, err := n.S.CreateFolder(t.Context(), teacher, "École/Sorties"); err != nil {
		t.Fatal(err)
	}
	c := signIn(t, addr, "enseignant@preau.local", nil)
	list := func(pattern string, o *imap.ListOptions) map[string][]imap.MailboxAttr {
		t.Helper()
		return listWith(t, c, pattern, o)
	}
	has := func(attrs []imap.MailboxAttr, want ...imap.MailboxAttr) bool {
		for _, w := range want {
			found := false
			for _, a := range attrs {
				found = found || strings.EqualFold(string(a), string(w))
			}
			if !found {
				return false
			}
		}
		return true
	}
	all := list("*", nil)
	for name, want := range map[string][]imap.MailboxAttr{
		"INBOX": {imap.MailboxAttrHasNoChildren}, "Drafts": {imap.MailboxAttrDrafts}, "Sent": {imap.MailboxAttrSent},
		"Archive": {imap.MailboxAttrArchive}, "Trash": {imap.MailboxAttrTrash},
		"École": {imap.MailboxAttrNoSelect, imap.MailboxAttrHasChildren}, "École/Sorties": {imap.MailboxAttrHasNoChildren},
	} {
		if !has(all[name], want...) {
			t.Errorf("LIST *: %s has %v, want %v (all: %v)", name, all[name], want, all)
		}
	}
	if len(all) != 7 {
		t.Errorf("LIST *: %v", all)
	}
	if special := list("*", &imap.ListOptions{SelectSpecialUse: true, ReturnSpecialUse: true}); len(special) != 4 || !has(special["Sent"], imap.MailboxAttrSent) {
		t.Errorf("LIST (SPECIAL-USE): %v", special)
	}
	if top := list("%", nil); len(top) != 6 || top["École/Sorties"] != nil || !has(top["École"], imap.MailboxAttrNoSelect) {
		t.Errorf("LIST %%: %v", top)
	}
	if inbox := list("inbox", nil); len(inbox) != 1 || inbox["INBOX"] == nil {
		t.Errorf("LIST inbox: %v", inbox)
	}
	if ns, err := c.Namespace().Wait(); err != nil || len(ns.Personal) != 1 || ns.Personal[0].Delim != '/' || ns.Personal[0].Prefix != "" {
		t.Errorf("NAMESPACE: %+v %v", ns, err)
	}

	// CREATE makes the levels above; RENAME takes the folders below along
	if err := c.Create("Projets/Jardin", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create("Projets", nil).Wait(); imapCode(err) != imap.ResponseCodeAlreadyExists {
		t.Errorf("CREATE of an existing folder: %v", err)
	}
	if err := c.Rename("Projets", "Classe verte", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	folders, _ := n.S.Folders(t.Context(), teacher)
	var names []string
	for _, f := range folders {
		if !f.Special {
			names = append(names, f.Name)
		}
	}
	if strings.Join(names, ",") != "Classe verte,Classe verte/Jardin,École/Sorties" {
		t.Errorf("the webmail's folders after CREATE and RENAME: %v", names)
	}
	for what, err := range map[string]error{
		"RENAME Sent":     c.Rename("Sent", "Envoyés", nil).Wait(),
		"DELETE INBOX":    c.Delete("INBOX").Wait(),
		"DELETE Trash":    c.Delete("Trash").Wait(),
		"UNSUBSCRIBE":     c.Unsubscribe("Archive").Wait(),
		"RENAME to INBOX": c.Rename("Classe verte", "inbox", nil).Wait(),
	} {
		if err == nil {
			t.Errorf("%s: done", what)
		}
	}
	if _, err := c.Select("Nulle part", nil).Wait(); imapCode(err) != imap.ResponseCodeNonExistent {
		t.Errorf("SELECT of no folder: %v", err)
	}
	if err := c.Delete("Classe verte/Jardin").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe("Classe verte").Wait(); err != nil {
		t.Error(err)
	}
	if subscribed := list("*", &imap.ListOptions{SelectSubscribed: true}); len(subscribed) != 7 || !has(subscribed["Classe verte"], imap.MailboxAttrSubscribed) {
		t.Errorf("LIST (SUBSCRIBED): %v", subscribed)
	}
	// A folder unsubscribed is listed, but not as subscribed, by every
	// client of the account; SUBSCRIBE brings it back.
	if err := c.Unsubscribe("École/Sorties").Wait(); err != nil {
		t.Fatal(err)
	}
	other := signIn(t, addr, "enseignant", nil)
	if subscribed := listWith(t, other, "*", &imap.ListOptions{SelectSubscribed: true}); len(subscribed) != 6 || subscribed["École/Sorties"] != nil {
		t.Errorf("LIST (SUBSCRIBED) after UNSUBSCRIBE, from another client: %v", subscribed)
	}
	if all := list("*", &imap.ListOptions{ReturnSubscribed: true}); all["École/Sorties"] == nil || has(all["École/Sorties"], imap.MailboxAttrSubscribed) ||
		!has(all["INBOX"], imap.MailboxAttrSubscribed) {
		t.Errorf("LIST RETURN (SUBSCRIBED) after UNSUBSCRIBE: %v", all)
	}
	if err := c.Subscribe("École/Sorties").Wait(); err != nil {
		t.Fatal(err)
	}
	if subscribed := list("*", &imap.ListOptions{SelectSubscribed: true}); len(subscribed) != 7 {
		t.Errorf("LIST (SUBSCRIBED) after SUBSCRIBE: %v", subscribed)
	}

	sendAs(t, n.S, a.User("directeur"), "Réunion", "Jeudi.", teacher)
	sendAs(t, n.S, a.User("directeur"), "Sortie", "Vendredi.", teacher)
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true, NumUnseen: true, Size: true, NumDeleted: true}).Wait()
	if err != nil || *st.NumMessages != 2 || *st.NumUnseen != 2 || st.UIDNext != 3 || st.UIDValidity == 0 || *st.Size < 100 || *st.NumDeleted != 0 {
		t.Fatalf("STATUS: %+v %v", st, err)
	}
	lst, err := c.List("", "INBOX", &imap.ListOptions{ReturnStatus: &imap.StatusOptions{NumMessages: true}}).Collect()
	if err != nil || len(lst) != 1 || lst[0].Status == nil || *lst[0].Status.NumMessages != 2 {
		t.Fatalf("LIST RETURN (STATUS): %+v %v", lst, err)
	}
}

func TestIMAPFetch(t *testing.T) {
	a, n, addr := imapNode(t, apptest.Options{})
	ctx := t.Context()
	teacher := a.User("enseignant")
	parent, _ := parentOf(t, a, teacher)
	if _, err := n.S.Send(ctx, teacher, "fr", mail.Draft{To: []string{parent.ID}, Subject: "Sortie au musée", Text: "Bonjour,\nla sortie est jeudi.\n",
		Attachments: []mail.Attachment{{Name: "autorisation.pdf", Type: "application/pdf", Data: []byte("%PDF-1.4 fake")}}}); err != nil {
		t.Fatal(err)
	}
	c := signIn(t, addr, parent.Login, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	text := &imap.FetchItemBodySection{Part: []int{1}, Peek: true}
	subject := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"Subject"}, Peek: true}
	start := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: 20}}
	pdf := &imap.FetchItemBinarySection{Part: []int{2}, Peek: true}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Envelope: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		RFC822Size: true, InternalDate: true, Flags: true, UID: true, BodySection: []*imap.FetchItemBodySection{text, subject, start},
		BinarySection: []*imap.FetchItemBinarySection{pdf}}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH: %v %v", msgs, err)
	}
	m := msgs[0]
	env := m.Envelope
	if env.Subject != "Sortie au musée" || len(env.From) != 1 || env.From[0].Mailbox != "enseignant" || env.From[0].Host != "preau.local" ||
		len(env.To) != 1 || env.To[0].Mailbox != parent.Login || env.MessageID == "" {
		t.Errorf("ENVELOPE: %+v", env)
	}
	mp, ok := m.BodyStructure.(*imap.BodyStructureMultiPart)
	if !ok || mp.Subtype != "mixed" || len(mp.Children) != 2 {
		t.Fatalf("BODYSTRUCTURE: %#v", m.BodyStructure)
	}
	if p, ok := mp.Children[1].(*imap.BodyStructureSinglePart); !ok || p.Type != "application" || p.Subtype != "pdf" || p.Filename() != "autorisation.pdf" {
		t.Errorf("the attachment's structure: %#v", mp.Children[1])
	}
	_, raw, err := n.S.Raw(ctx, parent, mustInbox(t, n.S, parent)[0].CopyID)
	if err != nil {
		t.Fatal(err)
	}
	if m.RFC822Size != int64(len(raw)) || m.UID != 1 || time.Since(m.InternalDate) > time.Minute {
		t.Errorf("RFC822.SIZE %d (raw %d), UID %d, INTERNALDATE %v", m.RFC822Size, len(raw), m.UID, m.InternalDate)
	}
	if got := string(m.FindBodySection(text)); !strings.Contains(got, "la sortie est jeudi.") {
		t.Errorf("BODY[1]: %q", got)
	}
	if got := string(m.FindBodySection(subject)); !strings.HasPrefix(got, "Subject: ") || strings.Contains(got, "From") {
		t.Errorf("BODY[HEADER.FIELDS (Subject)]: %q", got)
	}
	if got := m.FindBodySection(start); string(got) != string(raw[:20]) {
		t.Errorf("BODY[]<0.20>: %q, want %q", got, raw[:20])
	}
	if got := string(m.FindBinarySection(pdf)); got != "%PDF-1.4 fake" {
		t.Errorf("BINARY[2]: %q", got)
	}
	if len(m.Flags) != 0 {
		t.Errorf("a PEEK marked the message: %v", m.Flags)
	}
	// reading the text marks it read, and says so
	msgs, err = c.Fetch(imap.UIDSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierText}}}).Collect()
	if err != nil || len(msgs) != 1 || len(msgs[0].Flags) != 1 || msgs[0].Flags[0] != imap.FlagSeen {
		t.Fatalf("FETCH BODY[TEXT]: %+v %v", msgs, err)
	}
	if unread, _ := n.S.Unread(ctx, parent); unread != 0 {
		t.Errorf("the webmail still counts %d unread", unread)
	}
	// a message of no type is text (RFC 2045)
	bare := "Subject: rien\r\n\r\nune ligne\r\ndeux lignes\r\n"
	if _, err := n.S.Append(ctx, parent, mail.Inbox, []byte(bare), mail.Flags{}, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	waitExists(t, c, 2)
	msgs, err = c.Fetch(imap.SeqSetNum(2), &imap.FetchOptions{BodyStructure: &imap.FetchItemBodyStructure{Extended: true}, Envelope: true}).Collect()
	if err != nil || len(msgs) != 1 || msgs[0].Envelope.Subject != "rien" {
		t.Fatalf("FETCH of a message of no type: %+v %v", msgs, err)
	}
	if p, ok := msgs[0].BodyStructure.(*imap.BodyStructureSinglePart); !ok || p.Type != "text" || p.Subtype != "plain" || p.Text == nil || p.Text.NumLines != 2 {
		t.Errorf("its structure: %#v", msgs[0].BodyStructure)
	}
}

// waitExists polls until the client was told of n messages: a change
// made elsewhere reaches sessions a moment after its commit.
func waitExists(t testing.TB, c *imapclient.Client, n uint32) {
	t.Helper()
	for start := time.Now(); c.Mailbox().NumMessages != n; time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("%d messages, want %d", c.Mailbox().NumMessages, n)
		}
		if err := c.Noop().Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// mustInbox is a person's inbox as IMAP numbers it.
func mustInbox(t testing.TB, s *mail.Service, u auth.User) []*mail.Entry {
	t.Helper()
	mb, err := s.Mailbox(context.Background(), u, mail.Inbox)
	if err != nil {
		t.Fatal(err)
	}
	return mb.Entries
}

func TestIMAPSearch(t *testing.T) {
	a, n, addr := imapNode(t, apptest.Options{})
	ctx := t.Context()
	teacher, director := a.User("enseignant"), a.User("directeur")
	parent, _ := parentOf(t, a, teacher)
	sendAs(t, n.S, director, "Conseil d'école", "Le conseil se tient jeudi au MUSÉE.", teacher)                  // 1
	sendAs(t, n.S, parent, "Absence de Léa", "Léa est malade aujourd'hui.", teacher)                             // 2
	sendAs(t, n.S, director, "Sortie", "Rendez-vous à 9 h devant l'école.\n"+strings.Repeat("x", 2000), teacher) // 3
	mustInbox(t, n.S, teacher)                                                                                   // UIDs 1 to 3: the next is 4, whatever its date
	// a message from outside the webmail: HTML only, its text out of the row
	html := "From: Mairie <mairie@preau.local>\r\nTo: enseignant@preau.local\r\nSubject: =?utf-8?q?Cantine_d=C3=A9cembre?=\r\n" +
		"Date: Mon, 01 Dec 2025 08:00:00 +0100\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Menu de la <b>semaine</b> : gratin.</p>\r\n"
	if _, err := n.S.Append(ctx, teacher, mail.Inbox, []byte(html), mail.Flags{}, time.Date(2025, 12, 1, 9, 0, 0, 0, time.Local), ""); err != nil { // 4
		t.Fatal(err)
	}
	c := signIn(t, addr, "enseignant", nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged, imap.FlagSeen, "$Urgent"}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	today := time.Now()
	for name, tc := range map[string]struct {
		c    imap.SearchCriteria
		want []uint32
	}{
		"all":                 {imap.SearchCriteria{}, []uint32{1, 2, 3, 4}},
		"SUBJECT":             {imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "absence"}}}, []uint32{2}},
		"SUBJECT, encoded":    {imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "DÉCEMBRE"}}}, []uint32{4}},
		"FROM, an address":    {imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: "directeur@preau"}}}, []uint32{1, 3}},
		"FROM, a name":        {imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: "mairie"}}}, []uint32{4}},
		"HEADER, any value":   {imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-Id", Value: ""}}}, []uint32{1, 2, 3}},
		"BODY, any case":      {imap.SearchCriteria{Body: []string{"musée"}}, []uint32{1}},
		"BODY, HTML only":     {imap.SearchCriteria{Body: []string{"gratin"}}, []uint32{4}},
		"BODY, not in header": {imap.SearchCriteria{Body: []string{"absence"}}, nil},
		"TEXT, header":        {imap.SearchCriteria{Text: []string{"absence"}}, []uint32{2}},
		"TEXT, body":          {imap.SearchCriteria{Text: []string{"malade"}}, []uint32{2}},
		"SEEN FLAGGED":        {imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen, imap.FlagFlagged}}, []uint32{2}},
		"UNSEEN":              {imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, []uint32{1, 3, 4}},
		"KEYWORD":             {imap.SearchCriteria{Flag: []imap.Flag{"$urgent"}}, []uint32{2}},
		"SINCE today":         {imap.SearchCriteria{Since: today.AddDate(0, 0, -1)}, []uint32{1, 2, 3}},
		"BEFORE 2026":         {imap.SearchCriteria{Before: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, []uint32{4}},
		"SENTBEFORE 2.12":     {imap.SearchCriteria{SentBefore: time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC)}, []uint32{4}},
		"SENTON 1.12":         {imap.SearchCriteria{SentSince: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), SentBefore: time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC)}, []uint32{4}},
		"LARGER":              {imap.SearchCriteria{Larger: 2000}, []uint32{3}},
		"SMALLER":             {imap.SearchCriteria{Smaller: 2000}, []uint32{1, 2, 4}},
		"NOT":                 {imap.SearchCriteria{Not: []imap.SearchCriteria{{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: "directeur"}}}}}, []uint32{2, 4}},
		"OR":                  {imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{Body: []string{"gratin"}}, {Flag: []imap.Flag{imap.FlagFlagged}}}}}, []uint32{2, 4}},
		"sequence numbers":    {imap.SearchCriteria{SeqNum: []imap.SeqSet{{{Start: 2, Stop: 0}}}}, []uint32{2, 3, 4}},
	} {
		data, err := c.Search(&tc.c, nil).Wait()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := data.AllSeqNums(); fmt.Sprint(got) != fmt.Sprint(tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("SEARCH %s: %v, want %v", name, got, tc.want)
		}
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, &imap.SearchOptions{ReturnMin: true, ReturnMax: true, ReturnCount: true}).Wait()
	if err != nil || data.Min != 1 || data.Max != 4 || data.Count != 3 {
		t.Errorf("UID SEARCH RETURN (MIN MAX COUNT): %+v %v", data, err)
	}
}

func TestIMAPStoreCopyMoveExpunge(t *testing.T) {
	a, n, addr := imapNode(t, apptest.Options{})
	ctx := t.Context()
	teacher, director := a.User("enseignant"), a.User("directeur")
	for _, subject := range []string{"un", "deux", "trois", "quatre"} {
		sendAs(t, n.S, director, subject, "texte", teacher)
	}
	var expunged []uint32
	c := signIn(t, addr, "enseignant", &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Expunge: func(seq uint32) { expunged = append(expunged, seq) },
	}})
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	flagsOf := func(set imap.NumSet) [][]imap.Flag {
		t.Helper()
		msgs, err := c.Fetch(set, &imap.FetchOptions{Flags: true}).Collect()
		if err != nil {
			t.Fatal(err)
		}
		out := make([][]imap.Flag, len(msgs))
		for i, m := range msgs {
			out[i] = m.Flags
		}
		return out
	}
	// STORE: add, remove, set; keywords; .SILENT answers nothing
	msgs, err := c.Store(imap.SeqSet{{Start: 1, Stop: 2}}, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged, "$Important"}}, nil).Collect()
	if err != nil || len(msgs) != 2 || fmt.Sprint(msgs[0].Flags) != `[\Flagged $Important]` {
		t.Fatalf("STORE +FLAGS: %+v %v", msgs, err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{"$important"}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsSet, Silent: true, Flags: []imap.Flag{imap.FlagSeen, imap.FlagAnswered}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(flagsOf(imap.SeqSet{{Start: 1, Stop: 0}})); got != `[[\Flagged] [\Flagged $Important] [\Seen \Answered] []]` {
		t.Errorf("flags after STORE: %s", got)
	}
	inbox := mustInbox(t, n.S, teacher)
	if !inbox[0].Flagged || !inbox[2].Seen || !inbox[2].Answered || len(inbox[1].Keywords) != 1 {
		t.Errorf("the webmail's flags: %+v", inbox)
	}

	// COPY to Archive: new copies, COPYUID
	cp, err := c.Copy(imap.SeqSet{{Start: 1, Stop: 2}}, "Archive").Wait()
	if err != nil || cp.UIDValidity == 0 || cp.SourceUIDs.String() != "1:2" || cp.DestUIDs.String() != "1:2" {
		t.Fatalf("COPY: %+v %v", cp, err)
	}
	archive, _ := n.S.Mailbox(ctx, teacher, mail.Archive)
	if len(archive.Entries) != 2 || !archive.Entries[0].Flagged || archive.Entries[0].MessageID != inbox[0].MessageID || archive.Entries[0].CopyID == inbox[0].CopyID {
		t.Errorf("Archive after COPY: %+v", archive.Entries)
	}
	if _, err := c.Copy(imap.SeqSetNum(1), "Nulle part").Wait(); imapCode(err) != imap.ResponseCodeTryCreate {
		t.Errorf("COPY to no folder: %v", err)
	}

	// MOVE to a new folder: COPYUID, then EXPUNGE
	if err := c.Create("Classe", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	mv, err := c.Move(imap.UIDSetNum(2), "Classe").Wait()
	if err != nil || mv.SourceUIDs.String() != "2" || mv.DestUIDs.String() != "1" {
		t.Fatalf("MOVE: %+v %v", mv, err)
	}
	if fmt.Sprint(expunged) != "[2]" {
		t.Errorf("MOVE expunged %v", expunged)
	}
	if _, err := c.Move(imap.SeqSetNum(1), "INBOX").Wait(); err == nil {
		t.Error("MOVE to the folder itself")
	}

	// EXPUNGE takes what is \Deleted; UID EXPUNGE only those it names
	if err := c.Store(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	gone, err := c.UIDExpunge(imap.UIDSetNum(4)).Collect()
	if err != nil || fmt.Sprint(gone) != "[3]" {
		t.Fatalf("UID EXPUNGE 4: %v %v", gone, err)
	}
	gone, err = c.Expunge().Collect()
	if err != nil || fmt.Sprint(gone) != "[2 1]" {
		t.Fatalf("EXPUNGE: %v %v", gone, err)
	}
	if left := mustInbox(t, n.S, teacher); len(left) != 0 {
		t.Errorf("the inbox still holds %d", len(left))
	}
	if archive, _ := n.S.Mailbox(ctx, teacher, mail.Archive); len(archive.Entries) != 2 {
		t.Errorf("EXPUNGE in INBOX took the copies in Archive: %+v", archive.Entries)
	}

	// EXAMINE changes nothing
	if _, err := c.Select("Archive", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err == nil {
		t.Error("STORE in EXAMINE")
	}
	if _, err := c.Fetch(imap.SeqSetNum(2), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect(); err != nil {
		t.Fatal(err)
	}
	if archive, _ := n.S.Mailbox(ctx, teacher, mail.Archive); archive.Entries[1].Seen {
		t.Error("FETCH BODY[] in EXAMINE marked the message read")
	}
}

func TestIMAPAppend(t *testing.T) {
	a, n, addr := imapNode(t, apptest.Options{Config: map[string]string{"mail.max_message_size": "10KB"}})
	ctx := t.Context()
	teacher := a.User("enseignant")
	c := signIn(t, addr, "enseignant", nil)
	if !c.Caps().Has(imap.CapLiteralPlus) || !c.Caps().Has("APPENDLIMIT=10240") || !c.Caps().Has(imap.CapUIDPlus) || !c.Caps().Has(imap.CapMove) {
		t.Errorf("capabilities: %v", c.Caps())
	}
	raw := "From: Thomas <enseignant@preau.local>\r\nTo: directeur@preau.local\r\nSubject: Brouillon\r\n\r\nÀ finir.\r\n"
	date := time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
	app := c.Append("Drafts", int64(len(raw)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDraft, imap.FlagSeen, "$Todo"}, Time: date})
	app.Write([]byte(raw))
	app.Close()
	data, err := app.Wait()
	if err != nil || data.UID != 1 || data.UIDValidity == 0 {
		t.Fatalf("APPEND: %+v %v", data, err)
	}
	drafts, _ := n.S.Mailbox(ctx, teacher, mail.Drafts)
	if len(drafts.Entries) != 1 || !drafts.Entries[0].Draft || !drafts.Entries[0].Seen || drafts.Entries[0].Keywords[0] != "$Todo" ||
		!drafts.Entries[0].ReceivedAt.Equal(date) || drafts.Validity != data.UIDValidity {
		t.Fatalf("the draft kept: %+v", drafts)
	}
	if _, got, _ := n.S.Raw(ctx, teacher, drafts.Entries[0].CopyID); string(got) != raw {
		t.Errorf("the text kept: %q", got)
	}
	// what the client files in Sent after sending it through the server is there already
	sendAs(t, n.S, teacher, "Envoyé", "Par le serveur.", a.User("directeur"))
	sent, _ := n.S.Mailbox(ctx, teacher, mail.Sent)
	_, sentRaw, err := n.S.Raw(ctx, teacher, sent.Entries[0].CopyID)
	if err != nil {
		t.Fatal(err)
	}
	app = c.Append("Sent", int64(len(sentRaw)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}})
	app.Write(sentRaw)
	app.Close()
	if data, err := app.Wait(); err != nil || data.UID != imap.UID(sent.Entries[0].UID) || data.UIDValidity != sent.Validity {
		t.Errorf("APPEND to Sent of a message sent: %+v %v", data, err)
	}
	if again, _ := n.S.Mailbox(ctx, teacher, mail.Sent); len(again.Entries) != 1 {
		t.Errorf("Sent holds %d copies", len(again.Entries))
	}
	// a message that does not parse is refused with the reason, and nothing is written
	bad := "From: <<<\r\nSubject: x\r\n\r\nbody\r\n"
	app = c.Append("INBOX", int64(len(bad)), nil)
	app.Write([]byte(bad))
	app.Close()
	if _, err := app.Wait(); imapCode(err) != imap.ResponseCodeParse || !strings.Contains(err.Error(), "illisible") {
		t.Errorf("APPEND of a malformed message: %v", err)
	}
	if left := mustInbox(t, n.S, teacher); len(left) != 0 {
		t.Errorf("a malformed message was kept: %+v", left)
	}
	// a literal over the limit is refused before it is sent
	r := dialRaw(t, addr)
	r.login("enseignant")
	if _, err := r.c.Write([]byte("A1 APPEND INBOX {20000}\r\n")); err != nil {
		t.Fatal(err)
	}
	if res := r.line(); !strings.HasPrefix(res, "A1 NO [TOOBIG]") {
		t.Errorf("a literal over the limit: %q", res)
	}
	if res, _ := r.send("A2 NOOP"); !strings.HasPrefix(res, "A2 OK") {
		t.Errorf("after the refusal: %q", res)
	}
	if res, _ := r.send("A3 APPEND Nulle-part {2}\r\nab"); !strings.HasPrefix(res, "A3 NO [TRYCREATE]") {
		t.Errorf("APPEND to no folder: %q", res)
	}
}

func TestIMAPIdle(t *testing.T) {
	a, n, addr := imapNode(t, apptest.Options{})
	ctx := t.Context()
	teacher, director := a.User("enseignant"), a.User("directeur")
	exists, flags, expunged := make(chan uint32, 10), make(chan []imap.Flag, 10), make(chan uint32, 10)
	c := signIn(t, addr, "enseignant", &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				exists <- *d.NumMessages
			}
		},
		Fetch: func(m *imapclient.FetchMessageData) {
			if buf, err := m.Collect(); err == nil {
				flags <- buf.Flags
			}
		},
		Expunge: func(seq uint32) { expunged <- seq },
	}})
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	wait := func(what string, ch any) any {
		t.Helper()
		var v any
		switch ch := ch.(type) {
		case chan uint32:
			select {
			case v = <-ch:
			case <-time.After(5 * time.Second):
			}
		case chan []imap.Flag:
			select {
			case v = <-ch:
			case <-time.After(5 * time.Second):
			}
		}
		if v == nil {
			t.Fatalf("IDLE: no %s", what)
		}
		return v
	}
	// a message sent from the webmail reaches the idling client at once
	sendAs(t, n.S, director, "Conseil", "Jeudi.", teacher)
	if got := wait("EXISTS", exists); got != uint32(1) {
		t.Errorf("EXISTS %v", got)
	}
	// read in the webmail: its flags change
	if _, err := n.S.Open(ctx, teacher, mustInbox(t, n.S, teacher)[0].CopyID); err != nil {
		t.Fatal(err)
	}
	if got := wait("FETCH FLAGS", flags); fmt.Sprint(got) != `[\Seen]` {
		t.Errorf("FETCH FLAGS %v", got)
	}
	// put in the Corbeille: gone from the inbox
	if err := n.S.Delete(ctx, teacher, []string{mustInbox(t, n.S, teacher)[0].CopyID}); err != nil {
		t.Fatal(err)
	}
	if got := wait("EXPUNGE", expunged); got != uint32(1) {
		t.Errorf("EXPUNGE %v", got)
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
	// others' mail wakes no one
	sendAs(t, n.S, teacher, "Pour la direction", "x", director)
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-exists:
		t.Errorf("EXISTS %d for mail sent by the teacher to someone else", v)
	default:
	}
}

// A password travels in clear text only when mail.allow_plain_auth says
// so: otherwise LOGIN waits for STARTTLS, or comes over IMAPS.
func TestIMAPLoginNeedsTLS(t *testing.T) {
	cert, key := certificate(t)
	cfg := map[string]string{"tls.cert": cert, "tls.key": key, "mail.allow_plain_auth": "false"}
	_, n, addr := imapNode(t, apptest.Options{Config: cfg})
	r := dialRaw(t, addr)
	res, caps := r.send("C1 CAPABILITY")
	if !strings.HasPrefix(res, "C1 OK") || len(caps) != 1 || !strings.Contains(caps[0], "LOGINDISABLED") || !strings.Contains(caps[0], "STARTTLS") ||
		strings.Contains(caps[0], "AUTH=PLAIN") {
		t.Errorf("CAPABILITY in clear text: %s %v", res, caps)
	}
	if res, _ := r.send("C2 LOGIN enseignant " + feature.DemoPassword); !strings.HasPrefix(res, "C2 NO [PRIVACYREQUIRED]") {
		t.Errorf("LOGIN in clear text: %s", res)
	}
	if res, _ := r.send(`C3 AUTHENTICATE PLAIN AGVuc2VpZ25hbnQAZGVtbw==`); !strings.HasPrefix(res, "C3 NO [PRIVACYREQUIRED]") {
		t.Errorf("AUTHENTICATE in clear text: %s", res)
	}
	insecure := &imapclient.Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}}
	c, err := imapclient.DialStartTLS(addr, insecure)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Caps().Has(imap.CapLoginDisabled) {
		t.Errorf("LOGINDISABLED after STARTTLS: %v", c.Caps())
	}
	if err := c.Login("enseignant", feature.DemoPassword).Wait(); err != nil {
		t.Errorf("LOGIN after STARTTLS: %v", err)
	}
	tlsAddr := serveIMAP(t, n, true)
	c2, err := imapclient.DialTLS(tlsAddr, insecure)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if err := c2.Login("enseignant", feature.DemoPassword).Wait(); err != nil {
		t.Errorf("LOGIN over IMAPS: %v", err)
	}
	if c2.Caps().Has(imap.CapStartTLS) {
		t.Errorf("STARTTLS offered over IMAPS: %v", c2.Caps())
	}
}

func TestIMAPLoginRefused(t *testing.T) {
	a, _, addr := imapNode(t, apptest.Options{})
	login := func(user, password string) error {
		t.Helper()
		c, err := imapclient.DialInsecure(addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.Login(user, password).Wait()
	}
	if err := login("enseignant@ailleurs.example", feature.DemoPassword); imapCode(err) != imap.ResponseCodeAuthenticationFailed {
		t.Errorf("another domain: %v", err)
	}
	if err := login("eleve", ""); imapCode(err) != imap.ResponseCodeAuthenticationFailed {
		t.Errorf("a pupil without a password: %v", err)
	}
	if err := a.Auth.SetDisabled(t.Context(), a.User("directeur").ID, true); err != nil {
		t.Fatal(err)
	}
	if err := login("directeur", feature.DemoPassword); imapCode(err) != imap.ResponseCodeContactAdmin {
		t.Errorf("a disabled account: %v", err)
	}
	// failures lock the login a while, the right password too
	for range 5 {
		if err := login("parent", "devine"); imapCode(err) != imap.ResponseCodeAuthenticationFailed {
			t.Fatalf("a wrong password: %v", err)
		}
	}
	if err := login("parent", feature.DemoPassword); err == nil || !strings.Contains(err.Error(), "trop de tentatives") {
		t.Errorf("a throttled login: %v", err)
	}
}

// Each person reads their own mailbox only, whatever they ask.
func TestIMAPOwnMailboxOnly(t *testing.T) {
	a, n, addr := imapNode(t, apptest.Options{})
	ctx := t.Context()
	teacher := a.User("enseignant")
	parent, pupil := parentOf(t, a, teacher)
	if err := a.Auth.SetPassword(ctx, pupil.ID, "cahier-bleu-2026", false); err != nil {
		t.Fatal(err)
	}
	sendAs(t, n.S, teacher, "Pour les parents", "secret des parents", parent)
	sendAs(t, n.S, parent, "Pour l'enseignant", "secret de l'enseignant", teacher)
	sendAs(t, n.S, teacher, "Pour la classe", "lecture", pupil)
	subjects := func(c *imapclient.Client, folder string) []string {
		t.Helper()
		if _, err := c.Select(folder, nil).Wait(); err != nil {
			t.Fatal(err)
		}
		msgs, err := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Envelope: true}).Collect()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range msgs {
			out = append(out, m.Envelope.Subject)
		}
		return out
	}
	for login, want := range map[string]string{parent.Login: "[Pour les parents]", teacher.Login: "[Pour l'enseignant]"} {
		c := signIn(t, addr, login, nil)
		if got := fmt.Sprint(subjects(c, "INBOX")); got != want {
			t.Errorf("%s's INBOX: %s, want %s", login, got, want)
		}
		data, err := c.Search(&imap.SearchCriteria{Text: []string{"secret"}}, nil).Wait()
		if err != nil || len(data.AllSeqNums()) != 1 {
			t.Errorf("%s's SEARCH TEXT secret: %v %v", login, data, err)
		}
	}
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(pupil.Login, "cahier-bleu-2026").Wait(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(subjects(c, "INBOX")); got != "[Pour la classe]" {
		t.Errorf("the pupil's INBOX: %s", got)
	}
	if got := subjects(c, "Sent"); len(got) != 0 {
		t.Errorf("the pupil's Sent: %v", got)
	}
	// what names a message elsewhere names nothing here
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if cp, err := c.Copy(imap.UIDSet{{Start: 1, Stop: 100}}, "Archive").Wait(); err != nil || cp.DestUIDs.String() != "1" {
		t.Errorf("the pupil's COPY 1:100: %+v %v", cp, err)
	}
	if msgs, _ := c.Fetch(imap.UIDSetNum(2, 3), &imap.FetchOptions{Envelope: true}).Collect(); len(msgs) != 0 {
		t.Errorf("the pupil fetched %+v", msgs)
	}
}

// Wrong commands get a BAD, and the connection goes on.
func TestIMAPBadSyntax(t *testing.T) {
	_, _, addr := imapNode(t, apptest.Options{})
	r := dialRaw(t, addr)
	r.login("enseignant")
	for _, tc := range []struct{ cmd, want string }{
		{"A1 FETCH 1 (FOO)", "A1 BAD"},
		{"A2 SELECT", "A2 BAD"},
		{"A3 FROBNICATE", "A3 BAD"},
		{"A4 STORE 1 +FLAGS (\\Seen)", "A4 BAD"}, // nothing selected
		{"A5 SELECT INBOX", "A5 OK"},
		{"A6 UID FETCH 1:* (FLAGS", "A6 BAD"},
		{"A7 SEARCH CHARSET KOI8-R ALL", "A7 NO [BADCHARSET]"},
		{"A8 STORE 1 FLAGS (\\Seen", "A8 BAD"},
		{"A9 LIST", "A9 BAD"},
		{"B1 FETCH 1:* (BODY[HEADER.FIELDS (Subject])", "B1 BAD"},
		{"B2 SEARCH OR SEEN", "B2 BAD"},
		{"B3 FETCH 99 FLAGS", "B3 OK"},
		{"B4 NOOP", "B4 OK"},
	} {
		if res, _ := r.send(tc.cmd); !strings.HasPrefix(res, tc.want) {
			t.Errorf("%s: %q, want %s", tc.cmd, res, tc.want)
		}
	}
}

// FETCH FLAGS reads the copies' rows, never the messages: 10,000 of them
// whose file is missing are listed all the same.
func TestIMAPFetchFlagsReadsNoMessage(t *testing.T) {
	a, n, addr := imapNode(t, apptest.Options{})
	ctx := t.Context()
	teacher, director := a.User("enseignant"), a.User("directeur")
	big := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB: kept as a file
	if _, err := n.S.Send(ctx, director, "fr", mail.Draft{To: []string{teacher.ID}, Subject: "Photos", Text: "ci-joint",
		Attachments: []mail.Attachment{{Name: "photos.bin", Type: "application/octet-stream", Data: big}}}); err != nil {
		t.Fatal(err)
	}
	first := mustInbox(t, n.S, teacher)[0].CopyID
	ids := make([]string, 9999)
	for i := range ids {
		ids[i] = first
	}
	if _, err := n.S.CopyTo(ctx, teacher, ids, mail.Inbox); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(a.Config.DataDir, store.BlobsDir)); err != nil {
		t.Fatal(err)
	}
	c := signIn(t, addr, "enseignant", nil)
	if mb, err := c.Select("INBOX", nil).Wait(); err != nil || mb.NumMessages != 10000 {
		t.Fatalf("SELECT: %+v %v", mb, err)
	}
	start := time.Now()
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true, UID: true, RFC822Size: true, InternalDate: true}).Collect()
	if err != nil || len(msgs) != 10000 || msgs[9999].UID != 10000 || msgs[0].RFC822Size < int64(len(big)) {
		t.Fatalf("FETCH 1:* FLAGS: %d messages, %v", len(msgs), err)
	}
	t.Logf("FETCH 1:* (FLAGS UID RFC822.SIZE INTERNALDATE) of 10,000 in %v", time.Since(start))
	if _, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect(); imapCode(err) != imap.ResponseCodeUnavailable {
		t.Errorf("FETCH BODY[] of a message whose file is missing: %v", err)
	}
}
