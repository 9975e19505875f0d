//go:build unix

package update

import (
	"os"
	"os/exec"
	"strings"
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
			// A transient unit starts with a clean environment: the
			// configuration the service has from PREAU_* goes along.
			pre := []string{"--collect", "--quiet"}
			for _, kv := range os.Environ() {
				if strings.HasPrefix(kv, "PREAU_") {
					pre = append(pre, "--setenv="+kv)
				}
			}
			args = append(append(pre, "--", bin), args...)
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
