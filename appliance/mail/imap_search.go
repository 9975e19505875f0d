package mail

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// IMAP's SEARCH over the selected folder. Flags, dates, sizes and UIDs are
// read from the folders' index (index.go); the text from what the
// webmail's search reads (the decoded text of the body, and the start of
// the message for its header), a message being parsed only when its row
// cannot answer:
// its text is not all there (HTML only, files attached, longer than the
// part kept) or its header is longer than the part read.

func (s *imapSession) Search(kind imapserver.NumKind, c *imap.SearchCriteria, o *imap.SearchOptions) (*imap.SearchData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sel, err := s.selected()
	if err != nil {
		return nil, err
	}
	msgs, err := s.load(imap.SeqSet{{Start: 1, Stop: 0}})
	if err != nil {
		return nil, s.fail(err)
	}
	q := &searchQuery{s: s, sel: sel}
	needText := q.needsText(c)
	var seqs, uids []uint32
	for chunk := range slices.Chunk(msgs, 500) {
		var texts map[uint32]searchable
		if needText {
			if texts, err = s.n.S.searchables(s.ctx, s.user, sel.folder, chunk[0].e.UID, chunk[len(chunk)-1].e.UID); err != nil {
				return nil, s.fail(err)
			}
		}
		for _, m := range chunk {
			d := &searchDoc{picked: m, seq: uint32(m.i + 1)}
			if t, ok := texts[m.e.UID]; ok {
				d.text = &t
			}
			if q.match(c, d) {
				seqs, uids = append(seqs, d.seq), append(uids, m.e.UID)
			}
		}
	}
	if s.ctx.Err() != nil {
		return nil, s.ctx.Err()
	}
	data := &imap.SearchData{Count: uint32(len(uids))}
	nums := seqs
	if kind == imapserver.NumKindUID {
		nums = uids
		data.All = imap.UIDSet(spans[imap.UIDRange](uids))
	} else {
		data.All = imap.SeqSet(spans[imap.SeqRange](seqs))
	}
	if len(nums) > 0 {
		data.Min, data.Max = nums[0], nums[len(nums)-1]
	}
	if o.ReturnSave {
		sel.searchRes = spans[imap.UIDRange](uids)
	}
	return data, nil
}

// spans makes ranges of ascending numbers.
func spans[R imap.UIDRange | imap.SeqRange](nums []uint32) []R {
	var out []R
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		var r R
		switch p := any(&r).(type) {
		case *imap.UIDRange:
			p.Start, p.Stop = imap.UID(nums[i]), imap.UID(nums[j])
		case *imap.SeqRange:
			p.Start, p.Stop = nums[i], nums[j]
		}
		out = append(out, r)
		i = j + 1
	}
	return out
}

type searchQuery struct {
	s   *imapSession
	sel *selection
	// indexed are, per TEXT key, the copies the full-text index finds
	indexed map[string]map[string]bool
}

// fromIndex answers a TEXT key from the search's full-text index, as
// Dovecot's FTS plugins do: each word the start of a word of the message
// (its people, subject or text), accents and case folded. ok is false
// without an index, or for a key with no word: the messages are read.
func (q *searchQuery) fromIndex(key string) (found map[string]bool, ok bool) {
	if f, done := q.indexed[key]; done {
		return f, f != nil
	}
	if q.indexed == nil {
		q.indexed = map[string]map[string]bool{}
	}
	q.indexed[key] = nil // unless the index answers
	svc := q.s.n.S
	if svc.finder == nil || svc.finder() == nil || !hasWord(key) {
		return nil, false
	}
	ids, err := svc.finder().Find(q.s.ctx, q.s.user, key, searchSource.Kind, 1<<20)
	if err != nil {
		return nil, false
	}
	found = make(map[string]bool, len(ids))
	for _, id := range ids {
		found[id] = true
	}
	q.indexed[key] = found
	return found, true
}

