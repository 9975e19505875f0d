package loadtest_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/config"
	"preau/appliance/loadtest"
)

// The IMAP load (issue 12): fifty teachers' mail clients against Préau's
// IMAP server and against Dovecot's, each server seeded with the same
// mailboxes through the same client, in the same run.
const (
	imapUsers      = 50
	imapMessages   = 1000 // in each INBOX
	imapPassword   = "cahier-de-textes-12"
	imapWarmup     = 2 * time.Second
	imapRound      = 15 * time.Second
	imapOneRound   = 4 * time.Second // each command alone, after the mix
	imapIdle       = 200             // idle connections, four per user
	imapIdleSettle = 2 * time.Second
	imapCPUTarget  = 1.0       // Préau's commands per CPU-second ≥ 1.0 × Dovecot's
	imapIdleTarget = 100 << 10 // bytes per idle connection
)

// imapFigures are what one server measured.
type imapFigures struct {
	rate     float64 // the mix's commands per CPU-second
	errors   int
	rss, pss float64 // bytes per idle connection
}

// dovecotFigures are the Dovecot half's, for the Préau half of the same
// run; zero when it did not run.
var dovecotFigures imapFigures

// BenchmarkIMAP measures Dovecot (Debian's dovecot-imapd, skipped when it
// is not installed) and then Préau: commands answered per second of the
// server's CPU under fifty busy clients, and the memory an idle
// connection costs. The Préau half fails until preau serves IMAP.
func BenchmarkIMAP(b *testing.B) {
	users := make([]loadtest.IMAPUser, imapUsers)
	for i := range users {
		users[i] = loadtest.IMAPUser{Login: loadtest.TeacherLogin(i), Password: imapPassword}
	}
	dovecotFigures = imapFigures{}
	b.Run("dovecot", func(b *testing.B) {
		bin, version, err := loadtest.FindDovecot()
		if err != nil {
			b.Skipf("no Dovecot to compare with: %v", err)
		}
		d := loadtest.StartDovecot(b, bin, users)
		b.Logf("Dovecot %s on %s", version, d.Addr)
		dovecotFigures = benchIMAP(b, d.Process, d.Addr, users, d.Log)
	})
	b.Run("preau", func(b *testing.B) {
		bin := apptest.Binary(b)
		dir := b.TempDir()
		cfg, err := config.Load(apptest.ConfigFile(b, dir), map[string]string{"data_dir": apptest.DataDir(dir)})
		if err != nil {
			b.Fatal(err)
		}
		if err := loadtest.SeedTeachers(b.Context(), cfg, imapUsers, imapPassword); err != nil {
			b.Fatalf("seed: %v", err)
		}
		addr := apptest.FreeAddr(b)
		srv := apptest.StartServerEnv(b, bin, dir, []string{"PREAU_MAIL_IMAP_ADDR=" + addr, "PREAU_MAIL_ALLOW_PLAIN_AUTH=true"})
		if err := loadtest.IMAPGreets(addr, 5*time.Second); err != nil {
			b.Fatalf("preau serve with PREAU_MAIL_IMAP_ADDR=%s does not greet IMAP clients (%v); until the IMAP server "+
				"of issue 12 is merged, preau's is a placeholder that takes connections and says nothing\n%s", addr, err, srv.Output())
		}
		f := benchIMAP(b, srv, addr, users, srv.Output)
		d := dovecotFigures
		b.Logf("errors: target 0 %s; idle connection %.0f KB (Dovecot %.0f KB resident, %.0f KB proportional): target ≤ %d KB %s",
			verdict(f.errors == 0), f.rss/1024, d.rss/1024, d.pss/1024, imapIdleTarget>>10, verdict(f.rss <= imapIdleTarget))
		if d.rate == 0 {
			b.Logf("no Dovecot figure in this run: no ratio")
			return
		}
		ratio := f.rate / d.rate
		b.ReportMetric(ratio, "x_dovecot")
		b.Logf("%.0f commands per CPU-second, Dovecot %.0f: %.2f × Dovecot's: target ≥ %.1f %s",
			f.rate, d.rate, ratio, imapCPUTarget, verdict(ratio >= imapCPUTarget))
	})
}

