package mail

import (
	"net"
	"sync"
	"time"
)

// limitConns caps the connections a listener lets through at once, in all
// and from one address, so that one machine (a broken client retrying in
// a loop, or a hostile one) cannot take every connection a server has. A
// connection over a cap is told busy, in the protocol's words, and closed.
func limitConns(ln net.Listener, total, perHost int, busy string) net.Listener {
	return &limitedListener{Listener: ln, total: total, perHost: perHost, busy: []byte(busy), hosts: map[string]int{}}
}

type limitedListener struct {
	net.Listener
	total, perHost int
	busy           []byte

	mu    sync.Mutex
	open  int
	hosts map[string]int
}

func (l *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := hostOf(c.RemoteAddr())
		if l.take(host) {
			return &limitedConn{Conn: c, release: func() { l.release(host) }}, nil
		}
		go func() {
			c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			c.Write(l.busy)
			c.Close()
		}()
	}
}

func (l *limitedListener) take(host string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open >= l.total || l.hosts[host] >= l.perHost {
		return false
	}
	l.open++
	l.hosts[host]++
	return true
}

func (l *limitedListener) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.hosts[host]--; l.hosts[host] <= 0 {
		delete(l.hosts, host)
	}
}

// limitedConn gives its place back once, when closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// hostOf is the IP address of a client, as the throttle and the logs
// know it (web.ClientIP's form).
func hostOf(addr net.Addr) string {
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}
