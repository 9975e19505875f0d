//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an advisory flock. It belongs to the open file, not to the
// process, so a second Lock in the same process is refused too (tests rely
// on it).
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}

func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
