package mail

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"preau/appliance/apperr"
	"preau/appliance/i18n"
)

// What IMAP commands do to the messages of the selected folder, and APPEND.

// picked is a message a command names: its index in the selection
// (sequence number - 1) and its copy as the store has it now.
type picked struct {
	i int
	e *Entry
}

// pick finds the messages of a number set the client knows, by index in
// the selection, in order: "*" is the last, "$" the last SEARCH's result
// (SEARCHRES); numbers beyond what the client knows name nothing.
func (sel *selection) pick(set imap.NumSet) []int {
	if imap.IsSearchRes(set) {
		set = sel.searchRes
	}
	type span struct{ lo, hi int } // indexes, hi excluded
	var spans []span
	switch set := set.(type) {
	case imap.SeqSet:
		n := uint32(len(sel.uids))
		for _, r := range set {
			lo, hi := star(r.Start, n), star(r.Stop, n)
			if lo > hi {
				lo, hi = hi, lo
			}
			if lo == 0 {
				lo = 1
			}
			if hi > n {
				hi = n
			}
			if lo <= hi {
				spans = append(spans, span{int(lo - 1), int(hi)})
			}
		}
	case imap.UIDSet:
		last := uint32(0)
		if len(sel.uids) > 0 {
			last = sel.uids[len(sel.uids)-1]
		}
		for _, r := range set {
			lo, hi := star(uint32(r.Start), last), star(uint32(r.Stop), last)
			if lo > hi {
				lo, hi = hi, lo
			}
			a := sort.Search(len(sel.uids), func(i int) bool { return sel.uids[i] >= lo })
			b := sort.Search(len(sel.uids), func(i int) bool { return sel.uids[i] > hi })
			if a < b {
				spans = append(spans, span{a, b})
			}
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.lo - b.lo })
	var out []int
	next := 0
	for _, sp := range spans {
		for i := max(sp.lo, next); i < sp.hi; i++ {
			out = append(out, i)
		}
		next = max(next, sp.hi)
	}
	return out
}

// star reads a number of a set, where 0 stands for "*".
func star(n, last uint32) uint32 {
	if n == 0 {
		return last
	}
	return n
}

// load reads the copies of the messages a set names, as the store has them
// now; a message gone since the client was told is left out.
func (s *imapSession) load(set imap.NumSet) ([]picked, error) {
	sel := s.sel
	idx := sel.pick(set)
	if len(idx) == 0 {
		return nil, nil
	}
	mb, err := s.n.S.Mailbox(s.ctx, s.user, sel.folder)
	if err != nil {
		return nil, err
	}
	if mb.Validity != sel.validity { // the next poll says why
		sel.dirty = true
		return nil, nil
	}
	entries := mb.Entries
	first := sel.uids[idx[0]]
	j := sort.Search(len(entries), func(k int) bool { return entries[k].UID >= first })
	out := make([]picked, 0, len(idx))
	for _, i := range idx {
		uid := sel.uids[i]
		for j < len(entries) && entries[j].UID < uid {
			j++
		}
		if j < len(entries) && entries[j].UID == uid {
			out = append(out, picked{i, entries[j]})
		}
	}
	return out, nil
}

// writable is the selection, refused when it was opened by EXAMINE.
func (s *imapSession) writable() (*selection, error) {
	sel, err := s.selected()
	if err == nil && sel.readOnly {
		return nil, s.refusal(imap.ResponseCodeCannot, i18n.M("mail.imap.read_only"))
	}
	return sel, err
}

// selected is the selection, or the refusal when UIDVALIDITY changed under
// the session and it has none any more.
func (s *imapSession) selected() (*selection, error) {
	if s.sel == nil {
		return nil, &imap.Error{Type: imap.StatusResponseTypeBad, Code: imap.ResponseCodeClientBug, Text: "No mailbox selected"}
	}
	return s.sel, nil
}

