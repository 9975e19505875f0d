package mail

import (
	"bytes"
	"errors"
	netmail "net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/text"
)

// A message the webmail composes reads back the same: accented subject
// and names, text, an attachment, the thread's ids.
func TestComposeThenParse(t *testing.T) {
	in := Message{MessageID: "0193abc@preau.local", InReplyTo: "0193aaa@preau.local", References: []string{"0193aaa@preau.local"},
		Subject: "Sortie à la médiathèque", From: Address{Name: "Thomas Lefèvre", Email: "enseignant@preau.local"},
		To: []Address{{Name: "Sophie Martin", Email: "parent@preau.local"}}, Cc: []Address{{Email: "directeur@preau.local"}},
		Date: time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC), Text: "Bonjour,\n\nprévoir une casquette.\n",
		Attachments: []Attachment{{Name: "autorisation élève.pdf", Type: "application/pdf", Data: []byte("%PDF-1.4 …")}}}
	raw, err := Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw[:bytes.Index(raw, []byte("\r\n\r\n"))], []byte("é")) {
		t.Errorf("8-bit characters in the composed headers:\n%s", raw)
	}
	out, err := Parse(bytes.NewReader(raw), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if out.Subject != in.Subject || out.From != in.From || len(out.To) != 1 || out.To[0] != in.To[0] || len(out.Cc) != 1 ||
		out.MessageID != in.MessageID || out.InReplyTo != in.InReplyTo || !out.Date.Equal(in.Date) {
		t.Errorf("headers read back: %+v", out)
	}
	if out.Text != in.Text {
		t.Errorf("text read back: %q", out.Text)
	}
	if len(out.Attachments) != 1 || out.Attachments[0].Name != "autorisation élève.pdf" || string(out.Attachments[0].Data) != "%PDF-1.4 …" {
		t.Errorf("attachments read back: %+v", out.Attachments)
	}
}

// Mail from outside: an HTML alternative, a Latin-1 body, 8-bit headers.
func TestParseFromOutside(t *testing.T) {
	raw := "From: =?iso-8859-1?q?Mairie_de_Bondy?= <mairie@ville.example>\r\n" +
		"To: directeur@preau.local\r\nSubject: Réunion (8-bit)\r\nDate: Thu, 03 Dec 2026 10:00:00 +0100\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nR=E9union jeudi.\r\n" +
		"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Réunion <b>jeudi</b>.</p><img src=\"https://pisteur.example/x.gif\">\r\n--b--\r\n"
	m, err := Parse(strings.NewReader(raw), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Name != "Mairie de Bondy" || m.Subject != "Réunion (8-bit)" || !strings.Contains(m.Text, "Réunion jeudi.") ||
		!strings.Contains(m.HTML, "<b>jeudi</b>") {
		t.Errorf("read %+v", m)
	}
}

// What cannot be read is refused with a reason; too large is too large.
func TestParseRefuses(t *testing.T) {
	if _, err := Parse(strings.NewReader("Subject: x\r\n\r\n"+strings.Repeat("a", 2000)), 1000); !errors.Is(err, apperr.ErrTooLarge) {
		t.Errorf("an oversized message: %v", err)
	}
	for name, raw := range map[string]string{
		"a From that is no address":        "From: <<<\r\nSubject: x\r\n\r\nbody",
		"a multipart without its boundary": "From: a@b.example\r\nContent-Type: multipart/mixed\r\n\r\nbody",
	} {
		if _, err := Parse(strings.NewReader(raw), 1<<20); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("%s: %v, want a refusal saying why", name, err)
		}
	}
}

