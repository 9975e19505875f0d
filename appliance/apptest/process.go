package apptest

// Processes: the real preau binary, built once per test process, started as
// a child on a loopback port, and the servers load tests compare it with.
// Sync, fault and load tests need separate processes (a kill is a kill);
// the in-process App serves everything else.

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// binary is the preau binary built once per test process.
var binary struct {
	once      sync.Once
	dir, path string
	err       error
}

// Binary builds the preau binary the way `make build` does, once per test
// process, and returns its path. Cleanup removes it.
func Binary(tb testing.TB) string {
	tb.Helper()
	binary.once.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			binary.err = err
			return
		}
		if binary.dir, binary.err = os.MkdirTemp("", "preau-bin-"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "preau")
		cmd := exec.Command(goTool(), "build", "-trimpath", "-ldflags", "-s -w", "-o", binary.path, ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		tb.Fatal(binary.err)
	}
	return binary.path
}

// CleanupBinary removes what Binary built; a package's TestMain calls it
// after the run.
func CleanupBinary() {
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// moduleRoot is the directory holding go.mod, above the package directory
// the test runs in.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Process is a server running as a child process on a loopback port.
type Process struct {
	URL    string
	cmd    *exec.Cmd
	output *syncBuffer
	exited chan struct{}
}

// StartServer runs `preau serve --data-dir dir/data` with args on a free
// loopback port, warn-level logs and an empty configuration file, and waits
// until /healthz answers. It is stopped when the test ends, even when it
// fails.
func StartServer(tb testing.TB, bin, dir string, args ...string) *Process {
	tb.Helper()
	return StartServerEnv(tb, bin, dir, nil, args...)
}

// StartServerEnv is StartServer with extra PREAU_* configuration in env
// ("PREAU_SCHOOL_ID=ecole-a"), on the given address when env sets
// PREAU_HTTP_ADDR (a restarted server keeps its address). The metrics
// listener takes a free port unless env sets PREAU_METRICS_ADDR, so that
// servers started together do not contend for the default one; the mail
// clients' listeners are off unless env sets them.
func StartServerEnv(tb testing.TB, bin, dir string, env []string, args ...string) *Process {
	tb.Helper()
	addr, metrics := "", false
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PREAU_HTTP_ADDR="); ok {
			addr = v
		}
		metrics = metrics || strings.HasPrefix(kv, "PREAU_METRICS_ADDR=")
	}
	if addr == "" {
		addr = FreeAddr(tb)
		env = append(env, "PREAU_HTTP_ADDR="+addr)
	}
	if !metrics {
		env = append(env, "PREAU_METRICS_ADDR=127.0.0.1:0")
	}
	// Mail clients' listeners are off unless env opens them: a demo
	// server would take the demo's ports, which servers started together
	// (and one the developer runs) would contend for.
	for _, key := range []string{"PREAU_MAIL_IMAP_ADDR", "PREAU_MAIL_SUBMISSION_ADDR"} {
		if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, key+"=") }) {
			env = append(env, key+"=")
		}
	}
	cmd := exec.Command(bin, append([]string{"serve", "--config", ConfigFile(tb, dir), "--data-dir", DataDir(dir)}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(withoutPreauEnv(), "PREAU_LOG_LEVEL=warn"), env...)
	return StartCommand(tb, cmd, "http://"+addr, "/healthz")
}

// DataDir is the data directory StartServer uses under dir.
func DataDir(dir string) string { return filepath.Join(dir, "data") }

// ConfigFile writes an empty configuration file in dir, so that neither a
// stray ./config.yaml nor defaults from elsewhere change what is measured.
func ConfigFile(tb testing.TB, dir string) string {
	tb.Helper()
	f := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(f, []byte("# loadtest: everything comes from flags\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	return f
}

// withoutPreauEnv is this process's environment minus PREAU_* variables,
// which would configure the server behind the benchmark's back.
func withoutPreauEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PREAU_") {
			env = append(env, kv)
		}
	}
	return env
}

// StartCommand starts cmd, a server that will answer 200 on url+ready, and
// waits for it.
func StartCommand(tb testing.TB, cmd *exec.Cmd, url, ready string) *Process {
	tb.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	return start(tb, cmd, url, func() bool {
		resp, err := client.Get(url + ready)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// StartListener starts cmd, a server that is not HTTP (Dovecot, for the
// IMAP benchmark), and waits until it accepts TCP connections on addr.
func StartListener(tb testing.TB, cmd *exec.Cmd, addr string) *Process {
	tb.Helper()
	return start(tb, cmd, addr, func() bool {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

func start(tb testing.TB, cmd *exec.Cmd, url string, ready func() bool) *Process {
	tb.Helper()
	p := &Process{URL: url, cmd: cmd, output: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.output, p.output
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", cmd.Path, err)
	}
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(p.Stop)
	if err := p.waitReady(ready, time.Minute); err != nil {
		tb.Fatalf("%s did not come up: %v\n%s", filepath.Base(cmd.Path), err, p.output)
	}
	return p
}

func (p *Process) waitReady(ready func() bool, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("exited: %v", p.cmd.ProcessState)
		default:
		}
		if ready() {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("timed out")
}

// Kill stops the process at once, as a power cut would: no shutdown runs.
func (p *Process) Kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Kill()
	<-p.exited
}

// Stop asks the process to shut down gracefully, and kills it if it has not
// within ten seconds. The end of the test calls it too.
func (p *Process) Stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// Output is what the process wrote so far, for failure messages.
func (p *Process) Output() string { return p.output.String() }

// RSS is the process's resident memory now (VmRSS), in bytes.
func (p *Process) RSS() (int64, error) { return p.status("VmRSS") }

// PeakRSS is the highest resident memory the process has had (VmHWM).
func (p *Process) PeakRSS() (int64, error) { return p.status("VmHWM") }

// CPUTime is the user and system CPU time the process has used so far.
func (p *Process) CPUTime() (time.Duration, error) {
	st, err := readStat(p.cmd.Process.Pid)
	return st.cpu, err
}

// status reads a kB field of /proc/<pid>/status.
func (p *Process) status(field string) (int64, error) {
	return readKB(p.cmd.Process.Pid, "status", field)
}

// FreeAddr finds a free loopback port. Another process could take it
// before the server binds it; on a test machine that does not happen.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
