// Package loadtest measures Préau the way a school uses it: the real binary
// started as a separate process on loopback, a burst of pupils logging in at
// once, an authenticated page under load next to a bare net/http handler,
// the idle memory of a demo appliance, and micro-benchmarks of the store,
// sessions and templates; and sync: a school's backlog drained through a
// shaped link, received rows applied against SQLite's insert rate, central
// serving a city of schools. docs/performance.md gives the targets and
// figures.
//
// Its benchmarks run under `make bench`; `go test ./...` compiles them and
// runs nothing. It may import any appliance package; nothing imports it.
package loadtest

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"preau/appliance/apptest"
)

// bareEnv tells the test binary, started again, to be the bare server.
const (
	bareEnv     = "LOADTEST_BARE_BYTES"
	bareAddrEnv = "LOADTEST_BARE_ADDR"
)

// StartBare starts the bare reference server: this test binary again, in
// its own process like preau, answering every request with a static body of
// size bytes. The benchmark's TestMain must call ServeBareIfAsked.
func StartBare(tb testing.TB, size int) *apptest.Process {
	tb.Helper()
	addr := apptest.FreeAddr(tb)
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), bareEnv+"="+strconv.Itoa(size), bareAddrEnv+"="+addr)
	return apptest.StartCommand(tb, cmd, "http://"+addr, "/")
}

// ServeBareIfAsked serves the bare handler and never returns when this
// process was started by StartBare; otherwise it returns at once.
func ServeBareIfAsked() {
	size, err := strconv.Atoi(os.Getenv(bareEnv))
	if err != nil {
		return
	}
	body := bytes.Repeat([]byte("x"), size)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	})
	err = http.ListenAndServe(os.Getenv(bareAddrEnv), h)
	fmt.Fprintln(os.Stderr, "bare server:", err)
	os.Exit(1)
}
