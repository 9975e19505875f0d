package update

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	ksvc "github.com/kardianos/service"

	"preau/appliance/config"
	"preau/appliance/service"
)

// A binary update, at a school. The running server (the old binary):
//
//  1. writes the verified binary next to itself (preau.new), keeps a hard
//     link to itself (preau.previous), notes the update in flight in the
//     data directory (update/pending.json), and renames preau.new over
//     itself: one atomic rename, so the path always holds a whole binary;
//  2. starts the watchdog, "preau.previous update watch", out of its own
//     process group (under systemd, in a unit of its own through
//     systemd-run, so that the restart does not take it along);
//  3. stops gracefully, as the service manager would stop it.
//
// The watchdog waits for the old process to end, asks the service
// manager to restart the service (when there is one: otherwise whoever
// supervises the process starts it again, as systemd's Restart=always
// would), and gives the new binary update.health_timeout to answer
// /healthz as the new version. If it does not, the watchdog renames
// preau.previous back, notes the rollback and its reason in the marker,
// stops what the new binary started and has the service restarted: the
// previous binary comes back, finds the marker and reports the rollback
// to central.

// pending is the update in flight, in the data directory.
type pending struct {
	ReleaseID string    `json:"release_id"`
	Version   string    `json:"version"`  // the new binary's
	Previous  string    `json:"previous"` // the old binary's version
	Exe       string    `json:"exe"`
	Backup    string    `json:"backup"` // the old binary, kept
	OldPID    int       `json:"old_pid"`
	Managed   bool      `json:"managed"` // the old process ran under a service manager
	Deadline  time.Time `json:"deadline"`
	// City is set when the release brought the city's configuration too:
	// the one it replaced is kept beside it (CityFile.previous, absent
	// when there was none), for a rollback to put back.
	City bool `json:"city,omitempty"`
	// Result is set by the watchdog when it rolled back, with the reason.
	Result     string            `json:"result,omitempty"`
	Reason     string            `json:"reason,omitempty"`
	ReasonArgs map[string]string `json:"reason_args,omitempty"`
}

// started is what the new binary writes once it serves: its version and
// process, for the watchdog.
type started struct {
	Version string `json:"version"`
	PID     int    `json:"pid"`
}

func stateDir(dataDir string) string     { return filepath.Join(dataDir, "update") }
func pendingFile(dataDir string) string  { return filepath.Join(stateDir(dataDir), "pending.json") }
func startedFile(dataDir string) string  { return filepath.Join(stateDir(dataDir), "started.json") }
func watchLogFile(dataDir string) string { return filepath.Join(stateDir(dataDir), "watch.log") }
func clearPending(dataDir string)        { os.Remove(pendingFile(dataDir)); os.Remove(startedFile(dataDir)) }
func markStarted(dataDir, v string) error {
	return writeJSON(startedFile(dataDir), started{Version: v, PID: os.Getpid()})
}

func readPending(dataDir string) (pending, bool) {
	var p pending
	data, err := os.ReadFile(pendingFile(dataDir))
	if err != nil || json.Unmarshal(data, &p) != nil {
		return p, false
	}
	return p, true
}

// inFlight reports an update under way: its marker, not long past its
// deadline (a watchdog that died leaves one behind).
func inFlight(dataDir string) bool {
	p, ok := readPending(dataDir)
	return ok && p.Result == "" && time.Now().Before(p.Deadline.Add(time.Minute))
}

// writeJSON writes a file atomically: a temporary file renamed over it.
func writeJSON(name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

// applyBinary stages, swaps and hands over to the watchdog (steps 1 and 2
// above), with the city's configuration the release brings, if any; the
// caller then stops this process.
func (s *Service) applyBinary(bin, city []byte, rel Published) error {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return err
	}
	staged, backup := exe+".new", exe+".previous"
	if err := writeFile(staged, bin, 0o755); err != nil {
		return err
	}
	os.Remove(backup)
	if err := os.Link(exe, backup); err != nil {
		if err := copyFile(exe, backup); err != nil {
			os.Remove(staged)
			return err
		}
	}
	p := pending{ReleaseID: rel.ID, Version: rel.Version, Previous: s.version, Exe: exe, Backup: backup, OldPID: os.Getpid(),
		Managed: !ksvc.Interactive(), Deadline: s.now().Add(s.cfg.UpdateHealthTimeout + 30*time.Second)}
	os.Remove(startedFile(s.cfg.DataDir))
	if city != nil {
		p.City = true
		if err := keepCity(s.cfg.DataDir); err != nil {
			os.Remove(staged)
			return err
		}
	}
	if err := writeJSON(pendingFile(s.cfg.DataDir), p); err != nil {
		os.Remove(staged)
		return err
	}
	if city != nil {
		if err := writeFile(config.CityFile(s.cfg.DataDir), city, 0o600); err != nil {
			os.Remove(staged)
			restoreCity(s.cfg.DataDir)
			clearPending(s.cfg.DataDir)
			return err
		}
	}
	if err := os.Rename(staged, exe); err != nil {
		os.Remove(staged)
		if city != nil {
			restoreCity(s.cfg.DataDir)
		}
		clearPending(s.cfg.DataDir)
		return err
	}
	args := []string{"update", "watch", "--data-dir", s.cfg.DataDir}
	if s.cfg.File != "" {
		args = append(args, "--config", s.cfg.File)
	}
	if err := detach(backup, args, watchLogFile(s.cfg.DataDir), p.Managed); err != nil {
		// No watchdog, no rollback: put the old binary back.
		os.Rename(backup, exe)
		if city != nil {
			restoreCity(s.cfg.DataDir)
		}
		clearPending(s.cfg.DataDir)
		return err
	}
	return nil
}

