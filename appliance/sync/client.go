package sync

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"preau/appliance/i18n"
	"strings"
	gosync "sync"
	"time"

	"preau/appliance/feature"
	"preau/appliance/store"
)

// Client is a school's side of sync: it enrolls once, then pushes its own
// writes to central and pulls what central holds for it, by itself every
// interval, soon after a local write, as soon as central says it holds rows
// for the school (the live request, live.go), and on demand.
type Client struct {
	Lang i18n.Lang // the language of the errors it records (i18n.default_language)

	db      *store.DB
	log     *slog.Logger
	school  string
	version string
	http    *http.Client // no overall timeout: every exchange watches its progress (stall.go)

	stall      time.Duration // sync.stall_timeout
	nowTimeout time.Duration // sync.now_timeout
	cacheMax   int64         // cache.max_size: the city's library's files kept here (cache.go)
	// signatures vouch for the library's files (update's, read when a
	// file comes: it registers before sync); nil returns trust central.
	signatures func() feature.Signatures

	enroll struct{ central, token string } // from the configuration, until enrolled

	mu       gosync.Mutex  // one sync at a time
	trigger  chan struct{} // sync now (enrollment)
	written  chan struct{} // a local write was committed
	wake     chan struct{} // central holds rows for us
	linkBack chan struct{} // central answers again after an outage
	linked   chan struct{} // the school has just enrolled
	blobKick chan struct{}
	state    state
}

// state is what the status reports: the sync in progress and the link.
type state struct {
	mu          gosync.Mutex
	running     bool
	done        int64 // rows moved by the sync in progress
	outLeft     int64 // rows of ours still to send
	inLeft      int64 // rows central said it still holds for us
	cancel      context.CancelCauseFunc
	synced      chan struct{} // closed when a sync ends
	heard       time.Time     // central's last byte, in this process
	down        error         // why the link is down; nil while it is up
	refused     bool          // down because central refused, though it answers
	failed      bool          // the last sync failed, the link up (sync_link.last_error says why)
	live        bool          // the live request is open
	liveWorks   bool          // central answers live requests
	checked     int64         // central said it held nothing for us up to there...
	checkedFor  string        // ...in this epoch of its log
	enrollError string
}

// Defaults of sync.stall_timeout and sync.now_timeout, for a client built
// outside the service (commands, tests).
const (
	defaultStall      = 15 * time.Second
	defaultNowTimeout = 30 * time.Second
	defaultCacheMax   = 5 << 30
)

// NewClient builds the school side for school (the configured school.id).
func NewClient(db *store.DB, log *slog.Logger, school, version string) *Client {
	c := &Client{db: db, log: log, school: school, version: version, cacheMax: defaultCacheMax, trigger: make(chan struct{}, 1),
		written: make(chan struct{}, 1), wake: make(chan struct{}, 1), linkBack: make(chan struct{}, 1),
		linked: make(chan struct{}, 1), blobKick: make(chan struct{}, 1)}
	c.SetTimeouts(defaultStall, defaultNowTimeout)
	c.state.synced = make(chan struct{})
	c.state.liveWorks = true
	db.OnCommit(func() { signal(c.written) })
	return c
}

// SetTimeouts sets sync.stall_timeout and sync.now_timeout.
func (c *Client) SetTimeouts(stall, now time.Duration) {
	c.stall, c.nowTimeout = stall, now
	c.http = &http.Client{Transport: newTransport(stall)}
}

// UseTransport replaces the HTTP transport to central (tests inject faults).
func (c *Client) UseTransport(rt http.RoundTripper) {
	c.http.Transport = rt
}

// Link is a school's enrollment and cursors.
type Link struct {
	CentralURL, SchoolID, NodeKey string
	CentralEpoch                  string
	PullSeq, PushAcked            int64
	PushEpoch                     string
	PendingIn                     int64
	LastSync, LastError           string
}

// ErrNotEnrolled means the school has no link to central yet.
var ErrNotEnrolled = i18n.Error(nil, "sync.err.not_enrolled")

// Link reads the school's link to central.
func (c *Client) Link(ctx context.Context) (Link, error) {
	var l Link
	err := c.db.Reader().QueryRowContext(ctx, `SELECT central_url, school_id, node_key, central_epoch, pull_seq, push_acked,
		push_epoch, pending_in, last_sync, last_error FROM sync_link`).Scan(&l.CentralURL, &l.SchoolID, &l.NodeKey, &l.CentralEpoch,
		&l.PullSeq, &l.PushAcked, &l.PushEpoch, &l.PendingIn, &l.LastSync, &l.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotEnrolled
	}
	return l, err
}

