package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/i18n"
)

// An IMAP session: who signed in, and the folder they selected. It holds
// no message: every command reads the person's copies through the
// Service (its folders' index, and the store), which only ever gives a
// person their own.

// imapSession is one client's connection. imapserver calls its methods one
// at a time, but for IDLE, which runs beside the next command's reading:
// mu keeps the two apart.
type imapSession struct {
	n      *Node
	conn   *imapserver.Conn
	ctx    context.Context
	cancel context.CancelFunc
	done   func()

	mu      sync.Mutex
	user    auth.User // zero until LOGIN
	lang    i18n.Lang
	checked time.Time // when the account was last found enabled
	sel     *selection
}

// selection is the selected folder as the client knows it: the UID of each
// message by sequence number, and a digest of each one's state as last
// told, to tell it what changed since. Eight bytes a message: an idle
// client costs little, whatever its folder holds.
type selection struct {
	folder    string // its id
	readOnly  bool   // EXAMINE
	validity  uint32
	uids      []uint32 // by sequence number, from 1
	marks     []uint32 // mark of each, as last told
	dirty     bool     // the folder may have changed since it was last read
	searchRes imap.UIDSet
	watch     <-chan struct{}
	unwatch   func()
}

// mark is a digest of a copy's clock, which moves with every change of its
// flags: two marks differ when the client has flags to learn.
func mark(e *Entry) uint32 { return uint32(e.HLC) ^ uint32(e.HLC>>32) }

func (n *Node) newIMAPSession(ctx context.Context, c *imapserver.Conn, done func()) *imapSession {
	ctx, cancel := context.WithCancel(ctx)
	var once sync.Once
	return &imapSession{n: n, conn: c, ctx: ctx, cancel: cancel, done: func() { once.Do(done) }, lang: i18n.FR}
}

var _ imapserver.SessionIMAP4rev2 = (*imapSession)(nil)
var _ imapserver.SessionAppendLimit = (*imapSession)(nil)

func (s *imapSession) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unselect()
	s.cancel()
	s.done()
	return nil
}

// remoteIP is the client's address, for the login throttle and the logs.
// secure reports whether a password may come over this connection: TLS,
// or a client mail.allow_plain_auth trusts.
func (s *imapSession) secure() bool {
	c := s.conn.NetConn()
	if _, ok := c.(*tls.Conn); ok {
		return true
	}
	return s.n.plainAuth(c.RemoteAddr())
}

func (s *imapSession) Login(username, password string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.secure() {
		return s.refusal(imap.ResponseCodePrivacyRequired, i18n.M("mail.imap.privacy"))
	}
	login, ip := strings.TrimSpace(username), hostOf(s.conn.NetConn().RemoteAddr())
	u, err := s.n.signIn(s.ctx, username, password, s.conn.NetConn().RemoteAddr())
	var throttled *auth.ThrottledError
	switch {
	case err == nil:
	case errors.As(err, &throttled):
		s.n.log.Warn("imap: login throttled", "login", login, "ip", ip)
		return &imap.Error{Type: imap.StatusResponseTypeNo, Text: i18n.ErrorText(err, s.lang)}
	case errors.Is(err, auth.ErrDisabled):
		s.n.log.Warn("imap: login of a disabled account", "login", login, "ip", ip)
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeContactAdmin, Text: i18n.ErrorText(err, s.lang)}
	case errors.Is(err, auth.ErrBadCredentials):
		s.n.log.Info("imap: login refused", "login", login, "ip", ip)
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: i18n.ErrorText(err, s.lang)}
	default:
		return err
	}
	s.user, s.checked = u, time.Now()
	if l, ok := i18n.Parse(u.Language); ok {
		s.lang = l
	}
	s.n.log.Info("imap: signed in", "login", u.Login, "ip", ip)
	return nil
}

// stillEnabled ends the session of an account disabled since it signed in;
// a long IDLE checks it every few minutes.
func (s *imapSession) stillEnabled() error {
	if time.Since(s.checked) < 5*time.Minute {
		return nil
	}
	u, err := s.n.S.auth.User(s.ctx, s.user.ID)
	if err == nil && u.Disabled {
		err = auth.ErrDisabled
	}
	if errors.Is(err, auth.ErrDisabled) || errors.Is(err, apperr.ErrNotFound) {
		s.n.log.Info("imap: session of a disabled account ended", "login", s.user.Login)
		s.conn.Bye(i18n.ErrorText(auth.ErrDisabled, s.lang))
		return err
	}
	if err == nil {
		s.checked = time.Now()
	}
	return err
}

