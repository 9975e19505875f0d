// Package appliance builds a Préau node: it opens the store, applies every
// component's schema, starts the services and wires each feature into the
// web server. It is the only package that imports the features.
package appliance

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/dashboard"
	"preau/appliance/demo"
	"preau/appliance/roster"
	"preau/appliance/signin"
	"preau/appliance/store"
	"preau/appliance/web"
	"preau/assets"
	"preau/ui"
)

// Version is set at build time (-ldflags "-X preau/appliance.Version=...").
var Version = "dev"

// App is a running node's components.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *store.DB
	Auth   *auth.Service
	Web    *web.Server
}

// Open builds the App on the configured data directory: migrations applied,
// this school's row present, the demo data seeded in demo mode.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := OpenStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db,
		Auth: auth.NewService(db, log, cfg.HashConcurrency, cfg.SessionTTL)}
	if err := a.seed(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.Web, err = web.New(cfg, db, a.Auth, log, ui.FS, assets.FS)
	if err != nil {
		db.Close()
		return nil, err
	}
	signin.Register(a.Web)
	dashboard.Register(a.Web)
	roster.Register(a.Web)
	return a, nil
}

// OpenStore opens the database with every component's schema, for the server
// and for commands that work on the data directory directly.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	for _, s := range []store.Schema{auth.Schema} {
		if err := db.Migrate(ctx, s); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func (a *App) seed(ctx context.Context) error {
	if a.Config.Role == config.RoleSchool {
		if _, err := a.Auth.School(ctx, a.Config.SchoolID); errors.Is(err, auth.ErrNotFound) {
			if err := a.Auth.CreateSchool(ctx, a.Config.SchoolID, a.Config.SchoolName); err != nil {
				return err
			}
		}
	}
	if a.Config.Demo {
		return demo.Seed(ctx, a.Auth, demo.Options{SchoolID: a.Config.SchoolID, SchoolName: a.Config.SchoolName,
			Central: a.Config.Role == config.RoleCentral})
	}
	return nil
}

// Close releases the store.
func (a *App) Close() error { return a.DB.Close() }

// Run serves until ctx ends, then shuts down gracefully. With TLS configured
// it serves HTTPS and the HTTP address only redirects to it.
func (a *App) Run(ctx context.Context) error {
	errc := make(chan error, 2)
	var servers []*http.Server
	start := func(addr string, h http.Handler, tlsOn bool) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("écoute sur %s impossible : %w", addr, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
			ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
		servers = append(servers, srv)
		go func() {
			if tlsOn {
				srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
				errc <- srv.ServeTLS(ln, a.Config.TLSCert, a.Config.TLSKey)
			} else {
				errc <- srv.Serve(ln)
			}
		}()
		return nil
	}
	if a.Config.TLS() {
		if err := start(a.Config.HTTPSAddr, a.Web.Handler(), true); err != nil {
			return err
		}
		if err := start(a.Config.HTTPAddr, redirectToHTTPS(a.Config.HTTPSAddr), false); err != nil {
			return err
		}
		a.Log.Info("Préau listening", "https", a.Config.HTTPSAddr, "http_redirect", a.Config.HTTPAddr)
	} else {
		if err := start(a.Config.HTTPAddr, a.Web.Handler(), false); err != nil {
			return err
		}
		a.Log.Info("Préau listening", "http", a.Config.HTTPAddr)
	}
	go a.housekeeping(ctx)

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range servers {
		srv.Shutdown(shutdown)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// housekeeping purges expired sessions now and then.
func (a *App) housekeeping(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := a.Auth.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("purge sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func redirectToHTTPS(httpsAddr string) http.Handler {
	_, port, _ := net.SplitHostPort(httpsAddr)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		if port != "" && port != "443" {
			host += ":" + port
		}
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusMovedPermanently)
	})
}
