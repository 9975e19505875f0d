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
	"strings"
	gosync "sync"
	"time"

	"preau/appliance/store"
)

// Client is a school's side of sync: it enrolls once, then pushes its own
// writes to central and pulls what central holds for it, by itself every
// interval, soon after a local write, and on demand.
type Client struct {
	db       *store.DB
	log      *slog.Logger
	school   string
	version  string
	http     *http.Client
	blobHTTP *http.Client // no overall timeout: files are large; ctx bounds it
	blobKick chan struct{}

	enroll struct{ central, token string } // from the configuration, until enrolled

	mu       gosync.Mutex  // one sync at a time
	trigger  chan struct{} // sync now (enrollment)
	written  chan struct{} // a local write was committed
	progress progress
}

type progress struct {
	mu          gosync.Mutex
	running     bool
	done, total int64
	linkUp      bool
	enrollError string
}

// NewClient builds the school side for school (the configured school.id).
func NewClient(db *store.DB, log *slog.Logger, school, version string) *Client {
	c := &Client{db: db, log: log, school: school, version: version, trigger: make(chan struct{}, 1),
		written: make(chan struct{}, 1), http: &http.Client{Timeout: 2 * time.Minute},
		blobHTTP: &http.Client{}, blobKick: make(chan struct{}, 1)}
	db.OnCommit(func() {
		select {
		case c.written <- struct{}{}:
		default:
		}
	})
	return c
}

// UseTransport replaces the HTTP transport to central (tests inject faults).
func (c *Client) UseTransport(rt http.RoundTripper) {
	c.http.Transport = rt
	c.blobHTTP.Transport = rt
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
var ErrNotEnrolled = errors.New("école pas encore inscrite auprès du serveur central")

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
		return e, errors.New("cette école est déjà inscrite auprès du serveur central")
	}
	req := map[string]string{"token": token, "node": c.db.Node().ID, "version": c.version}
	if err := c.call(ctx, centralURL, "/api/v1/sync/enroll", "", req, &e); err != nil {
		return e, fmt.Errorf("inscription auprès de %s : %w", centralURL, err)
	}
	if e.SchoolID != c.school {
		return e, fmt.Errorf("ce jeton inscrit l'école %q, mais ce serveur est configuré pour %q (clé school.id) : corrigez la configuration",
			e.SchoolID, c.school)
	}
	err := c.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO sync_link(central_url, school_id, node_key) VALUES (?, ?, ?)",
			centralURL, e.SchoolID, e.NodeKey)
		return err
	})
	if err == nil {
		c.log.Info("enrolled with central", "central", centralURL, "school", e.SchoolID)
		c.Trigger()
	}
	return e, err
}

// EnrollWith has Run enroll with central using a one-time token, retrying
// like a sync until it succeeds (central.url and central.enrollment_token).
func (c *Client) EnrollWith(central, token string) {
	c.enroll.central, c.enroll.token = central, token
}

// Trigger asks the running loop for a sync soon.
func (c *Client) Trigger() {
	select {
	case c.trigger <- struct{}{}:
	default:
	}
}

// maxBackoff bounds the wait between retries while the link is down.
const maxBackoff = 30 * time.Second