func (s *imapSession) Fetch(w *imapserver.FetchWriter, set imap.NumSet, o *imap.FetchOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sel, err := s.selected()
	if err != nil {
		return err
	}
	msgs, err := s.load(set)
	if err != nil {
		return s.fail(err)
	}
	// reading a body marks it read, but for BODY.PEEK and in EXAMINE
	marked := map[uint32]bool{}
	if !sel.readOnly && (slices.ContainsFunc(o.BodySection, func(b *imap.FetchItemBodySection) bool { return !b.Peek }) ||
		slices.ContainsFunc(o.BinarySection, func(b *imap.FetchItemBinarySection) bool { return !b.Peek })) {
		var unseen []string
		for _, m := range msgs {
			if !m.e.Seen {
				unseen = append(unseen, m.e.CopyID)
				marked[m.e.UID] = true
			}
		}
		if len(unseen) > 0 {
			if err := s.n.S.SetFlags(s.ctx, s.user, unseen, Flags{Seen: ptr(true)}); err != nil {
				return s.fail(err)
			}
			if msgs, err = s.load(set); err != nil {
				return s.fail(err)
			}
		}
	}
	needBody := len(o.BodySection) > 0 || len(o.BinarySection) > 0 || len(o.BinarySectionSize) > 0
	var unavailable error
	for _, m := range msgs {
		var raw []byte
		known := s.n.facts.get(m.e.MessageID)
		if needBody || (o.Envelope && known.envelope == nil) || (o.BodyStructure != nil && known.structure == nil) {
			if raw, err = s.n.S.rawBytes(s.ctx, m.e.MessageID); errors.Is(err, apperr.ErrUnavailable) {
				unavailable = err // its file comes with the next sync: the others are read all the same
				continue
			} else if err != nil {
				return s.fail(err)
			}
		}
		r := w.CreateMessage(uint32(m.i + 1))
		r.WriteUID(imap.UID(m.e.UID))
		if o.Flags || marked[m.e.UID] {
			r.WriteFlags(imapFlags(m.e))
			sel.marks[m.i] = mark(m.e)
		}
		if o.InternalDate {
			r.WriteInternalDate(m.e.ReceivedAt.In(time.Local))
		}
		if o.RFC822Size {
			r.WriteRFC822Size(m.e.Size)
		}
		if o.Envelope && known.envelope == nil {
			known.envelope = envelopeOf(raw)
			s.n.facts.put(m.e.MessageID, facts{envelope: known.envelope})
		}
		if o.BodyStructure != nil && known.structure == nil {
			known.structure = bodyStructureOf(raw)
			s.n.facts.put(m.e.MessageID, facts{structure: known.structure})
		}
		if o.Envelope {
			r.WriteEnvelope(known.envelope)
		}
		if o.BodyStructure != nil {
			r.WriteBodyStructure(known.structure)
		}
		for _, bs := range o.BodySection {
			data := imapserver.ExtractBodySection(bytes.NewReader(raw), bs)
			if err := writeSection(r.WriteBodySection(bs, int64(len(data))), data); err != nil {
				return err
			}
		}
		for _, bs := range o.BinarySection {
			data := imapserver.ExtractBinarySection(bytes.NewReader(raw), bs)
			if err := writeSection(r.WriteBinarySection(bs, int64(len(data))), data); err != nil {
				return err
			}
		}
		for _, bs := range o.BinarySectionSize {
			r.WriteBinarySectionSize(bs, imapserver.ExtractBinarySectionSize(bytes.NewReader(raw), bs))
		}
		if err := r.Close(); err != nil {
			return err
		}
	}
	return s.fail(unavailable)
}

func writeSection(wc io.WriteCloser, data []byte) error {
	_, err := wc.Write(data)
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	return err
}

// envelopeOf is a message's ENVELOPE, read from its header.
func envelopeOf(raw []byte) *imap.Envelope {
	h, _ := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	return imapserver.ExtractEnvelope(h)
}

// bodyStructureOf is a message's BODYSTRUCTURE, mended where the message
// is not: a part of no type is text/plain (RFC 2045, 5.2), a multipart of
// no part has an empty one, since IMAP cannot say an empty multipart.
func bodyStructureOf(raw []byte) imap.BodyStructure {
	bs := mendStructure(imapserver.ExtractBodyStructure(bytes.NewReader(raw)))
	if one, ok := bs.(*imap.BodyStructureSinglePart); ok && one.Text != nil && one.Text.NumLines == 0 {
		body := raw
		if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
			body = raw[i+4:]
		} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
			body = raw[i+2:]
		}
		one.Text.NumLines = int64(bytes.Count(body, []byte("\n")))
	}
	return bs
}

