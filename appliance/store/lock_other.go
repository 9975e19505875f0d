//go:build !unix

package store

import "os"

// lockFile is best-effort off unix: the lock file and its pid are written,
// but nothing stops a second process.
func lockFile(f *os.File) error { return nil }

func unlockFile(f *os.File) error { return nil }
