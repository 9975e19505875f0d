// Package appliance builds a Préau node: it opens the store, applies every
// component's schema, starts the services and wires each feature into the
// web server. It is the only package that imports the features.
package appliance

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"preau/appliance/i18n"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"preau/appliance/agenda"
	"preau/appliance/announcements"
	"preau/appliance/attendance"
	"preau/appliance/audit"
	"preau/appliance/auth"
	"preau/appliance/blog"
	"preau/appliance/classroom"
	"preau/appliance/config"
	"preau/appliance/dashboard"
	"preau/appliance/documents"
	"preau/appliance/export"
	"preau/appliance/feature"
	"preau/appliance/forum"
	"preau/appliance/homework"
	"preau/appliance/liaison"
	"preau/appliance/mail"
	"preau/appliance/minisites"
	"preau/appliance/news"
	"preau/appliance/notifications"
	"preau/appliance/notify"
	"preau/appliance/pages"
	"preau/appliance/privacy"
	"preau/appliance/requests"
	"preau/appliance/roster"
	"preau/appliance/search"
	"preau/appliance/signin"
	"preau/appliance/sites"
	"preau/appliance/stats"
	"preau/appliance/store"
	psync "preau/appliance/sync"
	"preau/appliance/update"
	"preau/appliance/web"
	"preau/assets"
	"preau/ui"
)

// Version is set at build time (-ldflags "-X preau/appliance.Version=...").
var Version = "dev"

// Features are the node's features, in the order their schemas migrate and
// their routes register. Adding a feature is its folder and one line here.
var Features = []feature.Feature{
	audit.Feature, // first: it sets env.Audit, which the others record in
	signin.Feature,
	dashboard.Feature,
	roster.Feature,
	classroom.Feature,
	homework.Feature,
	liaison.Feature,
	attendance.Feature,
	agenda.Feature,
	news.Feature,
	announcements.Feature,
	requests.Feature,
	blog.Feature,
	notifications.Feature,
	documents.Feature,
	sites.Feature,
	mail.Feature,
	forum.Feature,
	pages.Feature,
	minisites.Feature, // after pages: its pages are class pages
	search.Feature,
	update.Feature,
	stats.Feature,
	psync.Feature,
	export.Feature,  // reads every feature's Personal.Export
	privacy.Feature, // erasure and retention: walks the parts of the features above
}

// Commands are the commands the features add to preau's command line, in
// their order.
func Commands() []feature.Command {
	var out []feature.Command
	for _, f := range Features {
		out = append(out, f.Commands...)
	}
	return out
}

// App is a running node's components.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *store.DB
	Auth   *auth.Service
	// Register is the school register every feature reads (roster's).
	Register *roster.Service
	Web      *web.Server
	Env      *feature.Env   // what the features were given
	Sync     *psync.Service // sync's, for the tests that drive it

	features []feature.Feature // Features, and a test's
	lock     *store.DirLock    // held while the node runs, so restore cannot swap the data under it
}

// Open builds the App on the configured data directory: migrations applied,
// this school's row present, every feature's routes registered, the demo
// school seeded in demo mode. Extra features come after the node's own: a
// test's.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, extra ...feature.Feature) (*App, error) {
	features := append(slices.Clip(Features), extra...)
	lock, err := store.Lock(cfg.DataDir)
	if err != nil {
		return nil, i18n.Error([]error{err}, "app.data_dir", "Dir", cfg.DataDir, "Error", err.Error())
	}
	db, err := openStore(ctx, cfg, log, features)
	if err != nil {
		lock.Release()
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db, lock: lock, features: features,
		Auth: auth.NewService(db, log, cfg.HashConcurrency, cfg.SessionTTL)}
	a.Auth.LimitPupilSessions(cfg.PupilIdle, cfg.SchoolDayEnd)
	a.Register = roster.NewService(db, a.Auth)
	if err := a.prepare(ctx); err != nil {
		a.Close()
		return nil, err
	}
	a.Web, err = web.New(cfg, db, a.Auth, log, ui.FS, assets.FS)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Env = &feature.Env{Server: a.Web, Register: a.Register, Notify: notify.New(db, log), Version: Version, Control: http.NewServeMux()}
	if cfg.Demo {
		a.Env.DemoAccounts = demoAccounts(features, demoSchool(cfg))
	}
	for _, f := range features {
		if f.Agenda != nil {
			a.Env.Feeds = append(a.Env.Feeds, f.Agenda)
		}
		a.Env.Sources = append(a.Env.Sources, f.Search...)
		if f.Personal.Export != nil {
			a.Env.Exports = append(a.Env.Exports, feature.NamedExport{Feature: f.Name, Export: f.Personal.Export})
		}
		if f.Personal.Erase != nil || f.Personal.Retain != nil {
			a.Env.Erasers = append(a.Env.Erasers, feature.Eraser{Feature: f.Name, Personal: f.Personal})
		}
	}
	for _, f := range features {
		a.Web.Registering(f.Name)
		if f.Routes != nil {
			f.Routes(a.Env)
		}
		if f.Tiles != nil {
			for _, t := range f.Tiles(a.Env) {
				a.Web.AddTile(t)
			}
		}
		if f.Panels != nil {
			for _, p := range f.Panels(a.Env) {
				a.Web.AddPanel(p)
			}
		}
	}
	a.Web.Registering("")
	a.Sync = psync.Of(a.Env)
	if cfg.Demo {
		if err := a.SeedDemo(ctx, demoSchool(cfg)); err != nil {
			a.Close()
			return nil, err
		}
	}
	// Opening parsed every page three times (one per language) and seeded
	// the demo: garbage that GOGC 400 would leave resident on a small box
	// for a long while. Hand it back now, once.
	debug.FreeOSMemory()
	return a, nil
}

