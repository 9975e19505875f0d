package appliance

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"preau/appliance/store"
)

// serveControl listens on the control socket (see feature.Control) until ctx
// ends, with the routes the features registered on it.
func (a *App) serveControl(ctx context.Context) error {
	path := filepath.Join(a.Config.DataDir, store.ControlSocket)
	os.Remove(path) // we hold the data directory's lock: any socket left is stale
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	os.Chmod(path, 0o600)
	srv := &http.Server{Handler: a.Env.Control, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
		os.Remove(path)
	}()
	go srv.Serve(ln)
	return nil
}
