package loadtest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/loadtest"
)

// Changes reaching the other side while the link is up, through the live
// request: a school holds one open to central, central answers it as soon
// as it commits rows for that school.
const (
	liveSamples      = 200             // changes from central
	liveSamplesUp    = 50              // changes from the school, each half a second: the settling
	liveLatency      = 2 * time.Second // target, at p99
	liveMemTarget    = 50 << 20        // central's memory for 1,000 schools holding their request
	liveWakes        = 50              // one school's change, with 1,000 waiting
	liveIdle         = 10 * time.Second
	liveNominal      = 30 * time.Second // the city's nominal sync load, without and with the live requests
	liveDSIPassword  = "tableau-noir-42"
	liveBeat         = 5 * time.Second // what a school with the default stall timeout asks
	liveHoldSchool   = time.Minute
	liveCitySchoolID = "ecole-a"
)

// BenchmarkSyncLiveLatency measures how long a change takes to reach the
// other side with the link up: two appliances in the test process on
// loopback, the school running its sync loops as `preau serve` does
// (sync.interval 1 h: nothing but the live request and the writes move
// rows). 200 accounts created on central for the school, one at a time at
// random intervals of 20 to 120 ms, each timed from its commit on central
// to its commit at the school; then 50 created at the school, timed to
// their commit on central (a school's write waits 0.5 s for others to
// gather before it is sent).
func BenchmarkSyncLiveLatency(b *testing.B) {
	logLoad(b)
	ctx := b.Context()
	central := apptest.New(b, apptest.Options{Role: "central", NoDemo: true})
	school := apptest.New(b, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": liveCitySchoolID}})
	token, err := central.Sync.Central.AddSchool(ctx, liveCitySchoolID, "École A")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := school.Sync.Client.Enroll(ctx, central.URL, token); err != nil {
		b.Fatal(err)
	}
	if _, err := school.Sync.Client.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go school.Sync.Client.Run(runCtx, time.Hour)
	for st, _ := school.Sync.Client.Status(ctx); !st.Live; st, _ = school.Sync.Client.Status(ctx) {
		time.Sleep(10 * time.Millisecond)
	}
	r := rand.New(rand.NewPCG(7, 8))
	var down, up []time.Duration
	n := 0
	b.ResetTimer()
	for range b.N {
		for range liveSamples {
			time.Sleep(time.Duration(20+r.IntN(100)) * time.Millisecond)
			n++
			down = append(down, arrival(b, central, school, fmt.Sprintf("ville%05d", n)))
		}
		for range liveSamplesUp {
			time.Sleep(time.Duration(20+r.IntN(100)) * time.Millisecond)
			n++
			up = append(up, arrival(b, school, central, fmt.Sprintf("ecole%05d", n)))
		}
	}
	b.StopTimer()
	pct := func(d []time.Duration, p float64) float64 {
		return loadtest.Result{Latencies: d}.Percentile(p).Seconds() * 1000
	}
	b.ReportMetric(pct(down, 0.5), "central_to_school_p50_ms")
	b.ReportMetric(pct(down, 0.99), "central_to_school_p99_ms")
	b.ReportMetric(pct(down, 1), "central_to_school_max_ms")
	b.ReportMetric(pct(up, 0.5), "school_to_central_p50_ms")
	b.ReportMetric(pct(up, 0.99), "school_to_central_p99_ms")
	b.Logf("central → school p50 %.0f ms, p99 %.0f ms, max %.0f ms; school → central p50 %.0f ms, p99 %.0f ms; "+
		"target p99 ≤ %s both ways %s", pct(down, 0.5), pct(down, 0.99), pct(down, 1), pct(up, 0.5), pct(up, 0.99), liveLatency,
		verdict(pct(down, 0.99) <= float64(liveLatency.Milliseconds()) && pct(up, 0.99) <= float64(liveLatency.Milliseconds())))
}

// arrival creates an account for the school on from and returns how long
// after its commit it is committed on to.
func arrival(b *testing.B, from, to *apptest.App, login string) time.Duration {
	committed := make(chan struct{}, 1)
	// OnCommit cannot be taken back: the hook of an earlier sample only
	// sends on its own channel, which nobody reads any more.
	to.DB.OnCommit(func() {
		select {
		case committed <- struct{}{}:
		default:
		}
	})
	u, err := from.Auth.CreateUser(b.Context(), auth.NewUser{Login: login, Display: "Compte " + login, Profile: auth.Teacher,
		SchoolID: liveCitySchoolID})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for {
		var one int
		if to.DB.Reader().QueryRowContext(b.Context(), "SELECT 1 FROM users WHERE id = ?", u.ID).Scan(&one) == nil {
			return time.Since(start)
		}
		if time.Since(start) > time.Minute {
			b.Fatalf("%s did not arrive", login)
		}
		select {
		case <-committed:
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// BenchmarkSyncLiveCentral runs `preau serve --role central` on the city
// of BenchmarkSyncCentral (1,000 enrolled schools, 125 with their
// accounts), and 1,000 simulated schools each holding its live request on
// its own connection, as the school's client does with the default stall
// timeout (a blank line every 5 s; held up to a minute, then sent again; on
// an answer with rows, a pull, then a new request). It measures central's
// memory before and with the 1,000 requests held; its CPU while it holds
// them and nothing happens; how long one school's change takes to wake its
// school (the DSI creating an account for it, 50 times, from the API
// request to the school's answer); how long a city-wide change (a new DSI
// account, a global row) takes to reach all 1,000, answered and pulled;
// and central's CPU under the city's nominal sync load (1,000 sessions per
// 5 minutes, pushes of 0 to 20 accounts, as BenchmarkSyncCentral) for 30 s
// without the live requests, then 30 s with them: every push's rows are
// judged for the 999 other schools waiting.
func BenchmarkSyncLiveCentral(b *testing.B) {
	bin := apptest.Binary(b)
	dir := b.TempDir()
	start := time.Now()
	schools, template := seedCity(b, dir)
	addDSI(b, dir)
	b.Logf("city seeded in %.0fs", time.Since(start).Seconds())
	metrics := apptest.FreeAddr(b)
	srv := apptest.StartServerEnv(b, bin, dir, []string{"PREAU_ROLE=central", "PREAU_METRICS_ADDR=" + metrics})
	logLoad(b)
	token := sessionToken(b, srv.URL, "dsi.bench", liveDSIPassword)
	load := &cityLoad{b: b, srv: srv, schools: schools, template: template, r: rand.New(rand.NewPCG(4, 5)),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cityWorkers * 4}, Timeout: 2 * time.Minute}}
	time.Sleep(2 * time.Second)
	b.ResetTimer()
	for range b.N {
		liveCity(b, srv, metrics, schools, load, token)
	}
}

// liveCity is one run of BenchmarkSyncLiveCentral on a started central.
func liveCity(b *testing.B, srv *apptest.Process, metrics string, schools []*loadtest.SimSchool, load *cityLoad, token string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * len(schools)}}
	without := load.nominal(liveNominal)
	time.Sleep(2 * time.Second)
	before := memory(b, srv, metrics)
	ctx, stop := context.WithCancel(b.Context())
	defer stop()
	type wake struct {
		school         int
		answered, done time.Time
	}
	woken := make(chan wake, 4*len(schools))
	var opened sync.WaitGroup
	var errs atomic.Int64
	var firstErr atomic.Value
	opened.Add(len(schools))
	for i, city := range schools {
		s := *city // its own cursor: the nominal load syncs the same schools
		go func() {
			first := true
			for ctx.Err() == nil {
				ans, err := s.Wait(ctx, client, srv.URL, liveHoldSchool, liveBeat, func() {
					if first {
						first = false
						opened.Done()
					}
				})
				if err == nil && ans.Pending > 0 {
					at := time.Now()
					if _, err = s.Session(ctx, client, srv.URL, loadtest.Push{}); err == nil {
						woken <- wake{i, at, time.Now()}
					}
				}
				if err != nil && ctx.Err() == nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err)
					time.Sleep(time.Second)
				}
			}
		}()
	}
	opened.Wait()
	time.Sleep(3 * time.Second)
	held := memory(b, srv, metrics)

	cpu0, _ := srv.CPUTime()
	idleStart := time.Now()
	time.Sleep(liveIdle)
	cpu1, _ := srv.CPUTime()
	idleCPU := (cpu1 - cpu0).Seconds() / time.Since(idleStart).Seconds() / float64(runtime.NumCPU()) * 100

	// One school's change, the 999 others waiting.
	r := rand.New(rand.NewPCG(9, 10))
	var one, api []time.Duration
	for k := range liveWakes {
		i := r.IntN(len(schools))
		sent := time.Now()
		createAccount(b, srv.URL, token, fmt.Sprintf("bench.dsi%03d", k), schools[i].ID)
		api = append(api, time.Since(sent))
		deadline := time.After(time.Minute)
	wait:
		for {
			select {
			case w := <-woken:
				if w.school == i {
					one = append(one, w.answered.Sub(sent))
					break wait
				}
			case <-deadline:
				b.Fatalf("%s not woken after a minute", schools[i].ID)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A city-wide change: every school is woken and pulls.
	for len(woken) > 0 {
		<-woken
	}
	returned := time.Now()
	createAccount(b, srv.URL, token, "bench.dsi.ville", "")
	var answered []time.Duration
	var allPulled time.Duration
	seen := map[int]bool{}
	timeout := time.After(2 * time.Minute)
	for len(seen) < len(schools) {
		select {
		case w := <-woken:
			if !seen[w.school] {
				seen[w.school] = true
				answered = append(answered, w.answered.Sub(returned))
				allPulled = max(allPulled, w.done.Sub(returned))
			}
		case <-timeout:
			b.Fatalf("after 2 min, %d schools of %d woken by a city-wide change", len(seen), len(schools))
		}
	}

	// The nominal load again, the 1,000 requests held: the schools woken by
	// it pull, as they would.
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			select {
			case <-woken:
			case <-ctx.Done():
				return
			}
		}
	}()
	with := load.nominal(liveNominal)
	stop()
	<-drained

	pct := func(d []time.Duration, p float64) float64 {
		return loadtest.Result{Latencies: d}.Percentile(p).Seconds() * 1000
	}
	cores := float64(runtime.NumCPU())
	cpuWithout := without.serverCPU.Seconds() / without.elapsed.Seconds() / cores * 100
	cpuWith := with.serverCPU.Seconds() / with.elapsed.Seconds() / cores * 100
	delta := held.rss - before.rss
	b.ReportMetric(float64(before.rss)/(1<<20), "rss_before_MB")
	b.ReportMetric(float64(held.rss)/(1<<20), "rss_held_MB")
	b.ReportMetric(float64(delta)/(1<<20), "rss_delta_MB")
	b.ReportMetric(float64(delta)/float64(len(schools))/1024, "KB/school")
	b.ReportMetric(float64(held.heap-before.heap)/(1<<20), "heap_delta_MB")
	b.ReportMetric(float64(held.goroutines-before.goroutines), "goroutines_delta")
	b.ReportMetric(idleCPU, "idle_cpu_pct")
	b.ReportMetric(pct(one, 0.5), "wake_p50_ms")
	b.ReportMetric(pct(one, 0.99), "wake_p99_ms")
	b.ReportMetric(pct(api, 0.5), "api_p50_ms")
	b.ReportMetric(pct(answered, 0.5), "citywide_p50_ms")
	b.ReportMetric(pct(answered, 0.99), "citywide_p99_ms")
	b.ReportMetric(allPulled.Seconds()*1000, "citywide_all_pulled_ms")
	b.ReportMetric(cpuWithout, "nominal_cpu_pct")
	b.ReportMetric(cpuWith, "nominal_live_cpu_pct")
	b.ReportMetric(with.percentile(0.99).Seconds()*1000, "nominal_live_p99_ms")
	b.ReportMetric(float64(errs.Load()+int64(without.errors+with.errors)), "errors")
	if errs.Load() > 0 || without.firstErr != nil || with.firstErr != nil {
		b.Errorf("%d live requests failed, the first: %v; sessions: %v %v\n%s", errs.Load(), firstErr.Load(), without.firstErr,
			with.firstErr, srv.Output())
	}
	b.Logf("central with %d schools holding their live request: RSS %.1f → %.1f MB (%+.1f MB, %.1f KB a school), "+
		"Go heap %+.1f MB, %+d goroutines: target ≤ %d MB %s; holding them idle: %.1f %% of the cores; "+
		"one school's change answered in p50 %.0f ms, p99 %.0f ms from the DSI's request (which takes %.0f ms itself, a password hashed); "+
		"a city-wide change answered at all %d in p50 %.0f ms, p99 %.0f ms, "+
		"all pulled within %.0f ms; nominal sync load %.1f %% of the cores without the live requests, %.1f %% with them "+
		"(sessions p99 %.0f ms, %.0f ms)", len(schools), float64(before.rss)/(1<<20), float64(held.rss)/(1<<20),
		float64(delta)/(1<<20), float64(delta)/float64(len(schools))/1024, float64(held.heap-before.heap)/(1<<20),
		held.goroutines-before.goroutines, liveMemTarget>>20, verdict(delta <= liveMemTarget), idleCPU, pct(one, 0.5), pct(one, 0.99),
		pct(api, 0.5), len(schools), pct(answered, 0.5), pct(answered, 0.99), allPulled.Seconds()*1000, cpuWithout, cpuWith,
		without.percentile(0.99).Seconds()*1000, with.percentile(0.99).Seconds()*1000)
}

