package appliance_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"preau/appliance"
	"preau/appliance/apptest"
	"preau/appliance/cli"
	"preau/appliance/config"
)

// preau sync, a feature's command, reaches a running server through the
// control routes the feature registered, and works on the data directory
// itself when none runs.
func TestFeatureCommandReachesTheServer(t *testing.T) {
	dir := t.TempDir()
	file := apptest.ConfigFile(t, dir)
	sync := func() string {
		t.Helper()
		var out, errs bytes.Buffer
		if code := cli.Main([]string{"sync", "status", "--config", file, "--data-dir", apptest.DataDir(dir)}, &out, &errs); code != 0 {
			t.Fatalf("preau sync status: %d\n%s", code, errs.String())
		}
		return out.String()
	}
	if out := sync(); !strings.Contains(out, "École non inscrite") {
		t.Fatalf("without a server:\n%s", out)
	}

	cfg, err := config.Load(file, map[string]string{"data_dir": apptest.DataDir(dir), "http.addr": "127.0.0.1:0", "metrics.addr": ""})
	if err != nil {
		t.Fatal(err)
	}
	a, err := appliance.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	// The server holds the data directory: only the control socket answers.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var out, errs bytes.Buffer
		code := cli.Main([]string{"sync", "status", "--config", file, "--data-dir", apptest.DataDir(dir)}, &out, &errs)
		if code == 0 && strings.Contains(out.String(), "École non inscrite") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("through the server: %d\n%s%s", code, out.String(), errs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
