package sync

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"preau/appliance/store"
)

// The live request, the school's side: the school keeps one request open
// to central (POST /api/v1/sync/wait, a long poll; central's side is
// hub.go), which central answers as soon as it commits rows for that
// school; the school then pulls at once. Central sends a blank line every
// few seconds while it holds the request, so that a silent link shows
// within the stall timeout. While the link is down, the same request is
// the probe that finds central again.

const (
	// liveHold is how long the school asks central to hold its request.
	liveHold = 30 * time.Second
	// probeEvery is how often, while the link is down, the school opens
	// another live request to find central again; each waits the whole
	// stall timeout for an answer, so that a slow link is found as well.
	probeEvery = time.Second
	// probeAnswer is how long "sync now" waits for central to start
	// answering while the link is known down.
	probeAnswer = 3 * time.Second
)

// runLive keeps the live request open while the school is enrolled.
func (c *Client) runLive(ctx context.Context, interval time.Duration) {
	backoff := time.Duration(0)
	pause := func(d time.Duration) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	for ctx.Err() == nil {
		link, err := c.Link(ctx)
		if err != nil {
			t := time.NewTimer(interval)
			select {
			case <-ctx.Done():
			case <-c.linked:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		ans, err := c.waitLive(ctx, link)
		var refused *refusal
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			backoff = 0
			c.setLiveWorks(true)
			if c.noteWaitAnswer(ctx, link, ans) {
				// The sync loop pulls; wait again from the cursor it leaves.
				ends := c.syncEnds()
				signal(c.wake)
				select {
				case <-ctx.Done():
				case <-ends:
				}
			}
		case errors.As(err, &refused) && refused.status == http.StatusNotFound:
			// A central from before live requests: sync on the interval.
			c.setLiveWorks(false)
			pause(interval)
		case errors.As(err, &refused):
			// Central refuses (a revoked school): the sync loop says why.
			backoff = min(max(2*backoff, time.Second), maxBackoff)
			pause(backoff)
		default:
			// The request broke on the way: open another, then one every
			// second while the link is down.
			pause(probeEvery)
		}
	}
}

// waitLive opens the live request and reads central's answer.
func (c *Client) waitLive(ctx context.Context, link Link) (WaitAnswer, error) {
	req := WaitRequest{NodeEpoch: c.db.Node().Epoch, Epoch: link.CentralEpoch, Since: c.liveSince(link),
		HoldMs: liveHold.Milliseconds(), BeatMs: c.beat().Milliseconds()}
	resp, err := c.openLive(ctx, link, req)
	if err != nil {
		return WaitAnswer{}, err
	}
	defer resp.Body.Close()
	c.setLive(true)
	defer c.setLive(false)
	var ans WaitAnswer
	// Blanks come first, one every few seconds: the decoder skips them.
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return ans, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64)) // central closing the connection ends the answer
	return ans, nil
}

// openLive sends the live request and returns central's answer once it
// begins. While the link is down it sends another every probeEvery, each
// given the whole stall timeout, until one is answered: the first answered
// is kept, the others abandoned. Central refusing ends it.
func (c *Client) openLive(ctx context.Context, link Link, req WaitRequest) (*http.Response, error) {
	type attempt struct {
		i    int
		resp *http.Response
		err  error
	}
	results := make(chan attempt)
	var cancels []context.CancelFunc
	outstanding := 0
	start := func() {
		actx, cancel := context.WithCancel(ctx)
		i := len(cancels)
		cancels = append(cancels, cancel)
		outstanding++
		go func() {
			resp, err := c.post(actx, link.CentralURL, "/api/v1/sync/wait", c.credentials(link), req, c.stall, 2*c.beat())
			results <- attempt{i, resp, err}
		}()
	}
	// abandon calls off every attempt but keep, and collects them.
	abandon := func(keep int) {
		for i, cancel := range cancels {
			if i != keep {
				cancel()
			}
		}
		go func(n int) {
			for range n {
				if a := <-results; a.resp != nil {
					a.resp.Body.Close()
				}
			}
		}(outstanding)
	}
	maxProbes := int(c.stall/probeEvery) + 1
	tick := time.NewTicker(probeEvery)
	defer tick.Stop()
	start()
	for {
		select {
		case <-ctx.Done():
			abandon(-1)
			return nil, ctx.Err()
		case a := <-results:
			outstanding--
			if a.err == nil {
				abandon(a.i)
				a.resp.Body = &closeThen{ReadCloser: a.resp.Body, then: cancels[a.i]}
				return a.resp, nil
			}
			cancels[a.i]()
			var refused *refusal
			if errors.As(a.err, &refused) && !refused.outOfReach() {
				abandon(-1)
				return nil, a.err
			}
		case <-tick.C:
			if outstanding == 0 || (c.linkDown() && outstanding < maxProbes) {
				start()
			}
		}
	}
}

// beat is how often central is asked to send a blank on the live request:
// two missed say the link is down, within the stall timeout whenever the
// link went silent between two blanks.
func (c *Client) beat() time.Duration { return max(c.stall/3, 500*time.Millisecond) }

// closeThen runs then once the body is closed.
type closeThen struct {
	io.ReadCloser
	then func()
}

func (b *closeThen) Close() error {
	err := b.ReadCloser.Close()
	b.then()
	return err
}

// outOfReach reports a proxy answering for central, which it cannot reach.
func (e *refusal) outOfReach() bool {
	return e.status == http.StatusBadGateway || e.status == http.StatusServiceUnavailable || e.status == http.StatusGatewayTimeout
}

// liveSince is where central should judge from: our pull cursor, or
// further when central said it held nothing for us beyond it.
func (c *Client) liveSince(link Link) int64 {
	s := &c.state
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.checkedFor == link.CentralEpoch && link.CentralEpoch != "" {
		return max(link.PullSeq, s.checked)
	}
	return link.PullSeq
}

// noteWaitAnswer keeps what central said it holds for us (pending_in), and
// reports whether to pull.
func (c *Client) noteWaitAnswer(ctx context.Context, link Link, ans WaitAnswer) bool {
	s := &c.state
	s.mu.Lock()
	if ans.Pending == 0 && ans.Epoch == link.CentralEpoch {
		s.checked, s.checkedFor = max(s.checked, ans.To), ans.Epoch
	}
	running := s.running
	s.mu.Unlock()
	// A pull in progress keeps pending_in itself, batch after batch: a
	// "nothing" from before it would hide what it still has to fetch.
	if ans.Pending != link.PendingIn && (ans.Pending > 0 || !running) {
		if err := c.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE sync_link SET pending_in = ?", ans.Pending)
			return err
		}); err != nil && ctx.Err() == nil {
			c.log.Warn("record rows waiting on central", "err", err)
		}
	}
	return ans.Pending > 0 || ans.Epoch != link.CentralEpoch
}

func (c *Client) setLive(open bool) {
	c.state.mu.Lock()
	c.state.live = open
	c.state.mu.Unlock()
}

func (c *Client) setLiveWorks(works bool) {
	c.state.mu.Lock()
	c.state.liveWorks = works
	c.state.mu.Unlock()
}

// linkDown reports whether central is out of reach.
func (c *Client) linkDown() bool {
	c.state.mu.Lock()
	defer c.state.mu.Unlock()
	return c.state.down != nil && !c.state.refused
}
