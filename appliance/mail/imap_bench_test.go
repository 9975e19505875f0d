package mail_test

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/feature"
)

// BenchmarkIMAPIdleConnection measures what a client signed in, its inbox
// selected and idling, costs the server: B/conn, heap and stacks.
func BenchmarkIMAPIdleConnection(b *testing.B) {
	a, n, addr := imapNode(b, apptest.Options{})
	teacher, director := a.User("enseignant"), a.User("directeur")
	for i := range 50 {
		sendAs(b, n.S, director, fmt.Sprintf("Message %d", i), "texte", teacher)
	}
	measure := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse + m.StackInuse
	}
	idle := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(c, "L LOGIN enseignant %s\r\nS SELECT INBOX\r\nI IDLE\r\n", feature.DemoPassword)
		r := bufio.NewReaderSize(c, 64)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				b.Fatal(err)
			}
			if strings.HasPrefix(l, "+ ") {
				return c
			}
		}
	}
	idle().Close() // the first session's one-time costs out of the count
	time.Sleep(2 * time.Second)
	before := measure()
	conns := make([]net.Conn, 0, b.N)
	for range b.N {
		conns = append(conns, idle())
	}
	b.StopTimer()
	time.Sleep(2 * time.Second) // the password hashes' memory goes back
	after := measure()
	b.ReportMetric(float64(int64(after)-int64(before))/float64(b.N), "B/conn")
	for _, c := range conns {
		c.Close()
	}
}
