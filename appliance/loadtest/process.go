// Package loadtest measures Préau the way a school uses it: the real binary
// started as a separate process on loopback, a burst of pupils logging in at
// once, an authenticated page under load next to a bare net/http handler,
// the idle memory of a demo appliance, a lesson document's transfer next to
// a plain net/http one, and micro-benchmarks of the store,
// sessions and templates; sync: a school's backlog drained through a
// shaped link, received rows applied against SQLite's insert rate, central
// serving a city of schools; and mail: fifty IMAP clients against preau's
// IMAP server and against Dovecot, started the same way. docs/performance.md
// gives the targets and figures.
//
// Its benchmarks run under `make bench`; `go test ./...` compiles them and
// runs nothing. It may import any appliance package; nothing imports it.
package loadtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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

// filesEnv tells the test binary, started again, to be the plain file
// server, keeping files in that folder.
const filesEnv = "LOADTEST_FILES_DIR"

// StartPlainFiles starts the reference file transfer: this test binary
// again, in its own process like preau, a plain net/http server that keeps
// the file of a multipart POST /file under dir and serves it back with
// http.ServeFile on GET /file. The benchmark's TestMain must call
// ServeBareIfAsked.
func StartPlainFiles(tb testing.TB, dir string) *apptest.Process {
	tb.Helper()
	addr := apptest.FreeAddr(tb)
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), filesEnv+"="+dir, bareAddrEnv+"="+addr)
	return apptest.StartCommand(tb, cmd, "http://"+addr, "/")
}

// plainFiles is StartPlainFiles' server.
func plainFiles(dir string) http.Handler {
	path := filepath.Join(dir, "file")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/file" && r.Method == http.MethodPost:
			if err := keepFile(r, path); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusCreated)
		case r.URL.Path == "/file":
			http.ServeFile(w, r, path)
		}
	})
}

// keepFile copies the file part of a multipart request to path.
func keepFile(r *http.Request, path string) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return err
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return err
		}
		if part.FileName() == "" {
			continue
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, part)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
}

// ServeBareIfAsked serves the bare handler (or the plain file server) and
// never returns when this process was started by StartBare (or
// StartPlainFiles); otherwise it returns at once.
func ServeBareIfAsked() {
	if dir := os.Getenv(filesEnv); dir != "" {
		err := http.ListenAndServe(os.Getenv(bareAddrEnv), plainFiles(dir))
		fmt.Fprintln(os.Stderr, "plain file server:", err)
		os.Exit(1)
	}
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
