package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"preau/appliance/i18n"
	"strconv"
	"strings"
)

// LockFile is the lock's file name inside the data directory.
const LockFile = "preau.lock"

// ControlSocket is the running server's control socket in the data
// directory, through which commands reach it (preau sync now).
const ControlSocket = "preau.sock"

// ErrLocked is returned by Lock when another process holds the data
// directory: a running server, or a restore in progress.
var ErrLocked = i18n.Error(nil, "store.locked")

// DirLock is an exclusive hold on a data directory. The server takes it for
// as long as it runs, so that restore cannot swap the directory under it.
// Commands that only read or write through SQLite (user, backup) do not take
// it: SQLite already arbitrates between processes.
type DirLock struct {
	f *os.File
}

// Lock takes the data directory's lock, creating the directory if needed.
// The operating system releases it if the process dies, so a crash never
// leaves a stale lock behind.
func Lock(dir string) (*DirLock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("creating the data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("verrou %s : %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, lockedError(path)
		}
		return nil, fmt.Errorf("verrou %s : %w", path, err)
	}
	// The holder's pid, so that the error seen by the next one names it.
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &DirLock{f: f}, nil
}

func lockedError(path string) error {
	b, _ := os.ReadFile(path)
	if pid := strings.TrimSpace(string(b)); pid != "" {
		return fmt.Errorf("%w (processus %s)", ErrLocked, pid)
	}
	return ErrLocked
}

// Release gives the lock back. It is safe on a nil lock.
func (l *DirLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := errors.Join(unlockFile(l.f), l.f.Close())
	l.f = nil
	return err
}