// Run syncs every interval, soon after a local write, at once when asked,
// and retries failures with a growing back-off, until ctx ends.
func (c *Client) Run(ctx context.Context, interval time.Duration) {
	go c.runBlobs(ctx, interval)
	next := time.Now() // when the next sync is due; at once at start-up
	backoff := time.Duration(0)
	for {
		timer := time.NewTimer(max(time.Until(next), 0))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-c.trigger:
			timer.Stop()
		case <-c.written:
			timer.Stop()
			if backoff > 0 {
				continue // the link is down: the retry is already planned
			}
			if !c.settle(ctx) {
				continue
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
		if err != nil {
			// Retry soon enough to notice the link coming back.
			backoff = min(max(2*backoff, time.Second), interval, maxBackoff)
			next = time.Now().Add(backoff)
			if ctx.Err() == nil {
				c.log.Warn("sync failed", "err", err, "retry_in", backoff)
			}
		} else {
			backoff = 0
			next = time.Now().Add(interval)
			select {
			case c.blobKick <- struct{}{}:
			default:
			}
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
		if n, err := c.PendingBlobs(ctx); err != nil || n == 0 {
			continue
		}
		if err := c.TransferBlobs(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("file transfer incomplete, will resume", "err", err)
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
	c.progress.mu.Lock()
	c.progress.enrollError = err.Error()
	c.progress.linkUp = false
	c.progress.mu.Unlock()
}

// settle lets a burst of writes gather into one sync, and reports whether
// anything waits to be sent: sessions and sync's own writes send nothing.
func (c *Client) settle(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(500 * time.Millisecond):
	}
	link, err := c.Link(ctx)
	if err != nil {
		return false
	}
	n, err := c.pendingOut(ctx, link)
	return err == nil && n > 0
}

// SyncOnce pushes everything waiting, then pulls everything waiting.
func (c *Client) SyncOnce(ctx context.Context) (Status, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	link, err := c.Link(ctx)
	if err != nil {
		return c.Status(ctx)
	}
	c.start(ctx, link)
	err = c.push(ctx, link)
	if err == nil {
		if link, err = c.Link(ctx); err == nil {
			err = c.pull(ctx, link)
		}
	}
	c.finish(ctx, err)
	st, serr := c.Status(ctx)
	if err != nil {
		return st, err
	}
	return st, serr
}

func (c *Client) start(ctx context.Context, link Link) {
	out, _ := c.pendingOut(ctx, link)
	c.progress.mu.Lock()
	c.progress.running, c.progress.done, c.progress.total = true, 0, out+link.PendingIn
	c.progress.mu.Unlock()
}

func (c *Client) advance(n int) {
	c.progress.mu.Lock()
	c.progress.done += int64(n)
	c.progress.total = max(c.progress.total, c.progress.done)
	c.progress.mu.Unlock()
}

func (c *Client) finish(ctx context.Context, syncErr error) {
	c.progress.mu.Lock()
	c.progress.running = false
	c.progress.linkUp = syncErr == nil
	rows := c.progress.done
	c.progress.mu.Unlock()
	c.log.Debug("sync", "err", syncErr, "rows", rows)
	// A failure keeps the time of the last sync that worked.
	q, args := "UPDATE sync_link SET last_error = '', last_sync = ?", []any{time.Now().UTC().Format(time.RFC3339)}
	if syncErr != nil {
		q, args = "UPDATE sync_link SET last_error = ?", []any{syncErr.Error()}
	}
	if err := c.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}); err != nil && ctx.Err() == nil {
		c.log.Warn("record sync result", "err", err)
	}
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
		c.advance(len(b.Rows))
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
			return fmt.Errorf("réception : %w", err)
		}
		if b.Epoch != epoch || b.From == 0 {
			// Central resends from the start: it was restored, or we were.
			since = 0
		}
		if b.From != since {
			return fmt.Errorf("réception : lot à partir de %d, attendu %d", b.From, since)
		}
		maxHLC, err := check(ctx, c.db, b, func(store.Row) bool { return true })
		if err != nil {
			return fmt.Errorf("réception refusée : %w", err)
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
		c.advance(len(b.Rows))
		epoch, since = b.Epoch, b.To
		if !b.More {
			return nil
		}
	}
}

func (c *Client) credentials(link Link) string { return link.SchoolID + ":" + link.NodeKey }

// call posts a gzip-compressed JSON body and decodes the JSON answer.
func (c *Client) call(ctx context.Context, base, path, credentials string, in, out any) error {
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	if err := json.NewEncoder(zw).Encode(in); err != nil {
		return err
	}
	zw.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("User-Agent", "preau/"+c.version)
	if credentials != "" {
		req.Header.Set("Authorization", "Node "+credentials)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBatchBytes))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error  string `json:"error"`
			Cursor *int64 `json:"cursor"`
		}
		json.Unmarshal(data, &e)
		if resp.StatusCode == http.StatusConflict && e.Cursor != nil {
			return &GapError{Cursor: *e.Cursor}
		}
		if e.Error == "" {
			e.Error = resp.Status
		}
		return fmt.Errorf("%s (HTTP %d)", e.Error, resp.StatusCode)
	}
	return json.Unmarshal(data, out)
}

// pendingOut counts our own writes central has not acknowledged.
func (c *Client) pendingOut(ctx context.Context, link Link) (int64, error) {
	var n int64
	err := c.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM changes WHERE seq > ? AND origin = ?",
		c.pushCursor(link), c.db.Node().ID).Scan(&n)
	return n, err
}

// Status is a school's sync state, as GET /api/v1/sync/status returns it.
type Status struct {
	Link       string  `json:"link"` // "up" or "down"
	LastSync   *string `json:"last_sync"`
	PendingOut int64   `json:"pending_out"`
	PendingIn  int64   `json:"pending_in"`
	LastError  *string `json:"last_error"`
	Enrolled   bool    `json:"enrolled"`
	Files      int64   `json:"pending_files"`
	Running    bool    `json:"running"`
	Done       int64   `json:"done"`
	Total      int64   `json:"total"`
}

// Status reports the link, the backlog both ways and the last result.
func (c *Client) Status(ctx context.Context) (Status, error) {
	st := Status{Link: "down"}
	c.progress.mu.Lock()
	st.Running, st.Done, st.Total = c.progress.running, c.progress.done, c.progress.total
	if c.progress.linkUp {
		st.Link = "up"
	}
	c.progress.mu.Unlock()
	c.progress.mu.Lock()
	enrollError := c.progress.enrollError
	c.progress.mu.Unlock()
	link, err := c.Link(ctx)
	if errors.Is(err, ErrNotEnrolled) {
		msg := ErrNotEnrolled.Error()
		if enrollError != "" {
			msg += " : " + enrollError
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
	}
	if link.LastError != "" {
		st.LastError = &link.LastError
	}
	st.PendingIn = link.PendingIn
	if st.Files, err = c.PendingBlobs(ctx); err != nil {
		return st, err
	}
	st.PendingOut, err = c.pendingOut(ctx, link)
	return st, err
}