// keepCity keeps the city's configuration in place before a release
// replaces it: a copy beside it, or none when there is none.
func keepCity(dataDir string) error {
	name := config.CityFile(dataDir)
	os.Remove(name + ".previous")
	err := copyFile(name, name+".previous")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// restoreCity puts back what keepCity kept.
func restoreCity(dataDir string) {
	name := config.CityFile(dataDir)
	if err := os.Rename(name+".previous", name); errors.Is(err, os.ErrNotExist) {
		os.Remove(name)
	}
}

// writeFile writes a file whole: a temporary file beside it, synced, then
// renamed over it.
func writeFile(name string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, name)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}

// stopSelf asks this process to stop gracefully, as its service manager
// would: the server shuts down and the process exits.
func stopSelf() {
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Signal(syscall.SIGTERM)
	}
}

// Watch is the watchdog's body (see above); cfg is the school's.
func Watch(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	p, ok := readPending(cfg.DataDir)
	if !ok || p.Result != "" {
		return nil
	}
	waitExit(ctx, p.OldPID, 30*time.Second)
	if p.Managed {
		restart(log)
	}
	timeout := cfg.UpdateHealthTimeout
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if healthy(cfg, p.Version) {
			log.Info("update healthy", "version", p.Version)
			clearPending(cfg.DataDir)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	log.Warn("update did not answer, rolling back", "version", p.Version, "timeout", timeout)
	if err := os.Rename(p.Backup, p.Exe); err != nil {
		return fmt.Errorf("roll back %s: %w", p.Exe, err)
	}
	if p.City {
		restoreCity(cfg.DataDir)
	}
	p.Result, p.Reason = RolledBack, "update.err.unhealthy"
	p.ReasonArgs = map[string]string{"Version": p.Version, "Timeout": timeout.String()}
	if err := writeJSON(pendingFile(cfg.DataDir), p); err != nil {
		return err
	}
	// A new binary that started but does not answer is stopped, for the
	// previous one to take its place.
	var st started
	if data, err := os.ReadFile(startedFile(cfg.DataDir)); err == nil && json.Unmarshal(data, &st) == nil && st.PID > 0 && st.PID != p.OldPID {
		if proc, err := os.FindProcess(st.PID); err == nil {
			proc.Signal(syscall.SIGTERM)
		}
	}
	if p.Managed {
		restart(log)
	}
	return nil
}

// healthy reports whether the server answers /healthz and is the new
// version (it wrote started.json when it came up).
func healthy(cfg config.Config, version string) bool {
	var st started
	data, err := os.ReadFile(startedFile(cfg.DataDir))
	if err != nil || json.Unmarshal(data, &st) != nil || st.Version != version {
		return false
	}
	url := "http://" + loopback(cfg.HTTPAddr) + "/healthz"
	client := &http.Client{Timeout: 2 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	// With TLS the HTTP port only redirects: answering it is being up.
	return resp.StatusCode == http.StatusOK || (cfg.TLS() && resp.StatusCode < 400)
}

// loopback is the address to reach a listener on this machine.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// waitExit waits for a process to end, at most d.
func waitExit(ctx context.Context, pid int, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil && alive(pid) {
		time.Sleep(100 * time.Millisecond)
	}
}

// restart asks the service manager to restart the service now, rather
// than after its restart delay.
func restart(log *slog.Logger) {
	m, err := service.New(service.Options{})
	if err == nil {
		err = m.Control("restart")
	}
	if err != nil {
		log.Error("service not restarted", "err", err)
	}
}
