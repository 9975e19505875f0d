package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"strings"
	gosync "sync"
	"time"

	"preau/appliance/auth"
	"preau/appliance/store"
)

// Central's side of the live requests (live.go): a school holds one open;
// central answers it as soon as a commit leaves rows for that school in its
// log, and after a minute at most otherwise.

// WaitRequest opens a school's live request: central answers when it holds
// rows for the school after Since.
type WaitRequest struct {
	NodeEpoch string `json:"node_epoch"`   // the school's own epoch
	Epoch     string `json:"epoch"`        // central's epoch Since belongs to
	Since     int64  `json:"since"`        // central's log, judged up to here
	HoldMs    int64  `json:"hold_ms"`      // how long to hold the request at most
	BeatMs    int64  `json:"heartbeat_ms"` // how often to send a blank while holding it
}

// WaitAnswer is central's answer to a live request.
type WaitAnswer struct {
	Epoch   string `json:"epoch"`   // central's epoch
	To      int64  `json:"to"`      // when Pending is 0: nothing for the school up to here
	Pending int64  `json:"pending"` // rows central holds for the school after Since (an estimate when far behind)
}

// Bounds of a live request, central's side.
const (
	defaultHold = 30 * time.Second
	maxHold     = time.Minute
	defaultBeat = 5 * time.Second
	minBeat     = 500 * time.Millisecond
	maxBeat     = 30 * time.Second
	// judgeLimit is how far behind the head of the log a waiting school may
	// be for central to judge what it holds for it; further behind, the
	// school is told to pull, which reads that far anyway.
	judgeLimit = scanLimit
)

// hub holds the schools' live requests and answers a school's as soon as a
// commit leaves rows for it in central's log. A held request costs a
// connection and a few hundred bytes: the handler hands the connection
// over (Hijack) and returns, and one goroutine, running while requests
// wait, judges the log, sends every request's blank lines and answers.
type hub struct {
	db      *store.DB
	log     *slog.Logger
	kick    chan struct{} // something was committed
	closing chan struct{}
	once    gosync.Once

	mu      gosync.Mutex
	waiters map[*waiter]bool
	running bool                 // the goroutine runs while requests wait
	heard   map[string]time.Time // school → when its last live request arrived
	open    map[string]int       // school → live requests held
}

// waiter is one held live request.
type waiter struct {
	school, node string
	resyncUntil  int64
	since        int64
	judged       int64 // central's log judged for it up to here
	found        int64 // rows for it found after since
	conn         net.Conn
	beat         time.Duration
	nextBeat     time.Time
	until        time.Time // answered with nothing then
}

// Timing of the hub's goroutine.
const (
	hubTick  = 250 * time.Millisecond // blank lines and holds ending, to this precision
	hubPoll  = time.Second            // the log judged even without a commit here (other processes' writes)
	hubWrite = time.Second            // a write to a school's connection, at most
	// hubAudience is how often at most audiences are judged.
	hubAudience = time.Second
)

func newHub(db *store.DB, log *slog.Logger) *hub {
	h := &hub{db: db, log: log, kick: make(chan struct{}, 1), closing: make(chan struct{}),
		waiters: map[*waiter]bool{}, heard: map[string]time.Time{}, open: map[string]int{}}
	db.OnCommit(func() { signal(h.kick) })
	return h
}

// close answers every held request, for shutdown.
func (h *hub) close() { h.once.Do(func() { close(h.closing) }) }

// liveHeader begins every answer to a live request: the connection is the
// request's alone, and its end ends the answer.
const liveHeader = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n" +
	"X-Content-Type-Options: nosniff\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n"

// Hold takes over a school's live request on conn, its connection taken
// from the HTTP server: it answers the headers at once, then holds the
// request until central holds rows for the school after req.Since, or for
// req.HoldMs at most, sending a blank line every req.BeatMs meanwhile. It
// returns at once; the hub answers and closes conn.
func (c *Central) Hold(conn net.Conn, n node, req WaitRequest) {
	h := c.live
	h.mu.Lock()
	h.heard[n.School] = time.Now()
	h.mu.Unlock()
	conn.SetWriteDeadline(time.Now().Add(hubWrite))
	if _, err := io.WriteString(conn, liveHeader); err != nil {
		conn.Close()
		return
	}
	if req.Epoch != c.db.Node().Epoch || req.NodeEpoch != n.NodeEpoch {
		// Central or the school restored, or a school that never pulled:
		// its next pull starts afresh, and holds about the whole log.
		var head int64
		c.db.Reader().QueryRowContext(context.Background(), "SELECT coalesce(max(seq), 0) FROM changes").Scan(&head)
		answer(conn, WaitAnswer{Epoch: c.db.Node().Epoch, Pending: max(head, 1)})
		return
	}
	now := time.Now()
	w := &waiter{school: n.School, node: n.NodeID, resyncUntil: n.ResyncUntil, since: req.Since, judged: req.Since, conn: conn,
		beat: clampMs(req.BeatMs, defaultBeat, minBeat, maxBeat), until: now.Add(clampMs(req.HoldMs, defaultHold, time.Second, maxHold))}
	w.nextBeat = now.Add(w.beat)
	h.mu.Lock()
	h.waiters[w] = true
	h.open[n.School]++
	start := !h.running
	h.running = true
	h.mu.Unlock()
	signal(h.kick)
	if start {
		go h.run()
	}
}

