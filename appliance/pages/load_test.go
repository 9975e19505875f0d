package pages_test

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/pages"
)

// pagesLatency is what assets/src/test/load.mjs latency prints.
// mem is a server's memory: resident, and as its runtime counts it.
type mem struct{ RSS, Runtime float64 }

type pagesLatency struct {
	P50, P99, Max     float64
	Samples, Expected int
}

// BenchmarkPagesLoad is issue 13's load on one page, through the official
// client from Node, against Préau's server (the real route, a session
// token, SQLite rows) and against the reference Node server
// (@y/websocket-server, in memory) in the same run: 30 editors making 5
// edits a second each for 10 seconds, the latency from an edit to each
// other editor (p50, p99); then 300 idle connections, the memory each
// costs the server. One iteration takes about a minute.
func BenchmarkPagesLoad(b *testing.B) {
	dir := pages.NeedNode(b)
	app := apptest.New(b, apptest.Options{})
	pupil := app.User("eleve")
	id, err := pages.Of(app.Env).Create(b.Context(), pupil, pages.Draft{Title: "Charge", ClassID: app.ClassID("CE1")})
	if err != nil {
		b.Fatal(err)
	}
	quiet, err := pages.Of(app.Env).Create(b.Context(), pupil, pages.Draft{Title: "Repos", ClassID: app.ClassID("CE1")})
	if err != nil {
		b.Fatal(err)
	}
	token := app.Token("eleve")
	ours := "ws" + strings.TrimPrefix(app.URL, "http") + "/api/v1/pages"

	ref := exec.Command("node", "--expose-gc", "test/refserver.mjs")
	ref.Dir = dir
	refIn, _ := ref.StdinPipe()
	refOut, _ := ref.StdoutPipe()
	if err := ref.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ref.Process.Kill(); ref.Wait() })
	lines := bufio.NewScanner(refOut)
	var port struct{ Port int }
	if !lines.Scan() || json.Unmarshal(lines.Bytes(), &port) != nil {
		b.Fatal("the reference server did not start")
	}
	theirs := "ws://127.0.0.1:" + strconv.Itoa(port.Port)
	refMem := func() (m struct{ RSS, Heap, External float64 }) {
		io.WriteString(refIn, "mem\n")
		if !lines.Scan() || json.Unmarshal(lines.Bytes(), &m) != nil {
			b.Fatal("the reference server's memory")
		}
		return m
	}
	// Both servers' memory is measured twice: resident (what the box
	// pays: after a full GC, Go handing freed pages back as Node's does
	// after its gc), and what each runtime counts as its own (Go: heap
	// and stacks in use; Node: heap used plus external, which leaves out
	// libuv's handles and the sockets' native buffers).
	goMem := func() mem {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		debug.FreeOSMemory()
		rss, err := apptest.SelfRSS()
		if err != nil {
			b.Fatal(err)
		}
		return mem{RSS: float64(rss), Runtime: float64(m.HeapInuse + m.StackInuse)}
	}

	latency := func(server, room string) pagesLatency {
		cmd := exec.Command("node", "test/load.mjs", "latency", server, room, "30", "10", "5")
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "PREAU_TOKEN="+token)
		out, err := cmd.Output()
		var l pagesLatency
		if err != nil || json.Unmarshal(out, &l) != nil {
			b.Fatalf("load: %v %s", err, out)
		}
		if l.Samples != l.Expected {
			b.Errorf("%s: %d of %d edits arrived", server, l.Samples, l.Expected)
		}
		return l
	}
	// open holds 300 idle synced connections until the returned func
	// closes them.
	open := func(server, room string) (closeAll func()) {
		cmd := exec.Command("node", "test/load.mjs", "idle", server, room, "300")
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "PREAU_TOKEN="+token)
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		if sc := bufio.NewScanner(out); !sc.Scan() || sc.Text() != "ready" {
			b.Fatal("the idle connections did not open")
		}
		return func() { io.WriteString(in, "\n"); cmd.Wait() }
	}
	// idle is what each of 300 idle connections costs a server. A first
	// round opened and closed lets each server reach the size its pools
	// take under that load (SQLite readers and their caches, V8's
	// spaces), which is not a connection's cost; the second is measured.
	idle := func(server, room string, measure func() mem) mem {
		open(server, room)()
		time.Sleep(time.Second)
		before := measure()
		closeAll := open(server, room)
		time.Sleep(time.Second)
		after := measure()
		per := mem{RSS: (after.RSS - before.RSS) / 300, Runtime: (after.Runtime - before.Runtime) / 300}
		closeAll()
		return per
	}

	for b.Loop() {
		mine, ref := latency(ours, id+"/ws"), latency(theirs, "charge")
		b.ReportMetric(mine.P50, "preau_p50_ms")
		b.ReportMetric(mine.P99, "preau_p99_ms")
		b.ReportMetric(ref.P50, "reference_p50_ms")
		b.ReportMetric(ref.P99, "reference_p99_ms")
		ourIdle := idle(ours, quiet+"/ws", goMem)
		refIdle := idle(theirs, "repos", func() mem { m := refMem(); return mem{RSS: m.RSS, Runtime: m.Heap + m.External} })
		b.ReportMetric(ourIdle.RSS/1024, "preau_KB/idle_conn")
		b.ReportMetric(refIdle.RSS/1024, "reference_KB/idle_conn")
		b.ReportMetric(ourIdle.Runtime/1024, "preau_runtime_KB/idle_conn")
		b.ReportMetric(refIdle.Runtime/1024, "reference_runtime_KB/idle_conn")
	}
}