// Enroll exchanges a one-time token with central for this school's node key.
func (c *Client) Enroll(ctx context.Context, centralURL, token string) (Enrollment, error) {
	var e Enrollment
	centralURL = strings.TrimRight(centralURL, "/")
	if _, err := c.Link(ctx); err == nil {
		return e, i18n.Error(nil, "sync.err.already_enrolled")
	}
	req := map[string]string{"token": token, "node": c.db.Node().ID, "version": c.version}
	if err := c.call(ctx, centralURL, "/api/v1/sync/enroll", "", req, &e); err != nil {
		return e, i18n.Error([]error{err}, "sync.err.enroll_failed", "Central", centralURL, "Error", err)
	}
	if e.SchoolID != c.school {
		return e, i18n.Error(nil, "sync.err.wrong_school", "Token", e.SchoolID, "Config", c.school)
	}
	err := c.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO sync_link(central_url, school_id, node_key) VALUES (?, ?, ?)",
			centralURL, e.SchoolID, e.NodeKey)
		return err
	})
	if err == nil {
		c.log.Info("enrolled with central", "central", centralURL, "school", e.SchoolID)
		c.Trigger()
		signal(c.linked)
	}
	return e, err
}

// EnrollWith has Run enroll with central using a one-time token, retrying
// like a sync until it succeeds (central.url and central.enrollment_token).
func (c *Client) EnrollWith(central, token string) {
	c.enroll.central, c.enroll.token = central, token
}

// Trigger asks the running loop for a sync soon.
func (c *Client) Trigger() { signal(c.trigger) }

// maxBackoff bounds the wait between retries while central refuses, or
// while the link is down and central does not answer live requests.
const maxBackoff = 30 * time.Second

// Run syncs every interval, soon after a local write, as soon as central
// holds rows for the school or answers again after an outage, at once
// when asked, until ctx ends. While the link is down it waits for the live
// request's probes to find central again rather than retrying blindly;
// while central refuses, it retries with a growing back-off.
func (c *Client) Run(ctx context.Context, interval time.Duration) {
	go c.runBlobs(ctx, interval)
	go c.runLive(ctx, interval)
	next := time.Now() // when the next sync is due; at once at start-up
	backoff := time.Duration(0)
	for {
		timer := time.NewTimer(max(time.Until(next), 0))
		why := "due"
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-c.trigger:
			timer.Stop()
			why = "asked"
		case <-c.linkBack:
			timer.Stop()
			why = "central answers again"
		case <-c.wake:
			timer.Stop()
			why = "central holds rows for the school"
			if backoff > 0 {
				continue // central refuses: the retry is already planned
			}
		case <-c.written:
			timer.Stop()
			if backoff > 0 || c.awaitingLink() {
				continue // the retry is planned, or central's return will start it
			}
			if !c.settle(ctx) {
				continue
			}
			why = "written here"
		}
		c.log.Debug("sync starts", "why", why)
		// What asked for a sync before this one starts is served by it.
		for _, ch := range []chan struct{}{c.trigger, c.wake, c.linkBack} {
			select {
			case <-ch:
			default:
			}
		}
		err := c.enrollFromConfig(ctx)
		if errors.Is(err, ErrNotEnrolled) {
			next = time.Now().Add(interval)
			continue
		}
		if err == nil {
			_, err = c.SyncOnce(ctx)
		}
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			backoff = 0
			next = time.Now().Add(interval)
			signal(c.blobKick)
		case c.awaitingLink():
			// The live request probes central every second and says when
			// it answers again (linkBack).
			backoff = maxBackoff
			next = time.Now().Add(interval)
			c.log.Warn("sync failed, link down: waiting for central to answer again", "err", err)
		default:
			backoff = min(max(2*backoff, time.Second), interval, maxBackoff)
			next = time.Now().Add(backoff)
			c.log.Warn("sync failed", "err", err, "retry_in", backoff)
		}
	}
}

