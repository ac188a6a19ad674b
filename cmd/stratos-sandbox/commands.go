package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/kube"
)

// startTimeout bounds how long `up` waits for the background sandbox once
// the binaries are built (they are built in the foreground first).
const startTimeout = 3 * time.Minute

func build(stderr io.Writer) error {
	bins, err := kube.EnsureBinaries(context.Background(), stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "etcd:                    %s\nkube-apiserver:          %s\nkube-controller-manager: %s\nkube-scheduler:          %s\n", bins.Etcd, bins.KubeAPIServer, bins.KubeControllerManager, bins.KubeScheduler)
	return nil
}

func printEnv(stdout io.Writer) error {
	dir, err := stateDir()
	if err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(dir, envFile))
	if isNotExist(err) {
		return errors.New("no sandbox is running here: start one with `make sandbox-up`")
	}
	if err != nil {
		return err
	}
	_, err = stdout.Write(b)
	return err
}

func up(stdout, stderr io.Writer) error {
	dir, err := stateDir()
	if err != nil {
		return err
	}
	envPath := filepath.Join(dir, envFile)
	if pid, err := readPid(filepath.Join(dir, pidFile)); err == nil && isSandboxRun(pid) && healthy(dir) {
		fmt.Fprintf(stdout, "sandbox already running (pid %d); use it with: . %s\n", pid, envPath)
		return nil
	}
	// Whatever is left (a crashed or half-started sandbox) goes first.
	if _, err := os.Stat(dir); err == nil {
		if err := stop(dir); err != nil {
			return err
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("remove stale %s: %w", dir, err)
		}
	}
	// Build in the foreground, so a first run shows why it takes minutes.
	if _, err := kube.EnsureBinaries(context.Background(), stderr); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	logPath := filepath.Join(dir, logFile)
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	cmd := exec.Command(exe, "run")
	cmd.Env = append(os.Environ(), "STRATOS_SANDBOX_DIR="+dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	// A session of its own: the sandbox outlives this command and the
	// terminal (`make` returns), and is stopped by `down`.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start background sandbox: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, pidFile), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(startTimeout)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("sandbox exited while starting (%v); its log %s ends with:\n%s", err, logPath, tail(logPath, 20))
		case <-deadline:
			_ = stop(dir)
			return fmt.Errorf("sandbox not healthy after %s; its log %s ends with:\n%s", startTimeout, logPath, tail(logPath, 20))
		case <-time.After(200 * time.Millisecond):
			if healthy(dir) {
				fmt.Fprintf(stdout, "sandbox running (pid %d); use it with: . %s\n", cmd.Process.Pid, envPath)
				return nil
			}
		}
	}
}

func down(stdout io.Writer) error {
	dir, err := stateDir()
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); isNotExist(err) {
		fmt.Fprintln(stdout, "no sandbox running")
		return nil
	}
	if err := stop(dir); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove %s: %w", dir, err)
	}
	fmt.Fprintln(stdout, "sandbox stopped")
	return nil
}

// stop ends the background sandbox and makes sure its control-plane
// processes (etcd, kube-apiserver, kube-controller-manager, kube-scheduler)
// went with it. It signals only processes it can tell are the sandbox's, so
// a stale pid file never kills an unrelated process that reused the pid.
func stop(dir string) error {
	if pid, err := readPid(filepath.Join(dir, pidFile)); err == nil && isSandboxRun(pid) {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		if !waitGone(pid, 30*time.Second) {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			_ = syscall.Kill(pid, syscall.SIGKILL)
			if !waitGone(pid, 10*time.Second) {
				return fmt.Errorf("sandbox process %d does not exit", pid)
			}
		}
	}
	// Close stops them, and Pdeathsig kills them if the sandbox was killed;
	// this is the last resort for anything that escaped both.
	for _, pid := range readPids(filepath.Join(dir, pidsFile)) {
		if !isSandboxChild(pid) {
			continue
		}
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		_ = syscall.Kill(pid, syscall.SIGKILL)
		if !waitGone(pid, 10*time.Second) {
			return fmt.Errorf("sandbox child process %d does not exit", pid)
		}
	}
	return nil
}

func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for kube.Alive(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

func cmdline(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

func isSandboxRun(pid int) bool {
	args := cmdline(pid)
	return kube.Alive(pid) && len(args) >= 2 && args[len(args)-1] == "run"
}

func isSandboxChild(pid int) bool {
	args := cmdline(pid)
	if !kube.Alive(pid) || len(args) == 0 {
		return false
	}
	base := filepath.Base(args[0])
	switch base {
	case "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler":
		return true
	}
	return false
}

// runForeground runs the sandbox until SIGTERM or SIGINT. It publishes
// .sandbox/env only once everything answers, and withdraws it first on the
// way down, so `up` never reports a sandbox that is not there.
func runForeground(stderr io.Writer) error {
	dir, err := stateDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// `up` writes it too; a `run` started by hand must be stoppable by `down`.
	if err := writeFileAtomic(filepath.Join(dir, pidFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Options{Dir: filepath.Join(dir, kubeDir), Log: stderr})
	if err != nil {
		return err
	}
	defer sb.Close()
	var pids bytes.Buffer
	for _, pid := range sb.Pids() {
		fmt.Fprintln(&pids, pid)
	}
	if err := writeFileAtomic(filepath.Join(dir, pidsFile), pids.Bytes(), 0o644); err != nil {
		return err
	}
	envPath := filepath.Join(dir, envFile)
	if err := writeFileAtomic(envPath, []byte(sandbox.EnvFile(sb.Env())), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "stratos-sandbox: ready at %s (pid %d)\n", sb.URL(), os.Getpid())
	<-ctx.Done()
	fmt.Fprintln(stderr, "stratos-sandbox: stopping")
	_ = os.Remove(envPath)
	return sb.Close()
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
