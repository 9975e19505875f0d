package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Result is what a load run measured.
type Result struct {
	OK        int           // answers with the expected status
	Sent      int           // every request, the warm-up's included
	Errors    int           // transport errors and unexpected statuses
	FirstErr  error         // the first of them, to say what went wrong
	Elapsed   time.Duration // wall time of the measured part
	Latencies []time.Duration
}

// RPS is the rate of good answers.
func (r Result) RPS() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

// Percentile returns the latency below which p (0–1) of the requests fell.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	l := slices.Clone(r.Latencies)
	slices.Sort(l)
	return l[min(len(l)-1, int(p*float64(len(l))))]
}

// Burst sends n requests at the same instant, as n pupils pressing « Entrer »
// together would: every request is built and its goroutine waiting before
// the gate opens, each gets its own connection, and Burst returns when all
// have been answered. Elapsed runs from the gate to the last answer.
func Burst(ctx context.Context, n int, newReq func(i int) (*http.Request, error), want int) Result {
	tr := &http.Transport{MaxIdleConnsPerHost: n}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var (
		gate = make(chan struct{})
		wg   sync.WaitGroup
		mu   sync.Mutex
		res  = Result{Latencies: make([]time.Duration, 0, n)}
	)
	record := func(d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			res.Errors++
			if res.FirstErr == nil {
				res.FirstErr = err
			}
			return
		}
		res.OK++
		res.Latencies = append(res.Latencies, d)
	}
	for i := range n {
		req, err := newReq(i)
		if err != nil {
			record(0, err)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			start := time.Now()
			err := send(client, req.WithContext(ctx), want)
			record(time.Since(start), err)
		}()
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Sent = n
	return res
}

// Throughput runs workers that send requests back to back on keep-alive
// connections for warmup plus d, and counts the answers of the last d,
// with each one's latency.
func Throughput(ctx context.Context, workers int, warmup, d time.Duration, newReq func() (*http.Request, error), want int) Result {
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	from := time.Now().Add(warmup)
	until := from.Add(d)
	var (
		sent atomic.Int64
		mu   sync.Mutex
		res  = Result{Elapsed: d}
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var bad int
			var firstErr error
			defer func() {
				mu.Lock()
				defer mu.Unlock()
				res.OK += len(mine)
				res.Latencies = append(res.Latencies, mine...)
				res.Errors += bad
				if res.FirstErr == nil {
					res.FirstErr = firstErr
				}
			}()
			for ctx.Err() == nil {
				start := time.Now()
				req, err := newReq()
				if err == nil {
					err = send(client, req.WithContext(ctx), want)
				}
				sent.Add(1)
				now := time.Now()
				if now.After(until) {
					return
				}
				if start.Before(from) {
					continue
				}
				if err != nil {
					bad++
					if firstErr == nil {
						firstErr = err
					}
				} else {
					mine = append(mine, now.Sub(start))
				}
			}
		}()
	}
	wg.Wait()
	res.Sent = int(sent.Load())
	return res
}

// send does one request and reads the whole answer, as a browser would.
func send(client *http.Client, req *http.Request, want int) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
	}
	return nil
}

// SelfCPU is the CPU time this process, the load generator, has used.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // cannot fail with these arguments
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
