package loadtest_test

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/loadtest"
	"preau/appliance/roster"
	"preau/appliance/store"
	psync "preau/appliance/sync"
)

// The city's central server and its schools in steady state.
const (
	citySchools  = 1000
	cityAccounts = 125 // schools with a school's worth of accounts: 30,125 users
	cityInterval = 5 * time.Minute
	cityMaxPush  = 20               // rows a session pushes: 0 to 20
	cityWindow   = 90 * time.Second // at the nominal rate
	cityWorkers  = 8                // sessions at once, at full throughput
)

// BenchmarkSyncCentral runs `preau serve --role central` on a city of
// 1,000 enrolled schools, 125 of them with their accounts, and plays the
// schools' sync sessions against it over loopback: each a push of 0 to 20
// rows of the school's accounts (none sent when 0, as the client does),
// then pulls until central has nothing more for it. One cycle of the 1,000
// schools at full throughput first, unmeasured, so that every school's
// cursor stands one cycle behind the log's head as it would every 5
// minutes; then a second cycle at full throughput (8 sessions at once),
// then 90 s at the nominal rate, 1,000 schools per 5 minutes arriving at
// random (Poisson).
func BenchmarkSyncCentral(b *testing.B) {
	bin := apptest.Binary(b)
	dir := b.TempDir()
	start := time.Now()
	schools, template := seedCity(b, dir)
	b.Logf("city seeded in %.0fs", time.Since(start).Seconds())
	srv := apptest.StartServerEnv(b, bin, dir, []string{"PREAU_ROLE=central"})
	load := &cityLoad{b: b, srv: srv, schools: schools, template: template, r: rand.New(rand.NewPCG(4, 5)),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cityWorkers * 4}, Timeout: 2 * time.Minute}}
	logLoad(b)
	if warm := load.fullCycle(); warm.firstErr != nil {
		b.Fatalf("warm-up: %v\n%s", warm.firstErr, srv.Output())
	}
	var full, nominal cityRun
	b.ResetTimer()
	for range b.N {
		full.add(load.fullCycle())
		nominal.add(load.nominal(cityWindow))
	}
	b.StopTimer()
	cores := float64(runtime.NumCPU())
	b.ReportMetric(full.rate(), "max_sessions/s")
	b.ReportMetric(full.percentile(0.5).Seconds()*1000, "max_p50_ms")
	b.ReportMetric(full.percentile(0.99).Seconds()*1000, "max_p99_ms")
	b.ReportMetric(full.serverCPU.Seconds()*1000/float64(full.sessions), "cpu_ms/session")
	b.ReportMetric(nominal.rate(), "sessions/s")
	b.ReportMetric(nominal.percentile(0.5).Seconds()*1000, "p50_ms")
	b.ReportMetric(nominal.percentile(0.99).Seconds()*1000, "p99_ms")
	b.ReportMetric(nominal.serverCPU.Seconds()/nominal.elapsed.Seconds()/cores*100, "server_cpu_pct")
	b.ReportMetric(nominal.loadCPU.Seconds()/nominal.elapsed.Seconds()/cores*100, "loadgen_cpu_pct")
	b.ReportMetric(float64(full.scanned)/float64(full.sessions), "log_entries/session")
	b.ReportMetric(float64(full.errors+nominal.errors), "errors")
	if full.firstErr != nil || nominal.firstErr != nil {
		b.Errorf("sessions failed: %v %v\n%s", full.firstErr, nominal.firstErr, srv.Output())
	}
	need := float64(citySchools) / cityInterval.Seconds()
	b.Logf("full throughput: %.1f sessions/s (p50 %.0f ms, p99 %.0f ms, %.1f ms of server CPU each, load generator %.0f %% of the cores); "+
		"nominal %.2f sessions/s: p50 %.0f ms, p99 %.0f ms, server %.0f %% of the cores, load generator %.0f %%; "+
		"%.0f log entries examined a session; %.1f× the %.2f sessions/s 1,000 schools need %s",
		full.rate(), full.percentile(0.5).Seconds()*1000, full.percentile(0.99).Seconds()*1000,
		full.serverCPU.Seconds()*1000/float64(full.sessions), full.loadCPU.Seconds()/full.elapsed.Seconds()/cores*100,
		nominal.rate(), nominal.percentile(0.5).Seconds()*1000, nominal.percentile(0.99).Seconds()*1000,
		nominal.serverCPU.Seconds()/nominal.elapsed.Seconds()/cores*100, nominal.loadCPU.Seconds()/nominal.elapsed.Seconds()/cores*100,
		float64(full.scanned)/float64(full.sessions), full.rate()/need, need, verdict(full.rate() >= need))
}

