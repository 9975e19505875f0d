package appliance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"preau/appliance/store"
	"preau/appliance/web"
)

// The control socket lets commands act on a running server (preau sync now,
// preau sync enroll) although it holds the data directory: a Unix socket in
// the data directory, reachable only by whoever may read the data itself.

// serveControl listens on the control socket until ctx ends.
func (a *App) serveControl(ctx context.Context) error {
	path := filepath.Join(a.Config.DataDir, store.ControlSocket)
	os.Remove(path) // we hold the data directory's lock: any socket left is stale
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("socket de contrôle %s : %w", path, err)
	}
	os.Chmod(path, 0o600)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sync/status", func(w http.ResponseWriter, r *http.Request) {
		a.controlReply(w, func() (any, error) { return a.Sync.Client.Status(r.Context()) })
	})
	mux.HandleFunc("POST /sync/now", func(w http.ResponseWriter, r *http.Request) {
		a.controlReply(w, func() (any, error) { return a.Sync.Client.SyncOnce(r.Context()) })
	})
	mux.HandleFunc("POST /sync/enroll", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Central, Token string }
		if err := web.ReadJSON(r.Body, &in); err != nil {
			http.Error(w, "commande illisible : "+err.Error(), http.StatusBadRequest)
			return
		}
		a.controlReply(w, func() (any, error) { return a.Sync.Client.Enroll(r.Context(), in.Central, in.Token) })
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
		os.Remove(path)
	}()
	go srv.Serve(ln)
	return nil
}

func (a *App) controlReply(w http.ResponseWriter, f func() (any, error)) {
	if a.Sync.Client == nil {
		http.Error(w, "commande réservée au serveur d'une école", http.StatusConflict)
		return
	}
	v, err := f()
	w.Header().Set("Content-Type", "application/json")
	out := map[string]any{"result": v}
	if err != nil {
		out["error"] = err.Error()
	}
	json.NewEncoder(w).Encode(out)
}

// ErrNoServer means no server answers on the data directory's control socket.
var ErrNoServer = errors.New("aucun serveur Préau ne tourne sur ce dossier de données")

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