// runBlobs transfers queued files after each sync and every interval, apart
// from the row loop so that files never delay rows.
func (c *Client) runBlobs(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.blobKick:
		case <-t.C:
		}
		if n, err := c.PendingBlobs(ctx); err == nil && n > 0 {
			if err := c.TransferBlobs(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("file transfer incomplete, will resume", "err", err)
				continue
			}
		}
		// The link is idle: the city's library fills the cache's room.
		if c.awaitingLink() {
			continue
		}
		if err := c.Prefetch(ctx); err != nil && ctx.Err() == nil && !errors.Is(err, ErrNotEnrolled) {
			c.log.Info("library prefetch stopped, will resume", "err", err)
		}
	}
}

// enrollFromConfig enrolls with the configured token when not enrolled yet;
// ErrNotEnrolled when there is nothing to enroll with.
func (c *Client) enrollFromConfig(ctx context.Context) error {
	_, err := c.Link(ctx)
	if !errors.Is(err, ErrNotEnrolled) {
		return err
	}
	if c.enroll.central == "" || c.enroll.token == "" {
		return ErrNotEnrolled
	}
	if _, err := c.Enroll(ctx, c.enroll.central, c.enroll.token); err != nil {
		c.noteEnrollError(err)
		return err
	}
	return nil
}

func (c *Client) noteEnrollError(err error) {
	c.state.mu.Lock()
	c.state.enrollError = err.Error()
	c.state.mu.Unlock()
}

// settle lets a burst of writes gather into one sync, and reports whether
// anything waits to be sent: sessions and sync's own writes send nothing.
// Central holding rows for us, or answering again, ends it at once.
func (c *Client) settle(ctx context.Context) bool {
	t := time.NewTimer(500 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-c.wake:
		return true
	case <-c.linkBack:
		return true
	case <-c.trigger:
		return true
	case <-t.C:
	}
	link, err := c.Link(ctx)
	if err != nil {
		return false
	}
	n, err := c.pendingOut(ctx, link)
	return err == nil && n > 0
}

// SyncOnce pushes everything waiting, then pulls everything waiting. The
// link going down under it abandons it with the reason.
func (c *Client) SyncOnce(ctx context.Context) (Status, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	link, err := c.Link(ctx)
	if err != nil {
		return c.Status(ctx)
	}
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	c.start(sctx, link, cancel)
	err = c.push(sctx, link)
	if err == nil {
		if link, err = c.Link(sctx); err == nil {
			err = c.pull(sctx, link)
		}
	}
	if cause := context.Cause(sctx); err != nil && ctx.Err() == nil && cause != nil {
		err = cause // the link went down: its reason rather than "context canceled"
	}
	c.finish(ctx, err)
	st, serr := c.Status(context.WithoutCancel(ctx))
	if err != nil {
		return st, err
	}
	return st, serr
}

// Now runs a sync and answers when it ends, or after sync.now_timeout with
// the state at that moment while the sync goes on: "sync now" must answer
// even when the link gives nothing back.
func (c *Client) Now(ctx context.Context) (Status, error) {
	if _, err := c.Link(ctx); err != nil {
		st, _ := c.Status(ctx)
		return st, err
	}
	type result struct {
		st  Status
		err error
	}
	done := make(chan result, 1)
	go func() {
		// The request may end before the sync: the sync is not its.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Hour)
		defer cancel()
		st, err := c.SyncOnce(sctx)
		done <- result{st, err}
	}()
	t := time.NewTimer(c.nowTimeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.st, r.err
	case <-t.C:
	case <-ctx.Done():
	}
	return c.Status(context.WithoutCancel(ctx))
}

func (c *Client) start(ctx context.Context, link Link, cancel context.CancelCauseFunc) {
	out, _ := c.pendingOut(ctx, link)
	s := &c.state
	s.mu.Lock()
	s.running, s.done, s.outLeft, s.inLeft, s.cancel = true, 0, out, link.PendingIn, cancel
	s.mu.Unlock()
}

// sent counts rows central acknowledged.
func (c *Client) sent(n int) {
	s := &c.state
	s.mu.Lock()
	s.done += int64(n)
	s.outLeft = max(s.outLeft-int64(n), 0)
	s.mu.Unlock()
}

// received counts rows applied, and what central says it still holds.
func (c *Client) received(n int, left int64) {
	s := &c.state
	s.mu.Lock()
	s.done += int64(n)
	s.inLeft = left
	s.mu.Unlock()
}

