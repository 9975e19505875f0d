package loadtest_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"preau/appliance/loadtest"
)

// The sync benchmarks' figures are worth what the shaper's pacing is: it
// must never let bytes through faster than its rate, and not much slower.
func TestShaperPaces(t *testing.T) {
	const size, bits = 512 << 10, 8e6 // half a second at 1 MB/s
	body := bytes.Repeat([]byte("x"), size)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		if n != size {
			w.WriteHeader(http.StatusBadRequest)
		}
		w.Write(body)
	}))
	defer srv.Close()
	link, err := loadtest.NewShaper(srv.Listener.Addr().String(), bits)
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	start := time.Now()
	resp, err := http.Post(link.URL(), "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil || resp.StatusCode != http.StatusOK || len(got) != size {
		t.Fatalf("status %d, %d bytes back, %v", resp.StatusCode, len(got), err)
	}
	up, down := link.Bytes()
	if up < size || down < size {
		t.Fatalf("relayed %d up and %d down, want at least %d each way", up, down, size)
	}
	// Each way runs at the rate on its own (full duplex), and the answer
	// only starts once the request has arrived: two sizes in sequence,
	// minus each bucket's burst.
	floor := time.Duration(float64(2*size-2*64<<10) / (bits / 8) * float64(time.Second))
	if elapsed < floor {
		t.Fatalf("%d bytes each way in %s: faster than %.0f Mbit/s (at least %s)", size, elapsed, bits/1e6, floor)
	}
	if elapsed > 4*floor {
		t.Fatalf("%d bytes each way in %s: far slower than %.0f Mbit/s", size, elapsed, bits/1e6)
	}
}

// Close cuts the connections in progress, so that nothing outlives a
// benchmark.
func TestShaperCloseCuts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			io.Copy(io.Discard, c) // holds the connection open
		}
	}()
	link, err := loadtest.NewShaper(ln.Addr().String(), 8e6)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", link.URL()[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("bonjour"))
	done := make(chan struct{})
	go func() {
		link.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return while a connection was open")
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("the connection survived Close")
	}
}