// refusal is a NO with a code and a sentence in the reader's language.
func (s *imapSession) refusal(code imap.ResponseCode, m i18n.Message) *imap.Error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: code, Text: m.In(s.lang)}
}

// fail says a Service error to the client: a NO with the code of its kind
// and its sentence; an error of no kind is the server's, and logged.
func (s *imapSession) fail(err error) error {
	var ie *imap.Error
	if err == nil || errors.As(err, &ie) {
		return err
	}
	var code imap.ResponseCode
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		code = imap.ResponseCodeNonExistent
	case errors.Is(err, apperr.ErrConflict):
		code = imap.ResponseCodeAlreadyExists
	case errors.Is(err, apperr.ErrForbidden):
		code = imap.ResponseCodeCannot
	case errors.Is(err, apperr.ErrTooLarge):
		code = imap.ResponseCodeTooBig
	case errors.Is(err, apperr.ErrInvalid):
		code = imap.ResponseCodeCannot
	case errors.Is(err, apperr.ErrUnavailable):
		code = imap.ResponseCodeUnavailable
	default:
		if s.ctx.Err() == nil {
			s.n.log.Error("imap: command failed", "login", s.user.Login, "err", err)
		}
		return err
	}
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: code, Text: i18n.ErrorText(err, s.lang)}
}

// folder finds one of the person's folders by its IMAP name.
func (s *imapSession) folder(name string) (Folder, error) {
	f, err := s.n.S.FolderByIMAP(s.ctx, s.user, name)
	return f, s.fail(err)
}

func (s *imapSession) AppendLimit() uint32 { return s.n.appendLimit() }

func (s *imapSession) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{Personal: []imap.NamespaceDescriptor{{Delim: imapDelim}}}, nil
}

// imapDelim separates the levels of folders' names.
const imapDelim = '/'

// Folders

func (s *imapSession) Create(name string, options *imap.CreateOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	name = strings.TrimRight(name, string(imapDelim))
	if _, err := s.n.S.FolderByIMAP(s.ctx, s.user, name); err == nil {
		return s.refusal(imap.ResponseCodeAlreadyExists, i18n.M("mail.err.folder_exists", "Name", name))
	}
	// the levels above it are folders too (RFC 3501, 6.3.3)
	parts := strings.Split(name, string(imapDelim))
	for i := range parts {
		level := strings.Join(parts[:i+1], string(imapDelim))
		if _, err := s.n.S.FolderByIMAP(s.ctx, s.user, level); err == nil {
			continue
		}
		if _, err := s.n.S.CreateFolder(s.ctx, s.user, level); err != nil {
			return s.fail(err)
		}
	}
	return nil
}

func (s *imapSession) Delete(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.folder(name)
	if err != nil {
		return err
	}
	// its messages go to the Corbeille; the folders under it stay
	return s.fail(s.n.S.DeleteFolder(s.ctx, s.user, f.ID))
}

func (s *imapSession) Rename(name, newName string, options *imap.RenameOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	folders, err := s.n.S.Folders(s.ctx, s.user)
	if err != nil {
		return s.fail(err)
	}
	newName = strings.TrimRight(newName, string(imapDelim))
	renames := map[string]string{}
	for _, f := range folders {
		if f.IMAP == name || (f.ID == Inbox && strings.EqualFold(name, "INBOX")) {
			if f.Special {
				return s.refusal(imap.ResponseCodeCannot, i18n.M("mail.err.special_folder"))
			}
			renames[f.ID] = newName
		} else if rest, ok := strings.CutPrefix(f.IMAP, name+string(imapDelim)); ok && !f.Special {
			renames[f.ID] = newName + string(imapDelim) + rest
		}
	}
	if len(renames) == 0 {
		return s.refusal(imap.ResponseCodeNonExistent, i18n.M("mail.err.no_folder"))
	}
	return s.fail(s.n.S.RenameFolders(s.ctx, s.user, renames))
}

// Subscriptions are kept with the person's own folders, so that every
// client and node lists the same; the special folders always are.

func (s *imapSession) Subscribe(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.folder(name)
	if err != nil {
		return err
	}
	return s.fail(s.n.S.Subscribe(s.ctx, s.user, f.ID, true))
}

