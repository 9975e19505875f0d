package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"preau/appliance/i18n"
	"strings"
	"syscall"

	"preau/appliance"
	"preau/appliance/config"
	"preau/appliance/store"
)

func runBackup(e *env, args []string) error {
	var cf configFlags
	fs := newFlagSet("backup", e)
	cf.register(fs, false)
	dst, cfg, err := archiveArgs(fs, &cf, args, e.L().T("cli.backup.which"))
	if err != nil {
		return err
	}
	if !exists(filepath.Join(cfg.DataDir, store.DBFile)) {
		return i18n.Error(nil, "cli.backup.no_db", "Dir", cfg.DataDir)
	}
	if dst != "-" && inside(cfg.DataDir, dst) {
		return i18n.Error(nil, "cli.backup.outside")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The server may be running: this is a second, ordinary SQLite client.
	db, err := appliance.OpenStore(ctx, cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	if dst == "-" {
		_, err := db.Backup(ctx, e.stdout, appliance.Version)
		return err
	}
	var m store.Manifest
	err = writeAtomically(dst, func(w io.Writer) error {
		m, err = db.Backup(ctx, w, appliance.Version)
		return err
	})
	if err != nil {
		return err
	}
	size := ""
	if fi, err := os.Stat(dst); err == nil {
		size = fmt.Sprintf(" (%s)", humanSize(fi.Size()))
	}
	l := e.L()
	fmt.Fprintln(e.stdout, l.T("cli.backup.written", "File", dst+size, "When", l.DateTime(m.CreatedAt.Local())))
	fmt.Fprintln(e.stdout, l.T("cli.backup.to_restore", "File", dst))
	return nil
}

// archiveArgs parses a command whose one argument is an archive file and
// loads the configuration.
func archiveArgs(fs *flag.FlagSet, cf *configFlags, args []string, missing string) (string, config.Config, error) {
	rest, err := parseArgs(fs, args)
	if err != nil {
		return "", config.Config{}, err
	}
	if len(rest) != 1 {
		return "", config.Config{}, errors.New(missing)
	}
	cfg, err := cf.load(fs)
	return rest[0], cfg, err
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f Go", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f Mo", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d Ko", (n+1023)/1024)
}

// writeAtomically lets write fill a temporary file next to path and puts
// it in place only when complete: an earlier backup is never replaced by
// half of a new one.
func writeAtomically(path string, write func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// inside reports whether path lies in dir.
func inside(dir, path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(dir, abs)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func runRestore(e *env, args []string) error {
	var cf configFlags
	fs := newFlagSet("restore", e)
	cf.register(fs, false)
	l := e.L()
	force := fs.Bool("force", false, l.T("cli.restore.flag_force"))
	src, cfg, err := archiveArgs(fs, &cf, args, l.T("cli.restore.which"))
	if err != nil {
		return err
	}
	var r io.Reader = e.stdin
	if src != "-" {
		f, err := os.Open(src)
		if err != nil {
			return i18n.Error([]error{err}, "cli.restore.unreadable", "Error", err.Error())
		}
		defer f.Close()
		r = f
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := store.Restore(ctx, r, cfg.DataDir, *force, newLogger(cfg, e.stderr))
	switch {
	case errors.Is(err, store.ErrNotEmpty):
		return i18n.Error([]error{err}, "cli.restore.not_empty", "Error", err)
	case errors.Is(err, store.ErrLocked):
		return i18n.Error([]error{err}, "cli.restore.locked", "Dir", cfg.DataDir, "Error", err)
	case err != nil:
		return i18n.Error([]error{err}, "cli.restore.nothing_changed", "Error", err)
	}
	if m := res.Manifest; !m.CreatedAt.IsZero() {
		fmt.Fprintln(e.stdout, l.T("cli.restore.done_from", "When", l.DateTime(m.CreatedAt.Local()), "Version", m.Version, "Dir", cfg.DataDir))
	} else {
		fmt.Fprintln(e.stdout, l.T("cli.restore.done", "Dir", cfg.DataDir))
	}
	if res.Aside != "" {
		fmt.Fprintln(e.stdout, l.T("cli.restore.aside", "Dir", res.Aside))
	}
	fmt.Fprintln(e.stdout, l.T("cli.restore.epoch", "Epoch", res.Epoch))
	return nil
}
