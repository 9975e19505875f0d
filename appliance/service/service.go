// Package service runs Préau under the operating system's service manager
// (systemd and the other init systems, launchd, Windows services) through
// github.com/kardianos/service: it installs, controls and reports on the
// "preau" service, and runs the server's body so that the manager's stop
// requests end it gracefully.
//
// It knows nothing of the command line or the appliance: the caller hands
// it the function that serves. The manager restarts a failed process; no
// parent process of ours ever does.
package service

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"preau/appliance/i18n"
	"runtime"
	"syscall"
	"time"

	ksvc "github.com/kardianos/service"
)

// The service's names as the operating system shows them.
const (
	Name        = "preau"
	DisplayName = "Préau"
	Description = "Préau, the digital workspace of primary schools: a school's server or the city's central server."
)

// stopTimeout bounds a graceful stop; the server's own shutdown takes at
// most 10 s, so this only catches a hang.
const stopTimeout = 30 * time.Second

// Options say what the installed service runs.
type Options struct {
	Executable string // the preau binary; os.Executable() when empty
	ConfigFile string // required to install
	DataDir    string // optional, overrides the file's data_dir
}

// Command returns the installed command line: the binary, then
// "serve --config <file> [--data-dir <dir>]", every path absolute because a
// service starts from the manager's working directory, not the admin's.
func (o Options) Command() (exe string, args []string, err error) {
	exe = o.Executable
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return "", nil, i18n.Error([]error{err}, "service.no_exe", "Error", err.Error())
		}
	}
	if o.ConfigFile == "" {
		return "", nil, i18n.Error(nil, "service.need_config")
	}
	if exe, err = filepath.Abs(exe); err != nil {
		return "", nil, err
	}
	file, err := filepath.Abs(o.ConfigFile)
	if err != nil {
		return "", nil, err
	}
	args = []string{"serve", "--config", file}
	if o.DataDir != "" {
		dir, err := filepath.Abs(o.DataDir)
		if err != nil {
			return "", nil, err
		}
		args = append(args, "--data-dir", dir)
	}
	return exe, args, nil
}

// Config is the service manager's description of the service.
func (o Options) Config() (*ksvc.Config, error) {
	c := &ksvc.Config{Name: Name, DisplayName: DisplayName, Description: Description}
	if o.ConfigFile == "" {
		return c, nil // enough to control or query an installed service
	}
	exe, args, err := o.Command()
	if err != nil {
		return nil, err
	}
	c.Executable, c.Arguments = exe, args
	// A relative data_dir in the file then means the same as for the admin
	// who ran "preau init" next to it.
	c.WorkingDirectory = filepath.Dir(args[2])
	if runtime.GOOS == "linux" {
		c.Dependencies = []string{"After=network-online.target", "Wants=network-online.target"}
	}
	return c, nil
}

// Status is what the service manager reports.
type Status int

const (
	Unknown Status = iota
	Running
	Stopped
	NotInstalled
)

// Key is the catalogue key of the status, for "preau service status".
func (s Status) Key() string {
	switch s {
	case Running:
		return "service.status.running"
	case Stopped:
		return "service.status.stopped"
	case NotInstalled:
		return "service.status.not_installed"
	}
	return "service.status.unknown"
}

// Manager controls the installed service.
type Manager struct {
	s ksvc.Service
}

// New prepares a Manager; nothing is installed or started yet.
func New(o Options) (*Manager, error) {
	c, err := o.Config()
	if err != nil {
		return nil, err
	}
	s, err := ksvc.New(&program{}, c)
	if err != nil {
		return nil, i18n.Error([]error{err}, "service.no_manager", "Error", err.Error())
	}
	return &Manager{s: s}, nil
}

// Platform names the service manager in use (linux-systemd, windows-service...).
func (m *Manager) Platform() string { return m.s.Platform() }

// Control runs install, uninstall, start, stop or restart.
func (m *Manager) Control(action string) error {
	var err error
	switch action {
	case "install":
		err = m.s.Install()
	case "uninstall":
		err = m.s.Uninstall()
	case "start":
		err = m.s.Start()
	case "stop":
		err = m.s.Stop()
	case "restart":
		err = m.s.Restart()
	default:
		return i18n.Error(nil, "service.unknown_action", "Action", action)
	}
	if err != nil {
		return i18n.Error([]error{err}, "service.failed", "Action", i18n.M("service.action."+action), "Error", err.Error())
	}
	return nil
}

// Status asks the service manager whether the service runs.
func (m *Manager) Status() (Status, error) {
	st, err := m.s.Status()
	switch {
	case errors.Is(err, ksvc.ErrNotInstalled), err != nil && m.sysvMissing():
		return NotInstalled, nil
	case err != nil:
		return Unknown, err
	case st == ksvc.StatusRunning:
		return Running, nil
	case st == ksvc.StatusStopped:
		return Stopped, nil
	}
	return Unknown, nil
}

// sysvMissing tells a System V service that is not installed: "service
// preau status" then just fails, which kardianos reports as an error.
func (m *Manager) sysvMissing() bool {
	if m.s.Platform() != "unix-systemv" {
		return false
	}
	_, err := os.Stat(filepath.Join("/etc/init.d", Name))
	return errors.Is(err, os.ErrNotExist)
}

// Run runs serve until the service manager, or Ctrl-C in a terminal, asks
// to stop; serve must return soon after its context ends. Started by hand it
// just handles SIGINT and SIGTERM.
func Run(serve func(ctx context.Context) error) error {
	if ksvc.Interactive() {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return serve(ctx)
	}
	p := &program{serve: serve}
	s, err := ksvc.New(p, &ksvc.Config{Name: Name, DisplayName: DisplayName, Description: Description,
		Option: ksvc.KeyValue{"RunWait": p.wait}})
	if err != nil {
		return err
	}
	if err := s.Run(); err != nil {
		return err
	}
	return p.err
}

// program adapts serve to the manager's Start and Stop callbacks.
type program struct {
	serve  func(ctx context.Context) error
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func (p *program) Start(ksvc.Service) error {
	if p.serve == nil {
		return errors.New("nothing to run") // a Manager's program only controls
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go func() {
		p.err = p.serve(ctx)
		close(p.done)
		// Windows' service loop only ends on a manager request: exit so that
		// the manager sees the failure and applies its recovery policy.
		if ctx.Err() == nil && runtime.GOOS == "windows" {
			os.Exit(1)
		}
	}()
	return nil
}

func (p *program) Stop(ksvc.Service) error {
	if p.cancel == nil {
		return nil
	}
	p.cancel()
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		return errors.New("the server did not stop in time")
	}
}

// wait blocks until a stop signal or until serve ends by itself (a port
// already taken, say), so the process exits and the manager restarts it.
func (p *program) wait() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case <-sig:
	case <-p.done:
	}
}
