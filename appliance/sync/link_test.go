package sync_test

import (
	"net"
	gosync "sync"
	"testing"
)

// faultLink is a TCP proxy standing for a school's link to central, with
// the faults a fibre really has, on command:
//
//   - Blackhole: the interface goes down. Nothing passes either way and no
//     connection is closed: a write is never answered, a read never returns.
//     New connections are accepted (the school's own router answers) and
//     what they send goes nowhere.
//   - Cut: central or the router refuses: every connection is closed, and
//     new ones are closed as soon as accepted.
//   - Restore: new connections pass again. Those opened before stay silent
//     for good, as after a router restart that forgot them: the school must
//     open new ones rather than wait on the old.
type faultLink struct {
	ln       net.Listener
	upstream string

	mu    gosync.Mutex
	state linkState
	conns map[*proxied]bool
}

type linkState int

const (
	linkOpen linkState = iota
	linkBlackholed
	linkCut
)

// proxied is one connection through the link.
type proxied struct {
	down, up net.Conn
	mu       gosync.Mutex
	dead     bool          // blackholed: nothing passes any more
	closed   chan struct{} // closed with the connection
	once     gosync.Once
}

func newFaultLink(t *testing.T, upstream string) *faultLink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &faultLink{ln: ln, upstream: upstream, conns: map[*proxied]bool{}}
	t.Cleanup(l.close)
	go l.serve()
	return l
}

func (l *faultLink) URL() string { return "http://" + l.ln.Addr().String() }

// Blackhole silences every connection, open or to come.
func (l *faultLink) Blackhole() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.state = linkBlackholed
	for p := range l.conns {
		p.silence()
	}
}

// Cut closes every connection, and those to come.
func (l *faultLink) Cut() {
	l.mu.Lock()
	l.state = linkCut
	conns := l.conns
	l.conns = map[*proxied]bool{}
	l.mu.Unlock()
	for p := range conns {
		p.close()
	}
}

// Restore lets new connections through; the blackholed ones stay silent.
func (l *faultLink) Restore() {
	l.mu.Lock()
	l.state = linkOpen
	l.mu.Unlock()
}

func (l *faultLink) close() {
	l.ln.Close()
	l.Cut()
}

func (l *faultLink) serve() {
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			return
		}
		go l.relay(conn)
	}
}

func (l *faultLink) relay(down net.Conn) {
	l.mu.Lock()
	state := l.state
	l.mu.Unlock()
	if state == linkCut {
		down.Close()
		return
	}
	up, err := net.Dial("tcp", l.upstream)
	if err != nil {
		down.Close()
		return
	}
	p := &proxied{down: down, up: up, closed: make(chan struct{})}
	l.mu.Lock()
	if l.state != linkOpen {
		p.dead = true
	}
	if l.state == linkCut {
		l.mu.Unlock()
		p.close()
		return
	}
	l.conns[p] = true
	l.mu.Unlock()
	go p.pipe(up, down)
	p.pipe(down, up)
	l.mu.Lock()
	delete(l.conns, p)
	l.mu.Unlock()
}

// pipe copies src to dst until either ends; once the connection is
// silenced, what it reads stays with it and it reads no more, so that the
// sender's buffers fill as on a dead link.
func (p *proxied) pipe(src, dst net.Conn) {
	defer p.close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			dead := p.dead
			p.mu.Unlock()
			if dead {
				<-p.closed
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *proxied) silence() {
	p.mu.Lock()
	p.dead = true
	p.mu.Unlock()
}

func (p *proxied) close() {
	p.once.Do(func() {
		close(p.closed)
		p.down.Close()
		p.up.Close()
	})
}
