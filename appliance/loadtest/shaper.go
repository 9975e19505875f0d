package loadtest

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Shaper is a TCP proxy on loopback that paces the bytes it relays the way
// a school's fibre does: a token bucket per direction (the link is full
// duplex), shared by every connection, as `tc ... tbf` shapes an interface.
// It stands in for the link in the sync benchmarks, so that a drain is
// measured against a known rate rather than against loopback's gigabytes.
type Shaper struct {
	ln       net.Listener
	upstream string
	up, down *bucket
	upBytes  atomic.Int64 // client → upstream
	dnBytes  atomic.Int64 // upstream → client

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// shaperChunk is the most a relay reads before asking the bucket; the
// bucket's burst holds a few of them, so that a sleep that overshoots by a
// millisecond or two loses no rate.
const (
	shaperChunk = 16 << 10
	shaperBurst = 4 * shaperChunk
)

// NewShaper listens on a free 127.0.0.1 port and relays every connection to
// upstream (host:port) at bitsPerSecond each way. Close stops it.
func NewShaper(upstream string, bitsPerSecond float64) (*Shaper, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Shaper{ln: ln, upstream: upstream, up: newBucket(bitsPerSecond / 8), down: newBucket(bitsPerSecond / 8),
		conns: make(map[net.Conn]struct{})}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// URL is the shaped link's address, for an HTTP client.
func (s *Shaper) URL() string { return "http://" + s.ln.Addr().String() }

// Bytes are the bytes relayed so far: up (client to upstream) and down.
func (s *Shaper) Bytes() (up, down int64) { return s.upBytes.Load(), s.dnBytes.Load() }

// Close stops accepting, cuts the open connections and waits for the relays.
func (s *Shaper) Close() error {
	err := s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Shaper) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go s.relay(c)
	}
}

// track records open connections so that Close can cut them; false when
// the shaper is closing.
func (s *Shaper) track(cs ...net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cs {
		s.conns[c] = struct{}{}
	}
	return !s.closed
}

func (s *Shaper) untrack(cs ...net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cs {
		delete(s.conns, c)
	}
}

func (s *Shaper) relay(client net.Conn) {
	defer s.wg.Done()
	defer client.Close()
	server, err := net.Dial("tcp", s.upstream)
	if err != nil {
		return
	}
	defer server.Close()
	defer s.untrack(client, server)
	if !s.track(client, server) {
		return
	}
	done := make(chan struct{}, 2)
	go func() { pace(server, client, s.up, &s.upBytes); done <- struct{}{} }()
	go func() { pace(client, server, s.down, &s.dnBytes); done <- struct{}{} }()
	<-done // one side ended: HTTP needs no half-open connection
	client.Close()
	server.Close()
	<-done
}

// pace copies src to dst, each chunk only once the bucket lets it through.
func pace(dst io.Writer, src io.Reader, b *bucket, count *atomic.Int64) {
	buf := make([]byte, shaperChunk)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			b.take(n)
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			count.Add(int64(n))
		}
		if err != nil {
			return
		}
	}
}

// bucket is a token bucket that lets takers run into debt: each waits until
// its bytes are paid for, so concurrent connections share the rate in the
// order they asked, and over any interval at most burst + rate × interval
// bytes pass.
type bucket struct {
	mu     sync.Mutex
	rate   float64 // bytes per second
	tokens float64
	last   time.Time
}

func newBucket(bytesPerSecond float64) *bucket {
	return &bucket{rate: bytesPerSecond, tokens: shaperBurst, last: time.Now()}
}

func (b *bucket) take(n int) {
	b.mu.Lock()
	now := time.Now()
	b.tokens = min(shaperBurst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens -= float64(n)
	wait := time.Duration(-b.tokens / b.rate * float64(time.Second))
	b.mu.Unlock()
	if wait > 0 {
		time.Sleep(wait)
	}
}