// Whatever arrives, Parse answers a message or an error saying why
// (malformed, or too large): it never panics, and a message it reads,
// written again by Compose, reads back the same. Seeds under
// testdata/fuzz/FuzzParse: messages from the usual clients, in their
// charsets and encodings, and broken ones.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(bytes.NewReader(data), 1<<16)
		if err != nil {
			if !errors.Is(err, apperr.ErrInvalid) && !errors.Is(err, apperr.ErrTooLarge) {
				t.Fatalf("refused with %v, want a reason", err)
			}
			return
		}
		if len(m.Groups) > 0 || !composable(m) {
			return // what Préau never writes: nothing to read back
		}
		raw, err := Compose(m)
		if err != nil {
			return
		}
		assertSame(t, m, raw)
	})
}

// FuzzCompose: whatever people write in the webmail (a subject, names,
// text, files in any language), the message Préau writes reads back as
// written.
func FuzzCompose(f *testing.F) {
	f.Add("Sortie au musée", "Hélène Roux", "helene.roux@ecole.example", "Parents des CE2", "parents@ecole.example",
		"Bonjour,\nN'oubliez pas le goûter.\n", "autorisation.pdf", []byte("%PDF-1.4\n"))
	f.Add("رحلة", "أمينة", "amina@ecole.example", "", "x@y.example", "مرحبا", "صورة.png", []byte{0x89, 'P', 'N', 'G'})
	f.Fuzz(func(t *testing.T, subject, fromName, from, toName, to, text, file string, data []byte) {
		m := Message{Subject: subject, From: Address{Name: fromName, Email: from}, To: []Address{{Name: toName, Email: to}},
			Text: text, Date: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC), MessageID: "1@preau.local"}
		if file != "" {
			m.Attachments = []Attachment{{Name: file, Type: "application/octet-stream", Data: data}}
		}
		if !composable(m) {
			return
		}
		raw, err := Compose(m)
		if err != nil {
			t.Fatalf("cannot write %+v: %v", m, err)
		}
		assertSame(t, m, raw)
	})
}

// composable reports whether m is a message the webmail lets people
// write: lines as the forms keep them (text.Line: trimmed, a header
// keeps no surrounding space), a text they accept (text.Body),
// addresses that are addresses.
func composable(m Message) bool {
	if !typed(m.Subject) {
		return false
	}
	if _, err := text.Body("text", m.Text, 1<<16); err != nil || strings.Contains(m.Text, "\r") {
		return false
	}
	for _, a := range append([]Address{m.From}, append(m.To, m.Cc...)...) {
		if !typed(a.Name) {
			return false
		}
		if p, err := netmail.ParseAddress(a.Email); err != nil || p.Address != a.Email || p.Name != "" {
			return false
		}
	}
	for _, at := range m.Attachments {
		if !typed(at.Name) || at.Name == "" {
			return false
		}
	}
	return true
}

// typed reports whether s is a line as a form keeps it.
func typed(s string) bool {
	v, err := text.Line("line", s, 200)
	return err == nil && v == s
}

// assertSame fails unless raw reads back as m.
func assertSame(t *testing.T, m Message, raw []byte) {
	t.Helper()
	got, err := Parse(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("what Compose wrote does not read back: %v\n%s", err, raw)
	}
	if got.Subject != m.Subject || got.From != m.From || !slices.Equal(got.To, m.To) || !slices.Equal(got.Cc, m.Cc) {
		t.Fatalf("headers changed:\nwrote %+v\nread  %+v\n%s", m, got, raw)
	}
	if got.Text != m.Text {
		t.Fatalf("text changed: wrote %q, read %q", m.Text, got.Text)
	}
	if len(got.Attachments) != len(m.Attachments) {
		t.Fatalf("%d attachments read, %d written", len(got.Attachments), len(m.Attachments))
	}
	for i, a := range m.Attachments {
		if got.Attachments[i].Name != a.Name || !bytes.Equal(got.Attachments[i].Data, a.Data) {
			t.Fatalf("attachment %d changed: wrote %q (%d bytes), read %q (%d bytes)", i, a.Name, len(a.Data),
				got.Attachments[i].Name, len(got.Attachments[i].Data))
		}
	}
}
