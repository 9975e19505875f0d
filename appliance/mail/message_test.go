package mail

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"preau/appliance/apperr"
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

// Whatever arrives, Parse answers a message or an error: it never panics
// and never takes more than it was given.
func FuzzParse(f *testing.F) {
	raw, _ := Compose(Message{Subject: "Été", From: Address{Email: "a@preau.local"}, Text: "x", Date: time.Unix(0, 0),
		Attachments: []Attachment{{Name: "f.txt", Data: []byte("y")}}})
	f.Add(raw)
	f.Add([]byte("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n\r\n--z--"))
	f.Add([]byte("Subject: =?utf-8?b?w6k=?=\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		Parse(bytes.NewReader(data), 1<<16)
	})
}