func (c *Client) finish(ctx context.Context, syncErr error) {
	s := &c.state
	s.mu.Lock()
	s.running, s.cancel = false, nil
	s.failed = syncErr != nil
	rows := s.done
	s.done, s.outLeft, s.inLeft = 0, 0, 0
	close(s.synced)
	s.synced = make(chan struct{})
	s.mu.Unlock()
	c.log.Debug("sync", "err", syncErr, "rows", rows)
	if ctx.Err() != nil {
		return // called off (shutdown): not a result
	}
	// A failure keeps the time of the last sync that worked.
	q, args := "UPDATE sync_link SET last_error = '', last_sync = ?", []any{time.Now().UTC().Format(time.RFC3339)}
	if syncErr != nil {
		q, args = "UPDATE sync_link SET last_error = ?", []any{i18n.ErrorText(syncErr, c.Lang)}
	}
	if err := c.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}); err != nil && ctx.Err() == nil {
		c.log.Warn("record sync result", "err", err)
	}
}

// synced returns a channel closed when the next sync ends.
func (c *Client) syncEnds() <-chan struct{} {
	c.state.mu.Lock()
	defer c.state.mu.Unlock()
	return c.state.synced
}

// The link's state. It is up once central has been heard in this process
// and nothing has failed since; an exchange that fails puts it down with
// the reason, unless central was heard on another connection after the
// failed one's last byte (rows moving on one connection are proof enough).

// heard notes a byte from central at t; after an outage, the link is up.
func (c *Client) heard(t time.Time) {
	s := &c.state
	s.mu.Lock()
	if t.After(s.heard) {
		s.heard = t
	}
	back := s.down != nil && !s.refused
	if back {
		s.down, s.failed = nil, false // what failed, failed for the outage
	}
	s.mu.Unlock()
	if back {
		c.log.Info("central answers again")
		signal(c.linkBack)
	}
}

// exchanged notes an exchange central accepted: the link works.
func (c *Client) exchanged() {
	s := &c.state
	s.mu.Lock()
	s.down, s.refused = nil, false
	s.mu.Unlock()
}

// unreachable notes an exchange that failed on the way, its last byte at
// last: the link is down, and a sync in progress is abandoned with it;
// unless central was heard since on another connection, and lately (the
// live request hears it every stall/3 while the link works).
func (c *Client) unreachable(err error, last time.Time) {
	s := &c.state
	s.mu.Lock()
	if s.heard.After(last) && time.Since(s.heard) < c.stall/2 {
		s.mu.Unlock()
		c.log.Debug("exchange with central failed, the link works", "err", err)
		return
	}
	wasUp := s.down == nil
	s.down, s.refused = err, false
	cancel := s.cancel
	s.mu.Unlock()
	if wasUp {
		c.log.Warn("link to central down", "err", err, "cause", errors.Unwrap(err))
		c.http.CloseIdleConnections() // they went through the dead link
	}
	if cancel != nil {
		cancel(err)
	}
}

// refusedBy notes central refusing an exchange.
func (c *Client) refusedBy(err error) {
	s := &c.state
	s.mu.Lock()
	s.down, s.refused = err, true
	s.mu.Unlock()
}

// awaitingLink reports whether the link is down with central unreachable,
// and the live request's probes will say when it answers again.
func (c *Client) awaitingLink() bool {
	s := &c.state
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down != nil && !s.refused && s.liveWorks
}

// answerWithin is how long to wait for central to start answering a
// request once sent: the stall timeout, or a few seconds while the link is
// known down ("sync now" then says so quickly; the probes, which wait the
// whole stall timeout, find central again on a slow link).
func (c *Client) answerWithin() time.Duration {
	s := &c.state
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil && !s.refused {
		return min(c.stall, probeAnswer)
	}
	return c.stall
}

// pushCursor is where our log's push resumes: nothing acknowledged under a
// new epoch (a restored data directory) counts.
func (c *Client) pushCursor(link Link) int64 {
	if link.PushEpoch != c.db.Node().Epoch {
		return 0
	}
	return link.PushAcked
}

