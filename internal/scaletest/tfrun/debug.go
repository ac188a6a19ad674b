package tfrun

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// DebugProvider is the provider started in debug mode by this process, which
// Terraform attaches to (TF_REATTACH_PROVIDERS) instead of launching its own.
// Owning the process makes its costs exact: its peak memory is read from
// /proc before it stops, its CPU time when it is reaped.
type DebugProvider struct {
	cmd      *exec.Cmd
	reattach string
	exited   chan struct{}
	waitErr  error
}

// StartDebugProvider starts the provider at bin with -debug and waits for it
// to print its reattach configuration.
func StartDebugProvider(ctx context.Context, bin string, env []string) (*DebugProvider, error) {
	cmd := exec.Command(bin, "-debug")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start provider in debug mode: %w", err)
	}
	p := &DebugProvider{cmd: cmd, exited: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			// The Linux form is: TF_REATTACH_PROVIDERS='<json>'
			if v, ok := strings.CutPrefix(line, "TF_REATTACH_PROVIDERS='"); ok {
				select {
				case found <- strings.TrimSuffix(v, "'"):
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	select {
	case p.reattach = <-found:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("provider exited before it printed its reattach configuration: %v", p.waitErr)
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		return nil, ctx.Err()
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		return nil, errors.New("provider printed no reattach configuration within a minute")
	}
}

// Env is the variable Terraform needs to use this provider process.
func (p *DebugProvider) Env() string { return "TF_REATTACH_PROVIDERS=" + p.reattach }

// Pid is the provider's process id.
func (p *DebugProvider) Pid() int { return p.cmd.Process.Pid }

// Usage is what the provider process cost, from the kernel's accounting.
type Usage struct {
	// PeakRSS is the peak resident set size in bytes.
	PeakRSS int64
	// CPU is user plus system time.
	CPU time.Duration
}

// Stop ends the provider (SIGINT: debug mode's stop signal) and returns
// what it cost.
//
// The peak is the process's own VmHWM, read while it still runs. The
// rusage the kernel hands back when it is reaped is no use for memory: its
// ru_maxrss keeps the high-water mark of the memory the process shared with
// this one between Go's vfork-style clone and its exec, so it reports this
// process's size (the benchmark's, with the sandbox in it) for any child.
func (p *DebugProvider) Stop() (Usage, error) {
	peak := PeakRSS(p.cmd.Process.Pid)
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	if p.cmd.ProcessState == nil {
		return Usage{}, errors.New("provider state unknown")
	}
	if peak <= 0 {
		return Usage{}, errors.New("the provider's peak memory could not be read")
	}
	return Usage{
		PeakRSS: peak,
		CPU:     p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime(),
	}, nil
}
