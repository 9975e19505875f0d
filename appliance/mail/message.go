package mail

// The one format every part of the mail reads and writes: messages as
// RFC 5322, parsed with github.com/emersion/go-message for listing,
// reading and search, and composed from what the webmail sends.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // messages from outside come in every charset
	gomail "github.com/emersion/go-message/mail"

	"preau/appliance/apperr"
)

// Message is a message as Préau reads it.
type Message struct {
	MessageID  string // without angle brackets
	InReplyTo  string
	References []string
	Subject    string
	From       Address
	To, Cc     []Address
	// Groups are the groups written to (« Parents des CE2 »), named in
	// To as empty RFC 5322 groups: their members are not disclosed.
	Groups      []string
	Date        time.Time
	Text        string // the plain-text body ("" when the message has only HTML)
	HTML        string // the HTML body as received: sanitized before it is shown
	Attachments []Attachment
}

// Address is a person's name and address.
type Address struct {
	Name, Email string
}

// String is the address as a header writes it.
func (a Address) String() string { return (&gomail.Address{Name: a.Name, Address: a.Email}).String() }

// Attachment is a file a message carries.
type Attachment struct {
	Name, Type string
	Data       []byte
}

// ErrTooLarge is a message over the size it was given (mail.max_message_size).
var ErrTooLarge = apperr.New(apperr.ErrTooLarge, "mail.err.too_large")

// Parse reads a message of at most max bytes. A message it cannot read is
// an error saying why; parts in an unknown charset are kept as they are.
func Parse(r io.Reader, max int64) (Message, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return Message{}, err
	}
	if int64(len(data)) > max {
		return Message{}, ErrTooLarge
	}
	mr, err := gomail.CreateReader(bytes.NewReader(data))
	if err != nil && !message.IsUnknownCharset(err) {
		return Message{}, malformed(err)
	}
	defer mr.Close()
	m, err := header(mr.Header)
	if err != nil {
		return m, err
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil && !message.IsUnknownCharset(err) {
			return m, malformed(err)
		}
		if err := m.add(p); err != nil {
			return m, err
		}
	}
}

// add keeps a part: the first plain text and HTML bodies, every
// attachment.
func (m *Message) add(p *gomail.Part) error {
	body, err := io.ReadAll(p.Body)
	if err != nil && !message.IsUnknownCharset(err) {
		return malformed(err)
	}
	switch h := p.Header.(type) {
	case *gomail.InlineHeader:
		t, _, _ := h.ContentType()
		switch {
		case t == "text/plain" && m.Text == "":
			m.Text = strings.ReplaceAll(string(body), "\r\n", "\n")
		case t == "text/html" && m.HTML == "":
			m.HTML = string(body)
		case !strings.HasPrefix(t, "text/"): // an inline picture: kept as a file
			m.Attachments = append(m.Attachments, Attachment{Name: "sans-nom", Type: t, Data: body})
		}
	case *gomail.AttachmentHeader:
		name, _ := h.Filename()
		t, _, _ := h.ContentType()
		m.Attachments = append(m.Attachments, Attachment{Name: name, Type: t, Data: body})
	}
	return nil
}

// header reads the fields Préau lists and searches by. A missing or
// unreadable date is the zero time; an unreadable address list is an
// error, since the message's people are who may read it.
func header(h gomail.Header) (Message, error) {
	var m Message
	var err error
	m.MessageID, _ = h.MessageID()
	if ids, _ := h.MsgIDList("In-Reply-To"); len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	m.References, _ = h.MsgIDList("References")
	if m.Subject, err = h.Subject(); err != nil {
		m.Subject = h.Get("Subject") // an encoded word that does not decode: kept as sent
	}
	m.Date, _ = h.Date()
	from, err := h.AddressList("From")
	if err != nil {
		return m, malformed(fmt.Errorf("From: %w", err))
	}
	if len(from) > 0 {
		m.From = Address{Name: from[0].Name, Email: from[0].Address}
	}
	if m.To, err = addresses(h, "To"); err != nil {
		return m, err
	}
	m.Cc, err = addresses(h, "Cc")
	return m, err
}

func addresses(h gomail.Header, key string) ([]Address, error) {
	list, err := h.AddressList(key)
	if err != nil {
		return nil, malformed(fmt.Errorf("%s: %w", key, err))
	}
	out := make([]Address, len(list))
	for i, a := range list {
		out[i] = Address{Name: a.Name, Email: a.Address}
	}
	return out, nil
}

// malformed is a message that cannot be read, with the reason.
func malformed(err error) error {
	return apperr.New(apperr.ErrInvalid, "mail.err.malformed", "Reason", err.Error())
}

// Compose writes a message as RFC 5322: its headers (the subject encoded
// when it is not ASCII), its text in UTF-8, and its attachments.
func Compose(m Message) ([]byte, error) {
	var h gomail.Header
	h.SetDate(m.Date)
	h.SetMessageID(m.MessageID)
	h.SetSubject(m.Subject)
	h.SetAddressList("From", []*gomail.Address{{Name: m.From.Name, Address: m.From.Email}})
	set := func(key string, as []Address) {
		if len(as) == 0 {
			return
		}
		list := make([]*gomail.Address, len(as))
		for i, a := range as {
			list[i] = &gomail.Address{Name: a.Name, Address: a.Email}
		}
		h.SetAddressList(key, list)
	}
	set("To", m.To)
	set("Cc", m.Cc)
	if len(m.Groups) > 0 {
		to := h.Get("To")
		for _, g := range m.Groups {
			if to != "" {
				to += ", "
			}
			to += mime.QEncoding.Encode("utf-8", g) + ":;"
		}
		h.Set("To", to)
	}
	if m.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{m.InReplyTo})
	}
	if len(m.References) > 0 {
		h.SetMsgIDList("References", m.References)
	}
	var buf bytes.Buffer
	w, err := gomail.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	var th gomail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	tw, err := w.CreateSingleInline(th)
	if err != nil {
		return nil, err
	}
	io.WriteString(tw, m.Text)
	tw.Close()
	for _, a := range m.Attachments {
		var ah gomail.AttachmentHeader
		t := a.Type
		if t == "" {
			t = "application/octet-stream"
		}
		ah.SetContentType(t, nil)
		ah.SetFilename(a.Name)
		aw, err := w.CreateAttachment(ah)
		if err != nil {
			return nil, err
		}
		aw.Write(a.Data)
		aw.Close()
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
