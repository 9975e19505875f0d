package feature

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"preau/appliance/i18n"
	"strings"

	"preau/appliance/store"
)

// The control socket lets commands act on a running server (preau sync now,
// preau sync enroll) although it holds the data directory: a Unix socket in
// the data directory, reachable only by whoever may read the data itself.
// The root serves it with the routes features put in Env.Control; a
// feature's command calls them with Control.

// Reply answers a control request with what f returns: its result, and its
// error as text, which the command shows.
func Reply(w http.ResponseWriter, f func() (any, error)) {
	v, err := f()
	w.Header().Set("Content-Type", "application/json")
	out := map[string]any{"result": v}
	if err != nil {
		out["error"] = err.Error()
	}
	json.NewEncoder(w).Encode(out)
}

// ErrNoServer means no server answers on the data directory's control socket.
var ErrNoServer = i18n.Error(nil, "app.no_server")

// Control sends a command to the server running on dataDir and decodes its
// result into out; the error is the command's own error when it failed.
func Control(ctx context.Context, dataDir, method, path string, in, out any) error {
	sock := filepath.Join(dataDir, store.ControlSocket)
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://preau"+path, body)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return ErrNoServer
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		return errors.New(strings.TrimSpace(string(msg)))
	}
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  string          `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		return err
	}
	if out != nil && len(reply.Result) > 0 {
		if err := json.Unmarshal(reply.Result, out); err != nil {
			return err
		}
	}
	if reply.Error != "" {
		return errors.New(reply.Error)
	}
	return nil
}