// answer ends a live request with a.
func answer(conn net.Conn, a WaitAnswer) {
	data, _ := json.Marshal(a)
	conn.SetWriteDeadline(time.Now().Add(hubWrite))
	conn.Write(append(data, '\n'))
	conn.Close()
}

func clampMs(ms int64, def, lo, hi time.Duration) time.Duration {
	if ms <= 0 {
		return def
	}
	return min(max(time.Duration(ms)*time.Millisecond, lo), hi)
}

// contact reports when a school's last live request arrived, and whether
// one is held now.
func (h *hub) contact(school string) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.heard[school], h.open[school] > 0
}

// run judges the log for the held requests after every commit, and every
// hubPoll for writes of other processes (preau commands); answers those
// with rows, and those whose hold ends; sends the others' blank lines; and
// ends when no request is held. Audiences cost a query per waiting school:
// they are judged at most every hubAudience, for all the rows gathered
// since.
func (h *hub) run() {
	tick := time.NewTicker(hubTick)
	defer tick.Stop()
	var judged, audienced time.Time
	kicked := true
	candidates := map[int64]candidate{}
	var ws []*waiter
	ready := func(w *waiter) { h.end(w, WaitAnswer{Epoch: h.db.Node().Epoch, To: w.since, Pending: w.found}) }
	for {
		ws = ws[:0]
		h.mu.Lock()
		for w := range h.waiters {
			ws = append(ws, w)
		}
		if len(ws) == 0 {
			h.running = false
		}
		h.mu.Unlock()
		if len(ws) == 0 {
			return
		}
		var err error
		if kicked || time.Since(judged) >= hubPoll {
			judged = time.Now()
			err = h.judge(ws, ready, candidates)
		}
		if err == nil && len(candidates) > 0 && time.Since(audienced) >= hubAudience {
			audienced = time.Now()
			err = h.audiences(ws, ready, candidates)
			clear(candidates)
		}
		if err != nil {
			if strings.Contains(err.Error(), "database is closed") {
				h.close() // the store is gone: the process ends
			} else {
				h.log.Warn("live requests: judging central's log", "err", err)
			}
		}
		now := time.Now()
		for _, w := range ws {
			switch {
			case w.found > 0: // answered
			case !now.Before(w.until):
				h.end(w, WaitAnswer{Epoch: h.db.Node().Epoch, To: w.judged})
			case !now.Before(w.nextBeat):
				w.nextBeat = now.Add(w.beat)
				w.conn.SetWriteDeadline(now.Add(hubWrite))
				if _, err := w.conn.Write([]byte{'\n'}); err != nil {
					h.end(w, WaitAnswer{}) // the school is gone
				}
			}
		}
		kicked = false
		select {
		case <-h.kick:
			kicked = true
		case <-tick.C:
		case <-h.closing:
			for _, w := range ws {
				h.end(w, WaitAnswer{Epoch: h.db.Node().Epoch, To: w.judged})
			}
			h.mu.Lock()
			h.running = false
			h.mu.Unlock()
			return
		}
	}
}

// end answers a held request and forgets it.
func (h *hub) end(w *waiter, a WaitAnswer) {
	h.mu.Lock()
	held := h.waiters[w]
	delete(h.waiters, w)
	if held {
		if h.open[w.school]--; h.open[w.school] <= 0 {
			delete(h.open, w.school)
		}
	}
	h.mu.Unlock()
	if !held {
		return
	}
	if a.Epoch == "" {
		w.conn.Close()
		return
	}
	answer(w.conn, a)
}

// judging is a held request being judged: its rows after from.
type judging struct {
	w     *waiter
	from  int64
	found int64
}

// takes reports whether e, an entry after from, may be for the request: it
// did not come from the request's school (unless the school resyncs after
// a restore).
func (w *waiter) takes(e logEntry, from int64) bool {
	return e.seq > from && (e.origin != w.node || e.seq <= w.resyncUntil)
}

// candidate is a row of a school's scope in a table with an audience,
// which may concern other schools.
type candidate struct {
	logEntry
	scope string
}

