package sync

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"preau/appliance/i18n"
	gosync "sync"
	"time"
)

// A link to central can go silent: an interface down, a router that
// forgets a connection without a word. No overall timeout tells a silent
// link from a large transfer that is working, so every exchange watches
// its own progress: each byte sent or received pushes its deadline back,
// and sync.stall_timeout without one abandons the exchange.

// stallError says an exchange was abandoned for lack of progress.
type stallError struct {
	after   time.Duration
	waiting bool // for central's answer, the request sent
}

func (e *stallError) Error() string { return e.message().String() }

// Localize says the stall in lang.
func (e *stallError) Localize(lang i18n.Lang) string { return e.message().In(lang) }

func (e *stallError) message() i18n.Message {
	after := e.after.Round(time.Second).String()
	if e.waiting {
		return i18n.M("sync.err.no_answer", "After", after)
	}
	return i18n.M("sync.err.silent", "After", after)
}

// linkError is an exchange broken on the way, in words for people; the
// network's own error is kept for the logs.
type linkError struct{ cause error }

func (e *linkError) Error() string { return i18n.M(e.key()).String() }

// Localize says the broken link in lang.
func (e *linkError) Localize(lang i18n.Lang) string { return i18n.M(e.key()).In(lang) }

func (e *linkError) key() string {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(e.cause, &dns):
		return "sync.err.dns"
	case errors.As(e.cause, &op) && op.Op == "dial":
		return "sync.err.refused"
	}
	return "sync.err.broken"
}

func (e *linkError) Unwrap() error { return e.cause }

// newTransport is the HTTP transport to central: TCP keep-alives that
// notice a dead idle connection, and HTTP/1.1 only, so that each exchange
// has its own connection and a stalled one stalls nothing else.
func newTransport(stall time.Duration) *http.Transport {
	probe := max(stall/3, time.Second)
	d := &net.Dialer{Timeout: stall, KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: probe, Interval: probe, Count: 3}}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = d.DialContext
	t.TLSHandshakeTimeout = stall
	t.MaxIdleConnsPerHost = 4
	t.ForceAttemptHTTP2 = false
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true)
	return t
}

// watch is one exchange's deadline.
type watch struct {
	c       *Client
	stall   time.Duration   // between two bytes
	answer  time.Duration   // from the request sent to the first byte of the answer
	parent  context.Context // the caller's
	ctx     context.Context // the exchange's: parent, or abandoned
	cancel  context.CancelCauseFunc
	mu      gosync.Mutex
	timer   *time.Timer
	last    time.Time // the last progress
	waiting bool      // the request is sent, no answer yet
}

// do sends req, abandoning it when no byte moves for silence, or when
// central has not begun to answer within answer of the request being
// sent. The response's body must be closed. Bytes from central count as
// hearing from it; an exchange that fails puts the link down, unless
// central was heard on another connection since (see Client.unreachable).
func (c *Client) do(req *http.Request, answer, silence time.Duration) (*http.Response, error) {
	parent := req.Context()
	ctx, cancel := context.WithCancelCause(parent)
	w := &watch{c: c, stall: silence, answer: answer, parent: parent, ctx: ctx, cancel: cancel, last: time.Now()}
	w.timer = time.AfterFunc(silence, w.expire)
	req = req.WithContext(ctx)
	if req.Body != nil {
		req.Body = &sentBody{ReadCloser: req.Body, w: w}
		if get := req.GetBody; get != nil {
			req.GetBody = func() (io.ReadCloser, error) {
				b, err := get()
				if err != nil {
					return nil, err
				}
				return &sentBody{ReadCloser: b, w: w}, nil
			}
		}
	} else {
		w.sent()
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, w.fail(err)
	}
	w.heard()
	resp.Body = &answerBody{ReadCloser: resp.Body, w: w}
	return resp, nil
}

func (w *watch) expire() {
	w.mu.Lock()
	err := &stallError{after: w.stall, waiting: w.waiting}
	if w.waiting {
		err.after = w.answer
	}
	w.mu.Unlock()
	w.cancel(err)
}

func (w *watch) reset(d time.Duration) {
	w.mu.Lock()
	w.last = time.Now()
	w.timer.Reset(d)
	w.mu.Unlock()
}

// sent starts the wait for central's answer.
func (w *watch) sent() {
	w.mu.Lock()
	if !w.waiting {
		w.waiting = true
		w.timer.Reset(w.answer)
	}
	w.mu.Unlock()
}

// heard notes bytes from central.
func (w *watch) heard() {
	w.mu.Lock()
	w.waiting = false
	w.last = time.Now()
	w.timer.Reset(w.stall)
	last := w.last
	w.mu.Unlock()
	w.c.heard(last)
}

// fail turns a failed exchange's error into the reason people read, and
// reports it unless the exchange was called off on our side.
func (w *watch) fail(err error) error {
	w.timer.Stop()
	defer w.cancel(nil)
	if w.parent.Err() != nil { // called off here: not the link's doing
		if cause := context.Cause(w.parent); cause != nil {
			return cause
		}
		return err
	}
	var stall *stallError
	if errors.As(context.Cause(w.ctx), &stall) {
		err = stall
	} else {
		err = &linkError{cause: err}
	}
	w.mu.Lock()
	last := w.last
	w.mu.Unlock()
	w.c.unreachable(err, last)
	return err
}

// sentBody counts the request's bytes as progress; once it is all read,
// the wait for central's answer begins.
type sentBody struct {
	io.ReadCloser
	w *watch
}

func (b *sentBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.w.reset(b.w.stall)
	}
	if err == io.EOF {
		b.w.sent()
	}
	return n, err
}

func (b *sentBody) Close() error {
	b.w.sent()
	return b.ReadCloser.Close()
}

// answerBody counts central's bytes as hearing from it.
type answerBody struct {
	io.ReadCloser
	w *watch
}

func (b *answerBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.w.heard()
	}
	if err != nil && err != io.EOF {
		err = b.w.fail(err)
	}
	return n, err
}

func (b *answerBody) Close() error {
	b.w.timer.Stop()
	err := b.ReadCloser.Close()
	b.w.cancel(nil)
	return err
}
