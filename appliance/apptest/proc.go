package apptest

// What /proc says of a process and of the processes it started. A server
// that forks (Dovecot: a process per IMAP connection, besides its auth, log
// and anvil processes) is measured as the whole tree, and a server of one
// process as a tree of one, so that both are measured alike.

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Usage is what a process and its descendants use at one moment.
type Usage struct {
	Procs int // the processes of the tree
	// CPU is their user and system time so far, with that of the
	// descendants that have exited and been waited for: the difference of
	// two Usages is the tree's CPU time in between, even when processes
	// came and went.
	CPU time.Duration
	// RSS is the sum of their resident memory: a page they share (a
	// library, what a forked child still shares with its parent) counts
	// once in each.
	RSS int64
	// PSS is the sum of their proportional set sizes: a page shared by n
	// processes counts 1/n in each, so once in the sum.
	PSS int64
}

// TreeUsage is what the process and every process it started, and theirs,
// use now.
func (p *Process) TreeUsage() (Usage, error) {
	root := p.cmd.Process.Pid
	children, err := processChildren()
	if err != nil {
		return Usage{}, err
	}
	var u Usage
	for todo := []int{root}; len(todo) > 0; {
		pid := todo[len(todo)-1]
		todo = append(todo[:len(todo)-1], children[pid]...)
		st, err := readStat(pid)
		if err == nil {
			var rss, pss int64
			if rss, err = readKB(pid, "status", "VmRSS"); err == nil {
				pss, err = readKB(pid, "smaps_rollup", "Pss")
			}
			u.Procs, u.CPU, u.RSS, u.PSS = u.Procs+1, u.CPU+st.cpu+st.reaped, u.RSS+rss, u.PSS+pss
		}
		// A descendant may exit while the tree is read; the server itself
		// may not.
		if err != nil && pid == root {
			return Usage{}, err
		}
	}
	return u, nil
}

// processChildren maps every process's id to its children's.
func processChildren() (map[int][]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	children := make(map[int][]int)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil {
			children[st.ppid] = append(children[st.ppid], pid)
		}
	}
	return children, nil
}

// stat is what the benchmarks read of /proc/<pid>/stat.
type stat struct {
	ppid   int
	cpu    time.Duration // user and system time
	reaped time.Duration // that of its children that exited and were waited for
}

func readStat(pid int) (stat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return stat{}, err
	}
	// Fields after the command name, which may hold spaces: state is the
	// first, the parent's id the 2nd, utime, stime, cutime and cstime the
	// 12th to 15th, in clock ticks of 1/100 s.
	i := bytes.LastIndexByte(b, ')')
	fields := strings.Fields(string(b[i+1:]))
	if i < 0 || len(fields) < 15 {
		return stat{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	var n [5]int64
	for k, f := range []string{fields[1], fields[11], fields[12], fields[13], fields[14]} {
		if n[k], err = strconv.ParseInt(f, 10, 64); err != nil {
			return stat{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
	}
	tick := 10 * time.Millisecond
	return stat{ppid: int(n[0]), cpu: time.Duration(n[1]+n[2]) * tick, reaped: time.Duration(n[3]+n[4]) * tick}, nil
}

// readKB reads a kB field of /proc/<pid>/<file> (status, smaps_rollup), in
// bytes.
func readKB(pid int, file, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		return kb * 1024, err
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s not in /proc/%d/%s", field, pid, file)
}

// SelfRSS is this process's resident memory now (VmRSS), in bytes: a
// benchmark that runs its server in the test process measures it so.
func SelfRSS() (int64, error) { return readKB(os.Getpid(), "status", "VmRSS") }