func (s *imapSession) Unsubscribe(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.n.S.FolderByIMAP(s.ctx, s.user, name)
	if err != nil {
		return nil // gone already, as clients unsubscribe after DELETE
	}
	return s.fail(s.n.S.Subscribe(s.ctx, s.user, f.ID, false))
}

// listed is a folder as LIST names it; a level above folders that is no
// folder itself has no id.
type listed struct {
	Folder
	children bool
}

// listing is every name LIST may give: the person's folders and the levels
// above them that are none, the special folders first, then by name.
func (s *imapSession) listing() ([]listed, error) {
	folders, err := s.n.S.Folders(s.ctx, s.user)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, f := range folders {
		names[f.IMAP] = true
	}
	var out []listed
	var own []listed
	for _, f := range folders {
		if f.Special {
			out = append(out, listed{Folder: f})
			continue
		}
		own = append(own, listed{Folder: f})
		for i := 0; i < len(f.IMAP); i++ {
			if parent := f.IMAP[:i]; f.IMAP[i] == imapDelim && !names[parent] {
				names[parent] = true
				own = append(own, listed{Folder: Folder{IMAP: parent}})
			}
		}
	}
	slices.SortFunc(own, func(a, b listed) int { return strings.Compare(a.IMAP, b.IMAP) })
	out = append(out, own...)
	for i := range out {
		prefix := out[i].IMAP + string(imapDelim)
		out[i].children = slices.ContainsFunc(out, func(o listed) bool { return strings.HasPrefix(o.IMAP, prefix) })
	}
	return out, nil
}

func (s *imapSession) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(patterns) == 0 { // LIST "" "": the delimiter
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: imapDelim})
	}
	all, err := s.listing()
	if err != nil {
		return s.fail(err)
	}
	for _, f := range all {
		if !slices.ContainsFunc(patterns, func(p string) bool { return listMatch(f.IMAP, f.ID == Inbox, ref, p) }) {
			continue
		}
		if (options.SelectSpecialUse && f.Use == "") || (options.SelectSubscribed && !f.Subscribed) {
			continue
		}
		data := imap.ListData{Mailbox: f.IMAP, Delim: imapDelim}
		if f.ID == "" {
			data.Attrs = append(data.Attrs, imap.MailboxAttrNoSelect)
		} else if f.Subscribed && (options.ReturnSubscribed || options.SelectSubscribed) {
			data.Attrs = append(data.Attrs, imap.MailboxAttrSubscribed)
		}
		if f.children {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasChildren)
		} else {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasNoChildren)
		}
		// special-use attributes always: clients that know no LIST-EXTENDED read them too
		if f.Use != "" {
			data.Attrs = append(data.Attrs, imap.MailboxAttr(f.Use))
		}
		if options.ReturnStatus != nil && f.ID != "" {
			if data.Status, err = s.status(f.Folder, options.ReturnStatus); err != nil {
				return s.fail(err)
			}
		}
		if err := w.WriteList(&data); err != nil {
			return err
		}
	}
	return nil
}

// listMatch reports whether LIST's reference and pattern name a folder: *
// stands for any characters, % for any but the delimiter. INBOX matches in
// any case.
func listMatch(name string, inbox bool, ref, pattern string) bool {
	delim := string(imapDelim)
	if p, ok := strings.CutPrefix(pattern, delim); ok {
		pattern = p
	} else if ref != "" {
		pattern = strings.TrimSuffix(ref, delim) + delim + pattern
	}
	if inbox && globMatch(name, strings.ToUpper(pattern)) {
		return true
	}
	return globMatch(name, pattern)
}

// globMatch matches a name against a LIST pattern in time proportional to
// their lengths' product, whatever the wildcards.
func globMatch(name, pattern string) bool {
	var p []byte // the pattern, each run of wildcards made one
	literals := 0
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c == '*' || c == '%' {
			if n := len(p); n > 0 && (p[n-1] == '*' || p[n-1] == '%') {
				if c == '*' {
					p[n-1] = '*'
				}
				continue
			}
		} else {
			literals++
		}
		p = append(p, c)
	}
	if literals > len(name) {
		return false
	}
	// ok[j]: the pattern read so far matches the name's first j bytes
	ok, next := make([]bool, len(name)+1), make([]bool, len(name)+1)
	ok[0] = true
	for _, c := range p {
		reach := false
		for j := 0; j <= len(name); j++ {
			switch c {
			case '*', '%':
				if c == '%' && j > 0 && name[j-1] == imapDelim {
					reach = false
				}
				reach = reach || ok[j]
				next[j] = reach
			default:
				next[j] = j > 0 && ok[j-1] && name[j-1] == c
			}
		}
		ok, next = next, ok
	}
	return ok[len(name)]
}