func (c *Client) push(ctx context.Context, link Link) error {
	self := c.db.Node()
	since := c.pushCursor(link)
	mine := func(e logEntry) bool { return e.origin == self.ID } // what came from central is never sent back
	ownScope := func(string) string { return "scope = :school" }
	for {
		b, err := collect(ctx, c.db, since, func(q *sql.Tx, page []logEntry) ([]bool, error) {
			return keepWhere(ctx, q, page, mine, ownScope, sql.Named("school", c.school))
		})
		if err != nil {
			return err
		}
		if b.To == since {
			return nil
		}
		b.Node, b.Epoch = self.ID, self.Epoch
		var resp struct {
			Cursor int64 `json:"cursor"`
		}
		err = c.call(ctx, link.CentralURL, "/api/v1/sync/push", c.credentials(link), b, &resp)
		var gap *GapError
		if errors.As(err, &gap) {
			resp.Cursor = gap.Cursor // central holds less than we thought: resend from there
		} else if err != nil {
			return fmt.Errorf("envoi : %w", err)
		}
		if err := c.db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, "UPDATE sync_link SET push_acked = ?, push_epoch = ?", resp.Cursor, self.Epoch); err != nil {
				return err
			}
			return queueBlobs(ctx, c.db, tx, b.Rows, "up")
		}); err != nil {
			return err
		}
		c.sent(len(b.Rows))
		since = resp.Cursor
		if gap == nil && !b.More && b.To == resp.Cursor {
			return nil
		}
	}
}

func (c *Client) pull(ctx context.Context, link Link) error {
	self := c.db.Node()
	acked := c.pushCursor(link)
	// A local row is concurrent with central's version when central has not
	// received our write of it yet.
	conc := func(seq int64, origin string) bool { return seq > acked && origin == self.ID }
	epoch, since := link.CentralEpoch, link.PullSeq
	for {
		pending, _ := c.pendingOut(ctx, link)
		req := PullRequest{NodeEpoch: self.Epoch, Epoch: epoch, Since: since, Pending: pending, Clock: c.db.Clock().Now()}
		var b Batch
		if err := c.call(ctx, link.CentralURL, "/api/v1/sync/pull", c.credentials(link), req, &b); err != nil {
			return i18n.Error([]error{err}, "sync.err.receiving", "Error", err)
		}
		if b.Epoch != epoch || b.From == 0 {
			// Central resends from the start: it was restored, or we were.
			since = 0
		}
		if b.From != since {
			return i18n.Error(nil, "sync.err.receiving_from", "From", b.From, "Want", since)
		}
		maxHLC, err := check(ctx, c.db, b, func(store.Row) bool { return true })
		if err != nil {
			return i18n.Error([]error{err}, "sync.err.receiving_refused", "Error", err)
		}
		pendingIn := int64(0)
		if b.More {
			pendingIn = b.Pending
		}
		err = apply(ctx, c.db, b.Rows, maxHLC, conc, "", func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, "UPDATE sync_link SET pull_seq = ?, central_epoch = ?, pending_in = ?",
				b.To, b.Epoch, pendingIn); err != nil {
				return err
			}
			if err := queueBlobs(ctx, c.db, tx, b.Rows, "down"); err != nil {
				return err
			}
			return recordVolume(ctx, tx, c.school, len(b.Rows), 0)
		})
		if err != nil {
			return err
		}
		c.received(len(b.Rows), pendingIn)
		epoch, since = b.Epoch, b.To
		if !b.More {
			return nil
		}
	}
}

func (c *Client) credentials(link Link) string { return link.SchoolID + ":" + link.NodeKey }

// call posts a gzip-compressed JSON body and decodes the JSON answer.
func (c *Client) call(ctx context.Context, base, path, credentials string, in, out any) error {
	resp, err := c.post(ctx, base, path, credentials, in, c.answerWithin(), c.stall)
	var gap *GapError
	if err == nil || errors.As(err, &gap) {
		c.exchanged()
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBatchBytes))
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// post sends a gzip-compressed JSON body and returns central's answer when
// it is 200, central having begun to answer within answer and no byte
// further apart than silence; any other status is an error, with
// central's reason, and the link counted as refused.
func (c *Client) post(ctx context.Context, base, path, credentials string, in any, answer, silence time.Duration) (*http.Response, error) {
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	if err := json.NewEncoder(zw).Encode(in); err != nil {
		return nil, err
	}
	zw.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("User-Agent", "preau/"+c.version)
	if credentials != "" {
		req.Header.Set("Authorization", "Node "+credentials)
	}
	resp, err := c.do(req, answer, silence)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var e struct {
		Error  string `json:"error"`
		Cursor *int64 `json:"cursor"`
	}
	json.Unmarshal(data, &e)
	if resp.StatusCode == http.StatusConflict && e.Cursor != nil {
		return nil, &GapError{Cursor: *e.Cursor}
	}
	if e.Error == "" {
		e.Error = resp.Status
	}
	err = &refusal{status: resp.StatusCode, msg: e.Error}
	switch resp.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		// A proxy in front of central answers for it: central is out of reach.
		c.unreachable(err, time.Now())
	case http.StatusNotFound:
		// A central older than the request: not a fault of the link.
	default:
		c.refusedBy(err)
	}
	return nil, err
}

