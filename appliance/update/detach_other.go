//go:build !unix

package update

import (
	"os"
	"os/exec"
)

// detach starts the watchdog as a process of its own.
func detach(bin string, args []string, logFile string, managed bool) error {
	out, err := os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// alive reports whether a process still runs.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	return err == nil && p != nil && pid > 0
}