// hasWord reports whether a key holds a letter or a digit: the index
// knows words only.
func hasWord(key string) bool {
	return strings.IndexFunc(key, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// searchDoc is a message being searched, what it takes read once.
type searchDoc struct {
	picked
	seq    uint32
	text   *searchable
	header *textproto.Header
	raw    []byte
}

// needsText reports whether the criteria read more than the rows: a
// header, a body, a date of sending.
func (q *searchQuery) needsText(c *imap.SearchCriteria) bool {
	if len(c.Header) > 0 || len(c.Body) > 0 || !c.SentSince.IsZero() || !c.SentBefore.IsZero() {
		return true
	}
	for _, t := range c.Text {
		if _, ok := q.fromIndex(t); !ok {
			return true
		}
	}
	for i := range c.Not {
		if q.needsText(&c.Not[i]) {
			return true
		}
	}
	for _, or := range c.Or {
		if q.needsText(&or[0]) || q.needsText(&or[1]) {
			return true
		}
	}
	return false
}

func (q *searchQuery) match(c *imap.SearchCriteria, d *searchDoc) bool {
	if q.s.ctx.Err() != nil {
		return false
	}
	for _, set := range c.SeqNum {
		if !inSet(set, d.seq, uint32(len(q.sel.uids))) {
			return false
		}
	}
	for _, set := range c.UID {
		if imap.IsSearchRes(set) {
			set = q.sel.searchRes
		}
		last := uint32(0)
		if n := len(q.sel.uids); n > 0 {
			last = q.sel.uids[n-1]
		}
		if !inSet(set, d.e.UID, last) {
			return false
		}
	}
	if !inDates(d.e.ReceivedAt.In(time.Local), c.Since, c.Before) {
		return false
	}
	bits := bitsOf(d.e)
	for _, f := range c.Flag {
		if !hasFlag(d, bits, f) {
			return false
		}
	}
	for _, f := range c.NotFlag {
		if hasFlag(d, bits, f) {
			return false
		}
	}
	if (c.Larger > 0 && d.e.Size <= c.Larger) || (c.Smaller > 0 && d.e.Size >= c.Smaller) {
		return false
	}
	if !c.SentSince.IsZero() || !c.SentBefore.IsZero() {
		sent := d.e.Date
		if h := q.header(d); h != nil {
			mh := gomail.Header{Header: message.Header{Header: *h}}
			if t, err := mh.Date(); err == nil && !t.IsZero() {
				sent = t
			}
		}
		if !inDates(sent, c.SentSince, c.SentBefore) {
			return false
		}
	}
	for _, hf := range c.Header {
		if !q.headerHas(d, hf.Key, hf.Value) {
			return false
		}
	}
	for _, b := range c.Body {
		if !q.bodyHas(d, b) {
			return false
		}
	}
	for _, t := range c.Text {
		if found, ok := q.fromIndex(t); ok {
			if !found[d.e.CopyID] {
				return false
			}
			continue
		}
		if !q.headerHas(d, "", t) && !q.bodyHas(d, t) {
			return false
		}
	}
	for i := range c.Not {
		if q.match(&c.Not[i], d) {
			return false
		}
	}
	for i := range c.Or {
		if !q.match(&c.Or[i][0], d) && !q.match(&c.Or[i][1], d) {
			return false
		}
	}
	return true
}

// inSet reports whether a number is in a set, "*" standing for last.
func inSet(set imap.NumSet, n, last uint32) bool {
	in := func(start, stop uint32) bool {
		start, stop = star(start, last), star(stop, last)
		return min(start, stop) <= n && n <= max(start, stop)
	}
	switch set := set.(type) {
	case imap.SeqSet:
		return slices.ContainsFunc(set, func(r imap.SeqRange) bool { return in(r.Start, r.Stop) })
	case imap.UIDSet:
		return slices.ContainsFunc(set, func(r imap.UIDRange) bool { return in(uint32(r.Start), uint32(r.Stop)) })
	}
	return false
}

// inDates compares days, whatever the time and zone (RFC 3501, 6.4.4).
func inDates(t, since, before time.Time) bool {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return (since.IsZero() || !day.Before(since)) && (before.IsZero() || day.Before(before))
}

func hasFlag(d *searchDoc, bits flagBits, f imap.Flag) bool {
	if bit, ok := systemFlags[strings.ToLower(string(f))]; ok {
		return bits&bit != 0
	}
	return hasKeyword(d.e.Keywords, string(f)) // \Recent is never set: no message is new to one session only
}

// header parses a message's header: from the start of the message its
// row keeps, or from the message when it is longer.
func (q *searchQuery) header(d *searchDoc) *textproto.Header {
	if d.header != nil {
		return d.header
	}
	h := textproto.Header{}
	d.header = &h
	var r io.Reader
	if d.text != nil && d.text.Head != nil {
		head := d.text.Head
		if end := headerEnd(head); end >= 0 {
			r = bytes.NewReader(head[:end])
		} else if len(head) < headLimit { // all header, no body
			r = io.MultiReader(bytes.NewReader(head), strings.NewReader("\r\n\r\n"))
		}
	}
	if r == nil {
		rc, err := q.s.n.S.raw(q.s.ctx, d.e.MessageID)
		if err != nil {
			return d.header // its file is not here yet: nothing found in it
		}
		defer rc.Close()
		r = rc
	}
	if parsed, err := textproto.ReadHeader(bufio.NewReader(r)); err == nil {
		*d.header = parsed
	}
	return d.header
}

// headerEnd is the length of the header and the blank line after it, or
// -1 when there is none.
func headerEnd(b []byte) int {
	crlf, lf := bytes.Index(b, []byte("\r\n\r\n")), bytes.Index(b, []byte("\n\n"))
	switch {
	case crlf >= 0 && (lf < 0 || crlf < lf):
		return crlf + 4
	case lf >= 0:
		return lf + 2
	}
	return -1
}

// headerHas reports whether a header field (any, when key is "") holds
// value, as written or decoded, whatever the case; an empty value asks
// only for the field.
func (q *searchQuery) headerHas(d *searchDoc, key, value string) bool {
	value = strings.ToLower(value)
	if strings.EqualFold(key, "Subject") && value != "" && strings.Contains(strings.ToLower(d.e.Subject), value) {
		return true // the row has it decoded
	}
	h := message.Header{Header: *q.header(d)}
	var fields message.HeaderFields
	if key == "" {
		fields = h.Fields()
	} else {
		fields = h.FieldsByKey(key)
	}
	for fields.Next() {
		if value == "" {
			return true
		}
		decoded, err := fields.Text()
		if strings.Contains(strings.ToLower(fields.Value()), value) || (err == nil && strings.Contains(strings.ToLower(decoded), value)) {
			return true
		}
	}
	return false
}

// bodyHas reports whether the text of a message holds value, whatever the
// case: in the text its row keeps, or, when that is not all of it, in the
// text parts of the message.
func (q *searchQuery) bodyHas(d *searchDoc, value string) bool {
	value = strings.ToLower(value)
	if value == "" {
		return true
	}
	if t := d.text; t != nil {
		if strings.Contains(strings.ToLower(t.Text), value) {
			return true
		}
		if t.Attachments == 0 && t.Text != "" && len(t.Text) < textIndex-utf8Max {
			return false // the row has all the text there is
		}
	}
	if d.raw == nil {
		raw, err := q.s.n.S.rawBytes(q.s.ctx, d.e.MessageID)
		if err != nil {
			return false
		}
		d.raw = raw
	}
	e, _ := message.Read(bytes.NewReader(d.raw))
	return e != nil && entityHas(e, value, 0)
}

// utf8Max is the most bytes a character takes.
const utf8Max = 4

// entityHas looks for value (lower case) in the text parts of a message,
// and in the messages it forwards, header and text.
func entityHas(e *message.Entity, value string, depth int) bool {
	if depth > 8 {
		return false
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if err != nil {
				return false
			}
			if entityHas(p, value, depth+1) {
				return true
			}
		}
	}
	t, _, _ := e.Header.ContentType()
	switch {
	case t == "message/rfc822" || t == "message/global":
		inner, _ := message.Read(e.Body)
		if inner == nil {
			return false
		}
		for f := inner.Header.Fields(); f.Next(); {
			if v, err := f.Text(); err == nil && strings.Contains(strings.ToLower(v), value) {
				return true
			}
		}
		return entityHas(inner, value, depth+1)
	case t == "" || strings.HasPrefix(t, "text/"):
		body, _ := io.ReadAll(e.Body)
		return bytes.Contains(bytes.ToLower(body), []byte(value))
	}
	return false
}