// refusal is central (or a proxy before it) answering other than 200.
type refusal struct {
	status int
	msg    string
}

func (e *refusal) Error() string { return fmt.Sprintf("%s (HTTP %d)", e.msg, e.status) }

// pendingOut counts our own writes central has not acknowledged.
func (c *Client) pendingOut(ctx context.Context, link Link) (int64, error) {
	var n int64
	err := c.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM changes WHERE seq > ? AND origin = ?",
		c.pushCursor(link), c.db.Node().ID).Scan(&n)
	return n, err
}

// Unsent reports which of a table's rows (by id) were last written here
// and not yet acknowledged by central: their entry in the change log is
// past the push cursor, which moves only when central answers that it
// committed the batch. Before enrollment, nothing of ours has been sent.
func (c *Client) Unsent(ctx context.Context, table string, ids []string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(ids) == 0 {
		return out, nil
	}
	link, err := c.Link(ctx)
	if err != nil && !errors.Is(err, ErrNotEnrolled) {
		return nil, err
	}
	list, args := store.In(ids)
	rows, err := store.Query(ctx, c.db.Reader(), func(r store.Scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, "SELECT row_id FROM changes WHERE tbl = ? AND origin = ? AND seq > ? AND row_id IN ("+list+")",
		append([]any{table, c.db.Node().ID, c.pushCursor(link)}, args...)...)
	for _, id := range rows {
		out[id] = true
	}
	return out, err
}

// Status is a school's sync state, as GET /api/v1/sync/status returns it.
type Status struct {
	Link       string  `json:"link"` // "up" or "down"
	LastSync   *string `json:"last_sync"`
	LastHeard  *string `json:"last_heard"` // central's last answer, a live request's heartbeat included
	PendingOut int64   `json:"pending_out"`
	PendingIn  int64   `json:"pending_in"`
	LastError  *string `json:"last_error"`
	Enrolled   bool    `json:"enrolled"`
	Live       bool    `json:"live"` // the live request to central is open
	Files      int64   `json:"pending_files"`
	Running    bool    `json:"running"`
	Done       int64   `json:"done"`
	Total      int64   `json:"total"`
}

// Status reports the link, the backlog both ways and the last result.
func (c *Client) Status(ctx context.Context) (Status, error) {
	st := Status{Link: "down"}
	s := &c.state
	s.mu.Lock()
	if s.running {
		st.Running, st.Done, st.Total = true, s.done, s.done+s.outLeft+s.inLeft
	}
	if !s.heard.IsZero() {
		heard := s.heard.UTC().Format(time.RFC3339)
		st.LastHeard = &heard
		if s.down == nil {
			st.Link = "up"
		}
	}
	down, failed, enrollError := s.down, s.failed, s.enrollError
	st.Live = s.live && s.down == nil
	s.mu.Unlock()
	link, err := c.Link(ctx)
	if errors.Is(err, ErrNotEnrolled) {
		msg := i18n.ErrorText(ErrNotEnrolled, c.Lang)
		if enrollError != "" {
			msg = i18n.For(c.Lang).T("sync.err.with_reason", "Error", msg, "Reason", enrollError)
		}
		st.LastError = &msg
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.Enrolled = true
	if link.LastSync != "" {
		st.LastSync = &link.LastSync
		if st.LastHeard == nil {
			st.LastHeard = &link.LastSync // before this start
		}
	}
	switch {
	case down != nil:
		msg := down.Error()
		st.LastError = &msg
	case link.LastError != "" && (st.Link == "down" || failed && !st.Running):
		// Central not heard since this start, or it answers and the last
		// sync failed nonetheless (a batch refused here, say).
		st.LastError = &link.LastError
	}
	st.PendingIn = link.PendingIn
	if st.Files, err = c.PendingBlobs(ctx); err != nil {
		return st, err
	}
	st.PendingOut, err = c.pendingOut(ctx, link)
	return st, err
}