// seedCity builds central's data directory before its server starts: 1,000
// schools added and enrolled through sync.Central, 125 of them with their
// accounts, every node settled at the head of the log. It returns the
// simulated nodes and a users row for the pushes' columns.
func seedCity(b *testing.B, dir string) ([]*loadtest.SimSchool, store.Row) {
	ctx := b.Context()
	_, db, users := apptest.OpenDataDir(b, dir, map[string]string{"role": "central"})
	defer db.Close()
	register := roster.NewService(db, users)
	central := psync.NewCentral(db, register, slog.New(slog.DiscardHandler))
	r := rand.New(rand.NewPCG(1, 2))
	schools := make([]*loadtest.SimSchool, citySchools)
	var err error
	for i := range schools {
		if schools[i], err = loadtest.EnrollSchool(ctx, db, central, loadtest.CitySchoolID(i)); err != nil {
			b.Fatal(err)
		}
		if i < cityAccounts {
			if err := loadtest.SeedSchoolAccounts(ctx, register, schools[i].ID, r); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Schools with accounts edit some of them too.
	var template store.Row
	for _, s := range schools[:cityAccounts] {
		users, err := register.SchoolUsers(ctx, s.ID)
		if err != nil {
			b.Fatal(err)
		}
		for _, u := range users[:20] {
			row, err := db.ReadRow(ctx, db.Reader(), "users", u.ID)
			if err != nil {
				b.Fatal(err)
			}
			s.Own(row)
			template = row
		}
	}
	if err := loadtest.Settle(ctx, db, schools); err != nil {
		b.Fatal(err)
	}
	return schools, template
}

// cityLoad plays the schools' sessions in turn, round the city.
type cityLoad struct {
	b        *testing.B
	srv      *apptest.Process
	schools  []*loadtest.SimSchool
	template store.Row
	r        *rand.Rand
	client   *http.Client
	next     int // the school whose session comes next
}

// session is one school's planned sync.
type session struct {
	school *loadtest.SimSchool
	push   loadtest.Push
	at     time.Duration // start, from the run's start, at the nominal rate
}

// plan builds the next n sessions' pushes before the clock starts, so that
// the load generator only sends bytes and reads answers.
func (l *cityLoad) plan(n int) []session {
	out := make([]session, n)
	for i := range out {
		s := l.schools[l.next]
		l.next = (l.next + 1) % len(l.schools)
		p, err := s.NextPush(l.r.IntN(cityMaxPush+1), l.template, l.r)
		if err != nil {
			l.b.Fatal(err)
		}
		out[i] = session{school: s, push: p}
	}
	return out
}

// fullCycle runs every school's session once, cityWorkers at a time.
func (l *cityLoad) fullCycle() cityRun {
	plan := l.plan(len(l.schools))
	var next atomic.Int64
	return l.measure(plan, func(run func(session)) {
		var wg sync.WaitGroup
		for range cityWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(len(plan)); i = next.Add(1) - 1 {
					run(plan[i])
				}
			}()
		}
		wg.Wait()
	})
}

// nominal runs sessions arriving at random at 1,000 per 5 minutes for
// window, each started on time whatever the others are doing, as
// independent schools do.
func (l *cityLoad) nominal(window time.Duration) cityRun {
	mean := float64(cityInterval / citySchools)
	var starts []time.Duration
	for at := time.Duration(l.r.ExpFloat64() * mean); at < window; at += time.Duration(l.r.ExpFloat64() * mean) {
		starts = append(starts, at)
	}
	plan := l.plan(len(starts))
	for i := range plan {
		plan[i].at = starts[i]
	}
	return l.measure(plan, func(run func(session)) {
		start := time.Now()
		var wg sync.WaitGroup
		for _, s := range plan {
			time.Sleep(time.Until(start.Add(s.at)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(s)
			}()
		}
		wg.Wait()
	})
}

// measure runs the plan through drive and records every session's latency,
// the server's CPU and the load generator's.
func (l *cityLoad) measure(plan []session, drive func(run func(session))) cityRun {
	var mu sync.Mutex
	res := cityRun{sessions: len(plan)}
	cpu0, self0 := cpuTime(l.b, l.srv), loadtest.SelfCPU()
	start := time.Now()
	drive(func(s session) {
		t := time.Now()
		scanned, err := s.school.Session(l.b.Context(), l.client, l.srv.URL, s.push)
		d := time.Since(t)
		mu.Lock()
		defer mu.Unlock()
		res.latencies = append(res.latencies, d)
		res.scanned += scanned
		if err != nil {
			res.errors++
			if res.firstErr == nil {
				res.firstErr = err
			}
		}
	})
	res.elapsed = time.Since(start)
	res.serverCPU, res.loadCPU = cpuTime(l.b, l.srv)-cpu0, loadtest.SelfCPU()-self0
	return res
}

// cityRun adds up runs of sessions.
type cityRun struct {
	sessions           int
	elapsed            time.Duration
	serverCPU, loadCPU time.Duration
	scanned            int64
	errors             int
	firstErr           error
	latencies          []time.Duration
}

func (r *cityRun) add(o cityRun) {
	r.sessions += o.sessions
	r.elapsed += o.elapsed
	r.serverCPU += o.serverCPU
	r.loadCPU += o.loadCPU
	r.scanned += o.scanned
	r.errors += o.errors
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
	r.latencies = append(r.latencies, o.latencies...)
}

func (r *cityRun) rate() float64 { return float64(r.sessions) / r.elapsed.Seconds() }

func (r *cityRun) percentile(p float64) time.Duration {
	return loadtest.Result{Latencies: r.latencies}.Percentile(p)
}
