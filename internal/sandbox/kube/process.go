package kube

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is a child in its own process group. Killing the group takes any
// grandchildren with it; Pdeathsig kills the child if the sandbox itself
// dies without running Close (e.g. SIGKILL), so nothing is left behind.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func startProcess(name, path string, args []string, log io.Writer) (*process, error) {
	cmd := exec.Command(path, args...)
	cmd.Stdout = log
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop asks the group to terminate, then kills it after grace, and waits
// until the child has been reaped.
func (p *process) stop(grace time.Duration) error {
	if p.exited() {
		return nil
	}
	pgid := p.cmd.Process.Pid
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %s: %w", p.name, err)
	}
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// The leader is reaped; make sure no member of its group outlives it.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	return nil
}

// Alive reports whether a process with this pid exists (and is not a zombie
// of ours: those are reaped by stop).
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil {
		return !errors.Is(err, syscall.ESRCH)
	}
	// A zombie still answers signal 0; read its state to tell.
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	for i := len(stat) - 1; i >= 0; i-- {
		if stat[i] == ')' && i+2 < len(stat) {
			return stat[i+2] != 'Z'
		}
	}
	return true
}

// ProcessStat is what a control-plane process has cost so far.
type ProcessStat struct {
	Name string
	// RSS and PeakRSS are VmRSS and VmHWM, in bytes.
	RSS, PeakRSS int64
	// CPU is user plus system time.
	CPU time.Duration
}

// stat reads the process's memory and CPU from /proc (Linux only; zeros
// elsewhere or once it has exited).
func (p *process) stat() ProcessStat {
	st := ProcessStat{Name: p.name}
	pid := p.pid()
	if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			key, value, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			if err != nil {
				continue
			}
			switch key {
			case "VmRSS":
				st.RSS = kb << 10
			case "VmHWM":
				st.PeakRSS = kb << 10
			}
		}
	}
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// Fields after the parenthesised command name; utime and stime are
		// the 14th and 15th fields of the line, in clock ticks (100 Hz on Linux).
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 {
			fields := strings.Fields(string(stat[i+1:]))
			if len(fields) > 12 {
				utime, _ := strconv.ParseInt(fields[11], 10, 64)
				stime, _ := strconv.ParseInt(fields[12], 10, 64)
				st.CPU = time.Duration(utime+stime) * 10 * time.Millisecond
			}
		}
	}
	return st
}
