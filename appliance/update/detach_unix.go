//go:build unix

package update

import (
	"os"
	"os/exec"
	"syscall"
)

// detach starts the watchdog out of this process's group and session, so
// that this process's end does not end it. Under systemd it runs in a
// transient unit of its own (systemd-run): a unit's restart kills every
// process of its control group.
func detach(bin string, args []string, logFile string, managed bool) error {
	out, err := os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	name := bin
	if managed {
		if run, err := exec.LookPath("systemd-run"); err == nil {
			args = append([]string{"--collect", "--quiet", "--", bin}, args...)
			name = run
		}
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// alive reports whether a process still runs.
func alive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) == nil
}
