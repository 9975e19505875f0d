package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
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

// hub holds the schools' live requests and wakes a school's as soon as a
// commit leaves rows for it in central's log.
type hub struct {
	db      *store.DB
	log     *slog.Logger
	kick    chan struct{} // something was committed
	closing chan struct{}
	once    gosync.Once

	mu      gosync.Mutex
	waiters map[*waiter]bool
	running bool                 // the judging goroutine runs while requests wait
	heard   map[string]time.Time // school → when its last live request arrived
	open    map[string]int       // school → live requests held
}

// waiter is one held live request.
type waiter struct {
	school, node string
	resyncUntil  int64
	judged       int64 // central's log judged for it up to here
	found        int64 // rows for it found after its Since
	woken        chan struct{}
}

func newHub(db *store.DB, log *slog.Logger) *hub {
	h := &hub{db: db, log: log, kick: make(chan struct{}, 1), closing: make(chan struct{}),
		waiters: map[*waiter]bool{}, heard: map[string]time.Time{}, open: map[string]int{}}
	db.OnCommit(func() { signal(h.kick) })
	return h
}

// close answers every held request, for shutdown.
func (h *hub) close() { h.once.Do(func() { close(h.closing) }) }

// Wait holds a school's live request until central holds rows for it after
// req.Since, or for req.HoldMs at most, calling beat every req.BeatMs; it
// ends early when beat fails (the school is gone) or ctx ends. It holds no
// database connection meanwhile.
func (c *Central) Wait(ctx context.Context, n node, req WaitRequest, beat func() error) WaitAnswer {
	h := c.live
	ans := WaitAnswer{Epoch: c.db.Node().Epoch, To: req.Since}
	if req.Epoch != ans.Epoch || req.NodeEpoch != n.NodeEpoch {
		// Central or the school restored, or a school that never pulled:
		// its next pull starts afresh, and holds about the whole log.
		var head int64
		c.db.Reader().QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&head)
		ans.To, ans.Pending = 0, max(head, 1)
		return ans
	}
	w := h.add(n, req.Since)
	defer h.remove(w)
	hold := clampMs(req.HoldMs, defaultHold, time.Second, maxHold)
	every := clampMs(req.BeatMs, defaultBeat, minBeat, maxBeat)
	end := time.NewTimer(hold)
	defer end.Stop()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if beat() != nil {
				return ans
			}
			continue
		case <-ctx.Done():
			return ans
		case <-w.woken:
		case <-end.C:
		case <-h.closing:
		}
		h.mu.Lock()
		if w.found > 0 {
			ans.Pending = w.found
		} else {
			ans.To = w.judged
		}
		h.mu.Unlock()
		return ans
	}
}

func clampMs(ms int64, def, lo, hi time.Duration) time.Duration {
	if ms <= 0 {
		return def
	}
	return min(max(time.Duration(ms)*time.Millisecond, lo), hi)
}

func (h *hub) add(n node, since int64) *waiter {
	w := &waiter{school: n.School, node: n.NodeID, resyncUntil: n.ResyncUntil, judged: since, woken: make(chan struct{}, 1)}
	h.mu.Lock()
	h.waiters[w] = true
	h.open[n.School]++
	h.heard[n.School] = time.Now()
	start := !h.running
	h.running = true
	h.mu.Unlock()
	signal(h.kick)
	if start {
		go h.run()
	}
	return w
}

func (h *hub) remove(w *waiter) {
	h.mu.Lock()
	delete(h.waiters, w)
	if h.open[w.school]--; h.open[w.school] <= 0 {
		delete(h.open, w.school)
	}
	h.mu.Unlock()
}

// contact reports when a school's last live request arrived, and whether
// one is held now.
func (h *hub) contact(school string) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.heard[school], h.open[school] > 0
}

// run judges the log for the waiting requests after every commit, and
// every second for writes of other processes (preau commands), while any
// request waits.
func (h *hub) run() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		h.mu.Lock()
		if len(h.waiters) == 0 {
			h.running = false
			h.mu.Unlock()
			return
		}
		ws := make([]*waiter, 0, len(h.waiters))
		for w := range h.waiters {
			if w.found == 0 {
				ws = append(ws, w)
			}
		}
		h.mu.Unlock()
		if err := h.judge(ws); err != nil {
			h.log.Warn("live requests: judging central's log", "err", err)
		}
		select {
		case <-h.kick:
		case <-tick.C:
		case <-h.closing:
			h.mu.Lock()
			h.running = false
			h.mu.Unlock()
			return
		}
	}
}

// judge reads the log entries new to the waiting requests, once for all,
// and wakes each request that has rows in them: those of its school's
// scope and global ones, never those that came from it, and those its
// school's audience takes (a query per school, only for the audience's
// tables). It mirrors Central.audience, the pulls' condition.
func (h *hub) judge(ws []*waiter) error {
	if len(ws) == 0 {
		return nil
	}
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
	type job struct {
		w           *waiter
		from, found int64
	}
	var jobs []*job
	lo := head
	h.mu.Lock()
	for _, w := range ws {
		if w.judged >= head {
			continue
		}
		j := &job{w: w, from: w.judged}
		if head-w.judged > judgeLimit {
			j.found = head - w.judged // far behind: let it pull
		} else {
			lo = min(lo, w.judged)
		}
		jobs = append(jobs, j)
	}
	h.mu.Unlock()
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
		for _, j := range jobs {
			if j.found > 0 {
				continue // one is enough to wake it; the pull counts the rest
			}
			var others []logEntry // rows of another school, which an audience may take
			for _, e := range entries {
				if e.seq <= j.from || e.seq > head || (e.origin == j.w.node && e.seq > j.w.resyncUntil) {
					continue
				}
				scope, ok := scopes[e.tbl][e.id]
				switch {
				case !ok:
				case scope == j.w.school || scope == auth.GlobalScope:
					j.found++
				case h.db.Audience(e.tbl) != "":
					others = append(others, e)
				}
			}
			if j.found == 0 && len(others) > 0 {
				kept, err := keepWhere(ctx, tx, others, nil, h.db.Audience, sql.Named("school", j.w.school))
				if err != nil {
					return err
				}
				for _, k := range kept {
					if k {
						j.found++
					}
				}
			}
		}
	}
	h.mu.Lock()
	for _, j := range jobs {
		j.w.judged = max(j.w.judged, head)
		if j.found > 0 {
			j.w.found += j.found
			signal(j.w.woken)
		}
	}
	h.mu.Unlock()
	return nil
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