// BenchmarkSyncLiveHeld measures what a held live request costs central,
// exactly: central in the test process (apptest, 1,000 schools enrolled),
// 1,000 requests sent on raw TCP connections that then only receive (the
// client side holds no goroutine and little memory), and the Go runtime's
// own figures after two collections, before and with the requests held.
func BenchmarkSyncLiveHeld(b *testing.B) {
	ctx := b.Context()
	central := apptest.New(b, apptest.Options{Role: "central", NoDemo: true})
	var schools []*loadtest.SimSchool
	for i := range citySchools {
		s, err := loadtest.EnrollSchool(ctx, central.DB, central.Sync.Central, loadtest.CitySchoolID(i))
		if err != nil {
			b.Fatal(err)
		}
		schools = append(schools, s)
	}
	if err := loadtest.Settle(ctx, central.DB, schools); err != nil {
		b.Fatal(err)
	}
	addr := strings.TrimPrefix(central.URL, "http://")
	stats := func() (runtime.MemStats, int) {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m, runtime.NumGoroutine()
	}
	var heap, stack, goroutines float64
	b.ResetTimer()
	for range b.N {
		m0, g0 := stats()
		conns := make([]net.Conn, 0, len(schools))
		for _, s := range schools {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := json.Marshal(s.WaitRequestNow(central.DB.Node().Epoch, liveHoldSchool, liveBeat))
			fmt.Fprintf(c, "POST /api/v1/sync/wait HTTP/1.1\r\nHost: central\r\nAuthorization: Node %s:%s\r\n"+
				"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", s.ID, s.Key, len(body), body)
			conns = append(conns, c)
		}
		for _, c := range conns { // every request is held: its headers came back
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
				b.Fatalf("no answer: %v", err)
			}
		}
		m1, g1 := stats()
		heap += float64(int64(m1.HeapInuse) - int64(m0.HeapInuse))
		stack += float64(int64(m1.StackInuse) - int64(m0.StackInuse))
		goroutines += float64(g1 - g0)
		for _, c := range conns {
			c.Close()
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(heap/n/(1<<20), "heap_MB")
	b.ReportMetric(stack/n/(1<<20), "stack_MB")
	b.ReportMetric((heap+stack)/n/float64(len(schools)), "B/request")
	b.ReportMetric(goroutines/n, "goroutines")
	b.Logf("%d live requests held: Go heap %+.2f MB, stacks %+.2f MB, %+.0f goroutines: %.0f bytes a request, "+
		"the test's own client connections included; target ≤ %d MB %s", len(schools), heap/n/(1<<20), stack/n/(1<<20),
		goroutines/n, (heap+stack)/n/float64(len(schools)), liveMemTarget>>20, verdict((heap+stack)/n <= liveMemTarget))
}

// addDSI gives central's data directory a DSI account with a password,
// before its server starts.
func addDSI(b *testing.B, dir string) {
	ctx := b.Context()
	_, db, users := apptest.OpenDataDir(b, dir, map[string]string{"role": "central"})
	defer db.Close()
	if _, err := users.CreateUser(ctx, auth.NewUser{Login: "dsi.bench", Display: "DSI",
		Profile: auth.DSI, Password: liveDSIPassword}); err != nil {
		b.Fatal(err)
	}
}

func sessionToken(b *testing.B, base, login, password string) string {
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	resp, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		b.Fatalf("login %s: %d %v", login, resp.StatusCode, err)
	}
	return out.Token
}

// createAccount has the DSI create a teacher of school, or a DSI account
// (a global row) when school is "".
func createAccount(b *testing.B, base, token, login, school string) {
	in := map[string]string{"login": login, "display_name": "Compte " + login, "profile": "teacher", "school_id": school,
		"password": liveDSIPassword}
	if school == "" {
		in["profile"] = "dsi"
	}
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/users", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		data, _ := io.ReadAll(resp.Body)
		b.Fatalf("create %s: %d %s", login, resp.StatusCode, data)
	}
}

// serverMemory is a server's resident memory, Go heap and goroutines.
type serverMemory struct {
	rss, heap, goroutines int64
}

func memory(b *testing.B, srv *apptest.Process, metricsAddr string) serverMemory {
	var m serverMemory
	var err error
	if m.rss, err = srv.RSS(); err != nil {
		b.Fatal(err)
	}
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "preau_go_heap_bytes":
			m.heap = int64(v)
		case "preau_goroutines":
			m.goroutines = int64(v)
		}
	}
	return m
}