func (s *imapSession) Status(name string, options *imap.StatusOptions) (*imap.StatusData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.folder(name)
	if err != nil {
		return nil, err
	}
	data, err := s.status(f, options)
	return data, s.fail(err)
}

// status counts what STATUS (or LIST … RETURN (STATUS …)) asks of a
// folder; it gives a UID to what has none yet, so that UIDNEXT is true.
func (s *imapSession) status(f Folder, options *imap.StatusOptions) (*imap.StatusData, error) {
	mb, err := s.n.S.Mailbox(s.ctx, s.user, f.ID)
	if err != nil {
		return nil, err
	}
	var unseen, deleted uint32
	var size, deletedSize int64
	for _, e := range mb.Entries {
		size += e.Size
		if !e.Seen {
			unseen++
		}
		if e.Removed {
			deleted++
			deletedSize += e.Size
		}
	}
	count := uint32(len(mb.Entries))
	limit := s.n.appendLimit()
	recent := uint32(0)
	data := &imap.StatusData{Mailbox: f.IMAP, UIDNext: imap.UID(mb.NextUID), UIDValidity: mb.Validity}
	if options.NumMessages {
		data.NumMessages = &count
	}
	if options.NumUnseen {
		data.NumUnseen = &unseen
	}
	if options.NumDeleted {
		data.NumDeleted = &deleted
	}
	if options.Size {
		data.Size = &size
	}
	if options.DeletedStorage {
		data.DeletedStorage = &deletedSize
	}
	if options.AppendLimit {
		data.AppendLimit = &limit
	}
	if options.NumRecent {
		data.NumRecent = &recent
	}
	return data, nil
}

// The selected folder

func (s *imapSession) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unselect()
	f, err := s.folder(name)
	if err != nil {
		return nil, err
	}
	// watch first: a change while the folder is read is not missed
	watch, unwatch := s.n.S.Watch(s.user.ID)
	mb, err := s.n.S.Mailbox(s.ctx, s.user, f.ID)
	if err != nil {
		unwatch()
		return nil, s.fail(err)
	}
	sel := &selection{folder: f.ID, readOnly: options.ReadOnly, validity: mb.Validity, watch: watch, unwatch: unwatch,
		uids: make([]uint32, len(mb.Entries)), marks: make([]uint32, len(mb.Entries))}
	var firstUnseen uint32
	keywords := map[string]bool{}
	for i, e := range mb.Entries {
		sel.uids[i], sel.marks[i] = e.UID, mark(e)
		if !e.Seen && firstUnseen == 0 {
			firstUnseen = uint32(i + 1)
		}
		for _, k := range e.Keywords {
			keywords[k] = true
		}
	}
	s.sel = sel
	flags := []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft}
	for _, k := range slices.Sorted(mapKeys(keywords)) {
		if validKeyword(k) {
			flags = append(flags, imap.Flag(k))
		}
	}
	permanent := []imap.Flag{}
	if !options.ReadOnly {
		permanent = append(slices.Clone(flags), imap.FlagWildcard)
	}
	return &imap.SelectData{Flags: flags, PermanentFlags: permanent, NumMessages: uint32(len(sel.uids)),
		FirstUnseenSeqNum: firstUnseen, UIDNext: imap.UID(mb.NextUID), UIDValidity: mb.Validity}, nil
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (s *imapSession) Unselect() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unselect()
	return nil
}

func (s *imapSession) unselect() {
	if s.sel != nil {
		s.sel.unwatch()
		s.sel = nil
	}
}

func (s *imapSession) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.stillEnabled(); err != nil {
		return err
	}
	return s.poll(w, allowExpunge)
}

func (s *imapSession) poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	if s.sel == nil {
		return nil
	}
	select {
	case <-s.sel.watch:
		s.sel.dirty = true
	default:
	}
	if !s.sel.dirty {
		return nil
	}
	var expunge func(uint32) error
	if allowExpunge {
		expunge = w.WriteExpunge
	}
	return s.sync(expunge, w)
}