func mendStructure(bs imap.BodyStructure) imap.BodyStructure {
	switch b := bs.(type) {
	case *imap.BodyStructureMultiPart:
		if b.Subtype == "" {
			b.Subtype = "mixed"
		}
		if len(b.Children) == 0 {
			b.Children = []imap.BodyStructure{&imap.BodyStructureSinglePart{Type: "text", Subtype: "plain",
				Text: &imap.BodyStructureText{}, Extended: &imap.BodyStructureSinglePartExt{}}}
		}
		for i, c := range b.Children {
			b.Children[i] = mendStructure(c)
		}
		if b.Extended == nil {
			b.Extended = &imap.BodyStructureMultiPartExt{}
		}
	case *imap.BodyStructureSinglePart:
		if b.Type == "" || b.Subtype == "" {
			b.Type, b.Subtype = "text", "plain"
			if b.Params == nil {
				b.Params = map[string]string{"charset": "us-ascii"}
			}
		}
		if strings.EqualFold(b.Type, "text") && b.Text == nil {
			b.Text = &imap.BodyStructureText{}
		}
		if b.MessageRFC822 != nil {
			b.MessageRFC822.BodyStructure = mendStructure(b.MessageRFC822.BodyStructure)
		}
		if b.Extended == nil {
			b.Extended = &imap.BodyStructureSinglePartExt{}
		}
	case nil:
		return mendStructure(&imap.BodyStructureSinglePart{})
	}
	return bs
}

// Flags as STORE and APPEND say them

// flagBits are a copy's system flags.
type flagBits uint8

const (
	bitSeen flagBits = 1 << iota
	bitAnswered
	bitFlagged
	bitDeleted
	bitDraft
)

var systemFlags = map[string]flagBits{`\seen`: bitSeen, `\answered`: bitAnswered, `\flagged`: bitFlagged, `\deleted`: bitDeleted, `\draft`: bitDraft}

func bitsOf(e *Entry) flagBits {
	var b flagBits
	if e.Seen {
		b |= bitSeen
	}
	if e.Answered {
		b |= bitAnswered
	}
	if e.Flagged {
		b |= bitFlagged
	}
	if e.Removed {
		b |= bitDeleted
	}
	if e.Draft {
		b |= bitDraft
	}
	return b
}