// Auditor is the audit log of db, for commands that work on the data
// directory directly.
func Auditor(db *store.DB, cfg config.Config) feature.Auditor {
	return audit.NewService(db, cfg.Role == config.RoleCentral)
}

// OpenStore opens the database with every component's schema, for the server
// and for commands that work on the data directory directly.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	return openStore(ctx, cfg, log, Features)
}

// openStore opens the database with the schemas of the layers below the
// features, then the features' own in their order.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger, features []feature.Feature) (*store.DB, error) {
	db, err := store.OpenWith(ctx, cfg.DataDir, log, store.Durability(cfg.StoreSynchronous))
	if err != nil {
		return nil, err
	}
	schemas := []store.Schema{auth.Schema, demoSchema}
	for _, f := range features {
		if f.Schema.Name != "" {
			schemas = append(schemas, f.Schema)
		}
	}
	for _, s := range schemas {
		if err := db.Migrate(ctx, s); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// prepare makes the data directory ready for the features: this school's
// row, and no credential that does not log in here.
func (a *App) prepare(ctx context.Context) error {
	if a.Config.Role == config.RoleSchool {
		// This school's row, the first time; "preau user add" run before the
		// first start makes it as well.
		if err := a.Register.EnsureSchool(ctx, a.Config.SchoolID, a.Config.SchoolName); err != nil {
			return err
		}
	}
	if a.Config.Role == config.RoleSchool {
		// Credentials a school held from before central withheld them (the
		// DSI's password hash) go now.
		n, err := a.DB.ScrubSecrets(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			a.Log.Info("credentials of accounts that do not log in here removed", "accounts", n)
		}
	}
	return nil
}

// Close releases the store and the data directory.
func (a *App) Close() error { return errors.Join(a.DB.Close(), a.lock.Release()) }

// Listeners are the sockets a node serves on; HTTPS is nil without TLS,
// Metrics without metrics.addr.
type Listeners struct {
	HTTP, HTTPS, Metrics net.Listener
}

// Listen opens the configured addresses. Run calls it; tests call it
// themselves to learn the ports chosen for ":0".
func (a *App) Listen() (Listeners, error) {
	var ls Listeners
	var err error
	if ls.HTTP, err = listen(a.Config.HTTPAddr); err != nil {
		return ls, err
	}
	if a.Config.TLS() {
		if ls.HTTPS, err = listen(a.Config.HTTPSAddr); err != nil {
			ls.HTTP.Close()
			return ls, err
		}
	}
	if a.Config.MetricsAddr != "" {
		// The school's ENT matters more than its metrics: a taken port (a
		// second node on one machine) leaves them to the main address.
		if ls.Metrics, err = listen(a.Config.MetricsAddr); err != nil {
			a.Log.Warn("metrics not served apart: set metrics.addr to a free address, or empty", "err", err)
		}
	}
	return ls, nil
}

func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, i18n.Error([]error{err}, "app.listen", "Addr", addr, "Error", err.Error())
	}
	return ln, nil
}

// Run listens and serves until ctx ends.
func (a *App) Run(ctx context.Context) error {
	ls, err := a.Listen()
	if err != nil {
		return err
	}
	return a.Serve(ctx, ls)
}

// Serve serves on ls until ctx ends, then shuts down gracefully. With HTTPS
// the HTTP listener only redirects to it.
func (a *App) Serve(ctx context.Context, ls Listeners) error {
	errc := make(chan error, 3) // one per server: none blocks at shutdown
	var servers []*http.Server
	start := func(ln net.Listener, h http.Handler, tlsOn bool) {
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
	}
	if ls.HTTPS != nil {
		start(ls.HTTPS, a.Web.Handler(), true)
		start(ls.HTTP, web.SecureHeaders(redirectToHTTPS(ls.HTTPS.Addr().String())), false)
		a.Log.Info("Préau listening", "https", ls.HTTPS.Addr(), "http_redirect", ls.HTTP.Addr())
	} else {
		start(ls.HTTP, a.Web.Handler(), false)
		a.Log.Info("Préau listening", "http", ls.HTTP.Addr())
	}
	if ls.Metrics != nil {
		start(ls.Metrics, a.Web.MetricsHandler(), false)
		a.Log.Info("metrics served without a session", "addr", ls.Metrics.Addr())
	}
	go a.housekeeping(ctx)
	// The services get until the servers are down and a few seconds more
	// to finish what they hold (the statistics' counters not yet written).
	var services sync.WaitGroup
	for _, run := range a.Env.Services {
		services.Go(func() { run(ctx) })
	}
	if err := a.serveControl(ctx); err != nil {
		a.Log.Warn("control socket unavailable: preau sync will not reach this server", "err", err)
	}

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
	done := make(chan struct{})
	go func() { services.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutdown.Done():
		a.Log.Warn("services still running at shutdown")
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
