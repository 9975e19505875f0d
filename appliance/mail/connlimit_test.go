package mail

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// Over a cap, a connection is told busy and closed; a place given back
// is taken again.
func TestLimitConns(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := limitConns(ln, 10, 1, "421 busy\r\n")
	defer l.Close()
	accepted := make(chan net.Conn)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	dial()
	first := <-accepted
	second := dial()
	second.SetReadDeadline(time.Now().Add(10 * time.Second))
	if line, err := bufio.NewReader(second).ReadString('\n'); err != nil || line != "421 busy\r\n" {
		t.Errorf("a second connection from the same host: %q %v", line, err)
	}
	first.Close()
	first.Close() // a place is given back once
	dial()
	select {
	case <-accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("the place given back is not taken again")
	}
	ll := l.(*limitedListener)
	ll.mu.Lock()
	defer ll.mu.Unlock()
	if ll.open != 1 || ll.hosts["127.0.0.1"] != 1 {
		t.Errorf("%d connections counted open, %v by host; want 1", ll.open, ll.hosts)
	}
}