// benchIMAP seeds the server on addr, runs the mix, then each command
// alone, then the idle connections, and reports them.
func benchIMAP(b *testing.B, srv *apptest.Process, addr string, users []loadtest.IMAPUser, log func() string) imapFigures {
	start := time.Now()
	before := treeUsage(b, srv)
	if err := loadtest.SeedIMAP(b.Context(), addr, users, imapMessages); err != nil {
		b.Fatalf("seed: %v\n%s", err, log())
	}
	seed := treeUsage(b, srv).CPU - before.CPU
	b.Logf("%d mailboxes of %d messages seeded through APPEND in %s: server CPU %s, %.0f µs a message",
		len(users), imapMessages, time.Since(start).Round(time.Millisecond), seed.Round(time.Millisecond),
		float64(seed.Microseconds())/float64(len(users)*imapMessages))
	time.Sleep(idleSettle)
	errors := 0 // of every run, the mix's and each command's
	load := func(mix []loadtest.IMAPOp, warmup, d time.Duration) loadtest.IMAPResult {
		r, err := loadtest.IMAPLoad(b.Context(), addr, users, mix, warmup, d, func() (time.Duration, error) {
			u, err := srv.TreeUsage()
			return u.CPU, err
		})
		if err != nil {
			b.Fatalf("load: %v\n%s", err, log())
		}
		if r.FirstErr != nil {
			b.Errorf("%d commands failed; first: %v", r.Errors, r.FirstErr)
		}
		errors += r.Errors
		return r
	}
	logLoad(b)
	var res loadtest.IMAPResult
	b.ResetTimer()
	for range b.N {
		res = mergeIMAP(res, load(loadtest.IMAPMix, imapWarmup, imapRound))
	}
	b.StopTimer()
	cores := float64(runtime.NumCPU())
	var mix []string
	for _, op := range loadtest.IMAPMix {
		mix = append(mix, fmt.Sprintf("%s %d", op.Name, res.ByOp[op.Name]))
	}
	b.ReportMetric(res.OpsPerCPUSecond(), "ops/cpu_s")
	b.ReportMetric(res.OpsPerSecond(), "ops/s")
	b.ReportMetric(res.CPU.Seconds()/res.Elapsed.Seconds()/cores*100, "server_cpu_pct")
	b.ReportMetric(res.LoadCPU.Seconds()/res.Elapsed.Seconds()/cores*100, "loadgen_cpu_pct")
	b.Logf("%d clients for %s: %d commands (%s), %d errors; %.0f commands/s; server CPU %s (%.0f %% of %d cores), "+
		"load generator %.0f %%: %.0f commands per CPU-second", res.Clients, res.Elapsed.Round(time.Millisecond), res.Ops, strings.Join(mix, ", "),
		res.Errors, res.OpsPerSecond(), res.CPU.Round(time.Millisecond), res.CPU.Seconds()/res.Elapsed.Seconds()/cores*100,
		int(cores), res.LoadCPU.Seconds()/res.Elapsed.Seconds()/cores*100, res.OpsPerCPUSecond())

	// Each command alone: where the mix's CPU goes. One line, as a
	// benchmark's log is cut after ten.
	var alone []string
	for _, op := range loadtest.IMAPMix {
		r := load([]loadtest.IMAPOp{op}, 0, imapOneRound)
		us := r.CPU.Seconds() * 1e6 / float64(max(1, r.Ops))
		b.ReportMetric(us, "cpu_us/"+op.Name)
		alone = append(alone, fmt.Sprintf("%s %.0f µs (%.0f/s, %.0f %% of the mix's CPU)",
			op.Name, us, r.OpsPerSecond(), us*float64(op.Weight)*res.OpsPerCPUSecond()/1e6))
	}
	b.Logf("each command alone, server CPU per command: %s", strings.Join(alone, ", "))

	rss, pss, procs := idleIMAP(b, srv, addr, users, log)
	b.ReportMetric(rss, "rss_B/idle_conn")
	b.ReportMetric(pss, "pss_B/idle_conn")
	b.ReportMetric(float64(errors), "errors")
	b.Logf("%d idle connections (INBOX selected): +%d processes, %.0f KB resident each (%.0f KB proportional)",
		imapIdle, procs, rss/1024, pss/1024)
	return imapFigures{rate: res.OpsPerCPUSecond(), errors: errors, rss: rss, pss: pss}
}

// idleIMAP opens imapIdle connections, logged in with INBOX selected, and
// returns the server's resident and proportional memory they added, per
// connection, and the processes they added. A round is opened and closed
// first, then the server settles, so that the baseline is a server that
// has served them, as BenchmarkLiveChannel does.
func idleIMAP(b *testing.B, srv *apptest.Process, addr string, users []loadtest.IMAPUser, log func() string) (rss, pss float64, procs int) {
	open := func() func() {
		closeAll, err := loadtest.IdleIMAP(b.Context(), addr, users, imapIdle)
		if err != nil {
			b.Fatalf("idle connections: %v\n%s", err, log())
		}
		return closeAll
	}
	open()()
	time.Sleep(idleSettle)
	before := treeUsage(b, srv)
	closeAll := open()
	time.Sleep(imapIdleSettle)
	after := treeUsage(b, srv)
	closeAll()
	return float64(after.RSS-before.RSS) / imapIdle, float64(after.PSS-before.PSS) / imapIdle, after.Procs - before.Procs
}

func treeUsage(b *testing.B, p *apptest.Process) apptest.Usage {
	u, err := p.TreeUsage()
	if err != nil {
		b.Fatal(err)
	}
	return u
}

// mergeIMAP adds a round's result to the others'.
func mergeIMAP(a, b loadtest.IMAPResult) loadtest.IMAPResult {
	if a.ByOp == nil {
		a.ByOp = make(map[string]int)
	}
	for k, n := range b.ByOp {
		a.ByOp[k] += n
	}
	a.Clients, a.Ops, a.Errors = b.Clients, a.Ops+b.Ops, a.Errors+b.Errors
	a.Elapsed, a.CPU, a.LoadCPU = a.Elapsed+b.Elapsed, a.CPU+b.CPU, a.LoadCPU+b.LoadCPU
	if a.FirstErr == nil {
		a.FirstErr = b.FirstErr
	}
	return a
}