// judge reads the log entries new to the held requests, once for all, and
// calls ready for each that has rows of its school's scope or global ones
// in them (never those that came from it). Rows of a table with an
// audience go to candidates, for audiences to judge.
func (h *hub) judge(ws []*waiter, ready func(*waiter), candidates map[int64]candidate) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx, err := h.db.Reader().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var head int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&head); err != nil {
		return err
	}
	var jobs []*judging
	lo := head
	for _, w := range ws {
		if w.found > 0 || w.judged >= head {
			continue
		}
		if head-w.judged > judgeLimit {
			w.found, w.judged = head-w.judged, head // far behind: let it pull
			ready(w)
			continue
		}
		lo = min(lo, w.judged)
		jobs = append(jobs, &judging{w: w, from: w.judged})
	}
	for after := lo; after < head; {
		entries, err := logEntries(ctx, tx, after, logPage)
		if err != nil || len(entries) == 0 {
			return err
		}
		after = entries[len(entries)-1].seq
		scopes, err := h.scopes(ctx, tx, entries)
		if err != nil {
			return err
		}
		for _, e := range entries {
			scope, ok := scopes[e.tbl][e.id]
			if !ok {
				continue
			}
			for _, j := range jobs {
				if j.w.takes(e, j.from) && (scope == j.w.school || scope == auth.GlobalScope) {
					j.found++
				}
			}
			if scope != auth.GlobalScope && h.db.Audience(e.tbl) != "" {
				candidates[e.seq] = candidate{e, scope}
			}
		}
	}
	for _, j := range jobs {
		j.w.judged = max(j.w.judged, head)
		if j.found > 0 {
			j.w.found += j.found
			ready(j.w)
		}
	}
	return nil
}

// audiences calls ready for each held request whose school's audience
// takes one of the candidates after its cursor: a query per request and
// table (Central.audience's condition beyond the scope), the statement
// prepared once for all.
func (h *hub) audiences(ws []*waiter, ready func(*waiter), candidates map[int64]candidate) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx, err := h.db.Reader().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	aud := &audience{db: h.db, tx: tx, stmts: map[string]*sql.Stmt{}}
	defer aud.close()
	for _, w := range ws {
		if w.found > 0 {
			continue
		}
		var mine []logEntry
		for _, c := range candidates {
			if w.takes(c.logEntry, w.since) && c.seq <= w.judged && c.scope != w.school {
				mine = append(mine, c.logEntry)
			}
		}
		if len(mine) == 0 {
			continue
		}
		n, err := aud.count(ctx, mine, w.school)
		if err != nil {
			return err
		}
		if w.found += n; w.found > 0 {
			ready(w)
		}
	}
	return nil
}

// audience counts the rows of a school's audience among log entries: the
// condition of Central.audience beyond the scope, one statement a table,
// prepared once for all the schools judged.
type audience struct {
	db    *store.DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (a *audience) count(ctx context.Context, entries []logEntry, school string) (int64, error) {
	ids := map[string][]string{}
	for _, e := range entries {
		ids[e.tbl] = append(ids[e.tbl], e.id)
	}
	var n int64
	for tbl, list := range ids {
		st, ok := a.stmts[tbl]
		if !ok {
			var err error
			st, err = a.tx.PrepareContext(ctx, "SELECT count(*) FROM "+tbl+" WHERE id IN (SELECT value FROM json_each(:ids)) AND ("+
				a.db.Audience(tbl)+")")
			if err != nil {
				return 0, err
			}
			a.stmts[tbl] = st
		}
		data, err := json.Marshal(list)
		if err != nil {
			return 0, err
		}
		var k int64
		if err := st.QueryRowContext(ctx, sql.Named("ids", string(data)), sql.Named("school", school)).Scan(&k); err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}

func (a *audience) close() {
	for _, st := range a.stmts {
		st.Close()
	}
}

// scopes reads the scope of the replicated rows the entries name, one
// query a table.
func (h *hub) scopes(ctx context.Context, tx *sql.Tx, entries []logEntry) (map[string]map[string]string, error) {
	ids := map[string][]string{}
	for _, e := range entries {
		if h.db.IsReplicated(e.tbl) {
			ids[e.tbl] = append(ids[e.tbl], e.id)
		}
	}
	out := make(map[string]map[string]string, len(ids))
	for tbl, list := range ids {
		data, err := json.Marshal(list)
		if err != nil {
			return nil, err
		}
		rows, err := tx.QueryContext(ctx, "SELECT id, scope FROM "+tbl+" WHERE id IN (SELECT value FROM json_each(?))", string(data))
		if err != nil {
			return nil, err
		}
		out[tbl] = make(map[string]string, len(list))
		for rows.Next() {
			var id, scope string
			if err := rows.Scan(&id, &scope); err != nil {
				rows.Close()
				return nil, err
			}
			out[tbl][id] = scope
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