func (s *imapSession) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	s.mu.Lock()
	sel := s.sel
	s.mu.Unlock()
	var watch <-chan struct{}
	if sel != nil {
		watch = sel.watch
	}
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		s.mu.Lock()
		err := s.stillEnabled()
		if err == nil && s.sel == sel && sel != nil {
			err = s.poll(w, true)
		}
		s.mu.Unlock()
		if err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		case <-s.ctx.Done():
			return nil
		case <-tick.C:
		case <-watch:
			s.mu.Lock()
			sel.dirty = true
			s.mu.Unlock()
		}
	}
}

// sync reads the selected folder again and tells the client what changed:
// messages gone (with expunge, when it may be told: not during FETCH,
// STORE or SEARCH, which keep sequence numbers still), flags changed and
// messages new (with w). What it may not tell yet stays to tell at the
// next poll.
func (s *imapSession) sync(expunge func(uint32) error, w *imapserver.UpdateWriter) error {
	sel := s.sel
	sel.dirty = false
	mb, err := s.n.S.Mailbox(s.ctx, s.user, sel.folder)
	if err != nil {
		sel.dirty = true
		return s.fail(err)
	}
	if mb.Validity != sel.validity { // restored from a backup: what the client knows no longer holds
		s.n.log.Info("imap: UIDVALIDITY changed under a session", "login", s.user.Login)
		s.unselect()
		s.conn.Bye(i18n.M("mail.imap.validity").In(s.lang))
		return nil
	}
	fresh := mb.Entries
	// the known messages still there, by index in fresh; -1 when gone
	at := make([]int, len(sel.uids))
	j := 0
	gone := 0
	for i, uid := range sel.uids {
		for j < len(fresh) && fresh[j].UID < uid {
			j++ // a copy given a UID below those the client knows, by a read that crossed ours: it waits for the next SELECT
		}
		if j < len(fresh) && fresh[j].UID == uid {
			at[i] = j
			j++
		} else {
			at[i] = -1
			gone++
		}
	}
	if gone > 0 && expunge != nil {
		for i := len(sel.uids) - 1; i >= 0; i-- {
			if at[i] < 0 {
				if err := expunge(uint32(i + 1)); err != nil {
					return err
				}
			}
		}
		keep := 0
		for i := range sel.uids {
			if at[i] >= 0 {
				sel.uids[keep], sel.marks[keep], at[keep] = sel.uids[i], sel.marks[i], at[i]
				keep++
			}
		}
		sel.uids, sel.marks, at = sel.uids[:keep], sel.marks[:keep], at[:keep]
		gone = 0
	}
	if gone > 0 {
		sel.dirty = true
	}
	if w == nil {
		sel.dirty = true // flags and new messages wait for the next poll
		return nil
	}
	for i, k := range at {
		if k < 0 || mark(fresh[k]) == sel.marks[i] {
			continue
		}
		if err := w.WriteMessageFlags(uint32(i+1), imap.UID(sel.uids[i]), imapFlags(fresh[k])); err != nil {
			return err
		}
		sel.marks[i] = mark(fresh[k])
	}
	last := uint32(0)
	if len(sel.uids) > 0 {
		last = sel.uids[len(sel.uids)-1]
	}
	added := false
	for _, e := range fresh {
		if e.UID > last {
			sel.uids = append(sel.uids, e.UID)
			sel.marks = append(sel.marks, mark(e))
			added = true
		}
	}
	if added {
		return w.WriteNumMessages(uint32(len(sel.uids)))
	}
	return nil
}

// imapFlags are a copy's flags as IMAP says them.
func imapFlags(e *Entry) []imap.Flag {
	flags := make([]imap.Flag, 0, 2+len(e.Keywords))
	for _, f := range []struct {
		on   bool
		flag imap.Flag
	}{{e.Seen, imap.FlagSeen}, {e.Answered, imap.FlagAnswered}, {e.Flagged, imap.FlagFlagged}, {e.Removed, imap.FlagDeleted}, {e.Draft, imap.FlagDraft}} {
		if f.on {
			flags = append(flags, f.flag)
		}
	}
	for _, k := range e.Keywords {
		if validKeyword(k) {
			flags = append(flags, imap.Flag(k))
		}
	}
	return flags
}

// validKeyword reports whether a keyword can be written as an IMAP atom.
func validKeyword(k string) bool {
	if k == "" || len(k) > maxKeyword {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

// Keywords a message may carry, and their length.
const (
	maxKeywords = 50
	maxKeyword  = 64
)