// readFlags reads the flags a client gives: the system ones as bits, the
// keywords once each whatever their case. \Recent and unknown system
// flags are left out.
func readFlags(flags []imap.Flag) (flagBits, []string) {
	var bits flagBits
	var keywords []string
	for _, f := range flags {
		name := string(f)
		if strings.HasPrefix(name, `\`) {
			bits |= systemFlags[strings.ToLower(name)]
		} else if validKeyword(name) && !hasKeyword(keywords, name) {
			keywords = append(keywords, name)
		}
	}
	return bits, keywords
}

func hasKeyword(list []string, k string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, k) })
}

// set is the change of Flags that gives the bits of mask their value in b.
func (b flagBits) set(mask flagBits) Flags {
	var f Flags
	for bit, field := range map[flagBits]**bool{bitSeen: &f.Seen, bitAnswered: &f.Answered, bitFlagged: &f.Flagged, bitDeleted: &f.Removed, bitDraft: &f.Draft} {
		if mask&bit != 0 {
			*field = ptr(b&bit != 0)
		}
	}
	return f
}

func (s *imapSession) Store(w *imapserver.FetchWriter, set imap.NumSet, sf *imap.StoreFlags, _ *imap.StoreOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sel, err := s.writable()
	if err != nil {
		return err
	}
	msgs, err := s.load(set)
	if err != nil {
		return s.fail(err)
	}
	bits, keywords := readFlags(sf.Flags)
	mask := bits
	if sf.Op == imap.StoreFlagsSet {
		mask = bitSeen | bitAnswered | bitFlagged | bitDeleted | bitDraft
	}
	withKeywords := sf.Op == imap.StoreFlagsSet || len(keywords) > 0
	// the copies whose flags change, by the change: usually one
	type change struct {
		f   Flags
		ids []string
	}
	changes := map[string]*change{}
	for _, m := range msgs {
		old := bitsOf(m.e)
		now, kw := old, m.e.Keywords
		switch sf.Op {
		case imap.StoreFlagsSet:
			now, kw = bits, keywords
		case imap.StoreFlagsAdd:
			now |= bits
			kw = slices.Clone(kw)
			for _, k := range keywords {
				if !hasKeyword(kw, k) {
					kw = append(kw, k)
				}
			}
		case imap.StoreFlagsDel:
			now &^= bits
			kw = slices.DeleteFunc(slices.Clone(kw), func(x string) bool { return hasKeyword(keywords, x) })
		}
		if len(kw) > maxKeywords {
			return s.refusal(imap.ResponseCodeLimit, i18n.M("mail.imap.keywords", "Max", maxKeywords))
		}
		if now == old && slices.Equal(kw, m.e.Keywords) {
			continue
		}
		key := ""
		f := now.set(mask)
		if withKeywords {
			key = strings.Join(kw, " ")
			f.Keywords = ptr(slices.Clone(kw))
		}
		c := changes[key]
		if c == nil {
			c = &change{f: f}
			changes[key] = c
		}
		c.ids = append(c.ids, m.e.CopyID)
	}
	for _, c := range changes {
		if err := s.n.S.SetFlags(s.ctx, s.user, c.ids, c.f); err != nil {
			return s.fail(err)
		}
	}
	if len(changes) > 0 {
		if msgs, err = s.load(set); err != nil {
			return s.fail(err)
		}
	}
	for _, m := range msgs {
		sel.marks[m.i] = mark(m.e)
		if sf.Silent {
			continue
		}
		r := w.CreateMessage(uint32(m.i + 1))
		r.WriteUID(imap.UID(m.e.UID))
		r.WriteFlags(imapFlags(m.e))
		if err := r.Close(); err != nil {
			return err
		}
	}
	return nil
}

// destination is the folder COPY, MOVE or APPEND puts messages in; one that
// does not exist is a NO the client may answer with CREATE (TRYCREATE).
func (s *imapSession) destination(name string) (Folder, error) {
	f, err := s.n.S.FolderByIMAP(s.ctx, s.user, name)
	if errors.Is(err, apperr.ErrNotFound) {
		return f, s.refusal(imap.ResponseCodeTryCreate, i18n.M("mail.err.no_folder"))
	}
	return f, s.fail(err)
}

func (s *imapSession) Copy(set imap.NumSet, dest string) (*imap.CopyData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sel, err := s.selected()
	if err != nil {
		return nil, err
	}
	f, err := s.destination(dest)
	if err != nil {
		return nil, err
	}
	msgs, err := s.load(set)
	if err != nil || len(msgs) == 0 {
		return nil, s.fail(err)
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.e.CopyID
	}
	made, err := s.n.S.CopyTo(s.ctx, s.user, ids, f.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	var from []uint32
	var copies []string
	for i, id := range made {
		if id != "" {
			from, copies = append(from, msgs[i].e.UID), append(copies, id)
		}
	}
	if len(copies) == 0 {
		return nil, nil
	}
	validity, uids, err := s.n.S.arrivedUIDs(s.ctx, s.user, f.ID, copies)
	if err != nil {
		return nil, s.fail(err)
	}
	if f.ID == sel.folder {
		sel.dirty = true
	}
	return &imap.CopyData{UIDValidity: validity, SourceUIDs: uidSet(from), DestUIDs: uidSet(uids)}, nil
}

// uidSet is a set of UIDs in the order given: COPYUID pairs two of them
// UID by UID.
func uidSet(uids []uint32) imap.UIDSet { return spans[imap.UIDRange](uids) }

func (s *imapSession) Move(w *imapserver.MoveWriter, set imap.NumSet, dest string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sel, err := s.writable()
	if err != nil {
		return err
	}
	f, err := s.destination(dest)
	if err != nil {
		return err
	}
	if f.ID == sel.folder {
		return s.refusal(imap.ResponseCodeCannot, i18n.M("mail.imap.same_folder"))
	}
	msgs, err := s.load(set)
	if err != nil || len(msgs) == 0 {
		return s.fail(err)
	}
	ids := make([]string, len(msgs))
	from := make([]uint32, len(msgs))
	for i, m := range msgs {
		ids[i], from[i] = m.e.CopyID, m.e.UID
	}
	if err := s.n.S.Move(s.ctx, s.user, ids, f.ID); err != nil {
		return s.fail(err)
	}
	validity, uids, err := s.n.S.arrivedUIDs(s.ctx, s.user, f.ID, ids)
	if err != nil {
		return s.fail(err)
	}
	if err := w.WriteCopyData(&imap.CopyData{UIDValidity: validity, SourceUIDs: uidSet(from), DestUIDs: uidSet(uids)}); err != nil {
		return err
	}
	return s.sync(w.WriteExpunge, nil)
}

func (s *imapSession) Expunge(w *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sel, err := s.selected()
	if err != nil {
		return err
	}
	if sel.readOnly { // EXAMINE changes nothing, and CLOSE closes it quietly
		return nil
	}
	var set imap.NumSet = imap.SeqSet{{Start: 1, Stop: 0}}
	if uids != nil {
		set = *uids
	}
	msgs, err := s.load(set)
	if err != nil {
		return s.fail(err)
	}
	var ids []string
	for _, m := range msgs {
		if m.e.Removed {
			ids = append(ids, m.e.CopyID)
		}
	}
	if err := s.n.S.Expunge(s.ctx, s.user, ids); err != nil {
		return s.fail(err)
	}
	return s.sync(w.WriteExpunge, nil)
}

func (s *imapSession) Append(mailbox string, lit imap.LiteralReader, o *imap.AppendOptions) (*imap.AppendData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.destination(mailbox)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(lit, s.n.S.MaxSize()+1))
	if err != nil {
		return nil, err
	}
	if f.ID == Sent { // a mail client files what it sent after the server did: one copy is enough
		if data, ok := s.alreadySent(raw); ok {
			return data, nil
		}
	}
	bits, keywords := readFlags(o.Flags)
	if len(keywords) > maxKeywords {
		return nil, s.refusal(imap.ResponseCodeLimit, i18n.M("mail.imap.keywords", "Max", maxKeywords))
	}
	flags := bits.set(bitSeen | bitAnswered | bitFlagged | bitDraft)
	flags.Keywords = &keywords
	id, err := s.n.S.Append(s.ctx, s.user, f.ID, raw, flags, o.Time, "")
	if errors.Is(err, apperr.ErrInvalid) { // a message that does not parse: nothing is written
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeParse, Text: i18n.ErrorText(err, s.lang)}
	} else if err != nil {
		return nil, s.fail(err)
	}
	if bits&bitDeleted != 0 {
		if err := s.n.S.SetFlags(s.ctx, s.user, []string{id}, Flags{Removed: ptr(true)}); err != nil {
			return nil, s.fail(err)
		}
	}
	validity, uid, err := s.n.S.uidOf(s.ctx, s.user, f.ID, id)
	if err != nil {
		return nil, s.fail(err)
	}
	if s.sel != nil && s.sel.folder == f.ID {
		s.sel.dirty = true
	}
	return &imap.AppendData{UID: imap.UID(uid), UIDValidity: validity}, nil
}

// alreadySent answers an APPEND to Envoyés of a message its sender sent
// through the server, which kept it there: with the copy it kept.
func (s *imapSession) alreadySent(raw []byte) (*imap.AppendData, bool) {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, false
	}
	mh := gomail.Header{Header: message.Header{Header: h}}
	id, err := mh.MessageID()
	if err != nil || id == "" {
		return nil, false
	}
	copyID, ok := s.n.S.sentCopy(s.ctx, s.user, id)
	if !ok {
		return nil, false
	}
	validity, uid, err := s.n.S.uidOf(s.ctx, s.user, Sent, copyID)
	if err != nil || uid == 0 {
		return nil, false
	}
	if s.sel != nil && s.sel.folder == Sent {
		s.sel.dirty = true
	}
	return &imap.AppendData{UID: imap.UID(uid), UIDValidity: validity}, true
}
