package pages_test

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/pages"
)

// pagesLatency is what assets/src/test/load.mjs latency prints.
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
	goMem := func() float64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapInuse + m.StackInuse)
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
	idle := func(server, room string, measure func() float64) float64 {
		before := measure()
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
		time.Sleep(time.Second)
		per := (measure() - before) / 300
		io.WriteString(in, "\n")
		cmd.Wait()
		return per
	}

	for b.Loop() {
		mine, ref := latency(ours, id+"/ws"), latency(theirs, "charge")
		b.ReportMetric(mine.P50, "preau_p50_ms")
		b.ReportMetric(mine.P99, "preau_p99_ms")
		b.ReportMetric(ref.P50, "reference_p50_ms")
		b.ReportMetric(ref.P99, "reference_p99_ms")
		b.ReportMetric(idle(ours, quiet+"/ws", goMem)/1024, "preau_KB/idle_conn")
		b.ReportMetric(idle(theirs, "repos", func() float64 { m := refMem(); return m.Heap + m.External })/1024, "reference_KB/idle_conn")
	}
}
