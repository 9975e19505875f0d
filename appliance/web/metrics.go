package web

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"preau/appliance/store"
)

// metrics keeps request counts and latency histograms per route pattern, in
// memory, and writes them in Prometheus' text format. A client library would
// add weight for the few series an appliance has.
type metrics struct {
	mu     sync.Mutex
	counts map[[2]string]int64 // (route, status class) → requests
	hist   map[string]*histogram
	start  time.Time
}

var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type histogram struct {
	counts []int64 // one per bucket, cumulative at output
	sum    float64
	n      int64
}

func newMetrics() *metrics {
	return &metrics{counts: make(map[[2]string]int64), hist: make(map[string]*histogram), start: time.Now()}
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts[[2]string{route, fmt.Sprintf("%dxx", status/100)}]++
	h := m.hist[route]
	if h == nil {
		h = &histogram{counts: make([]int64, len(buckets))}
		m.hist[route] = h
	}
	sec := d.Seconds()
	for i, b := range buckets {
		if sec <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.n++
}

// MetricsHandler serves /metrics alone, without a session: for the listener
// on metrics.addr, which only this machine (or the DSI's monitoring network)
// reaches. Its scrapes are not counted as requests: they are not users'.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	return SecureHeaders(mux)
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m := s.metrics
	m.mu.Lock()
	var b strings.Builder
	b.WriteString("# HELP preau_http_requests_total HTTP requests by route and status class.\n# TYPE preau_http_requests_total counter\n")
	keys := make([][2]string, 0, len(m.counts))
	for k := range m.counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(&b, "preau_http_requests_total{route=%q,code=%q} %d\n", k[0], k[1], m.counts[k])
	}
	b.WriteString("# HELP preau_http_request_duration_seconds Request latency by route.\n# TYPE preau_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(m.hist))
	for r := range m.hist {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, route := range routes {
		h := m.hist[route]
		var cum int64
		for i, le := range buckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "preau_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", route, le, cum)
		}
		fmt.Fprintf(&b, "preau_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", route, h.n)
		fmt.Fprintf(&b, "preau_http_request_duration_seconds_sum{route=%q} %g\n", route, h.sum)
		fmt.Fprintf(&b, "preau_http_request_duration_seconds_count{route=%q} %d\n", route, h.n)
	}
	uptime := time.Since(m.start).Seconds()
	m.mu.Unlock()

	a := s.Auth
	b.WriteString("# HELP preau_logins_total Login attempts by result.\n# TYPE preau_logins_total counter\n")
	fmt.Fprintf(&b, "preau_logins_total{result=\"ok\"} %d\n", a.Logins.OK.Load())
	fmt.Fprintf(&b, "preau_logins_total{result=\"failed\"} %d\n", a.Logins.Failed.Load())
	fmt.Fprintf(&b, "preau_logins_total{result=\"throttled\"} %d\n", a.Logins.Throttled.Load())

	st := s.DB.Reader().Stats()
	b.WriteString("# HELP preau_store_readers_open Open reader connections.\n# TYPE preau_store_readers_open gauge\n")
	fmt.Fprintf(&b, "preau_store_readers_open %d\n", st.OpenConnections)
	b.WriteString("# HELP preau_store_reader_wait_seconds_total Time spent waiting for a reader connection.\n# TYPE preau_store_reader_wait_seconds_total counter\n")
	fmt.Fprintf(&b, "preau_store_reader_wait_seconds_total %g\n", st.WaitDuration.Seconds())
	if fi, err := os.Stat(filepath.Join(s.DB.Dir(), store.DBFile)); err == nil {
		b.WriteString("# HELP preau_store_size_bytes Size of the database file.\n# TYPE preau_store_size_bytes gauge\n")
		fmt.Fprintf(&b, "preau_store_size_bytes %d\n", fi.Size())
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.WriteString("# HELP preau_go_heap_bytes Go heap in use.\n# TYPE preau_go_heap_bytes gauge\n")
	fmt.Fprintf(&b, "preau_go_heap_bytes %d\n", ms.HeapInuse)
	b.WriteString("# HELP preau_goroutines Goroutines.\n# TYPE preau_goroutines gauge\n")
	fmt.Fprintf(&b, "preau_goroutines %d\n", runtime.NumGoroutine())
	b.WriteString("# HELP preau_uptime_seconds Seconds since start.\n# TYPE preau_uptime_seconds gauge\n")
	fmt.Fprintf(&b, "preau_uptime_seconds %g\n", uptime)
	w.Write([]byte(b.String()))
}
