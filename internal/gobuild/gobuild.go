// Package gobuild builds the tools the project runs beside itself (etcd and
// the Kubernetes control plane for the sandbox, OpenTofu for the CLI checks)
// from the Go module proxy, once per version, into the user's cache folder:
// the go command pinned to this toolchain, the module's go.mod read through
// the proxy, and a lock so that concurrent callers build once.
package gobuild

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// CacheRoot is the user's cache folder ($XDG_CACHE_HOME, else ~/.cache).
func CacheRoot() (string, error) {
	if base := os.Getenv("XDG_CACHE_HOME"); base != "" {
		return base, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find cache directory: %w", err)
	}
	return filepath.Join(home, ".cache"), nil
}

// Executable reports whether path is a regular file someone may execute.
func Executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// Lock takes an exclusive flock on path, polling so that ctx can cancel the
// wait. While it waits it writes waiting to log once (log may be nil).
// Closing the file releases the lock, so the returned func is all a caller
// needs, and a killed process never leaves the lock held.
func Lock(ctx context.Context, path, waiting string, log io.Writer) (func(), error) {
	if log == nil {
		log = io.Discard
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open build lock: %w", err)
	}
	for announced := false; ; announced = true {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !announced {
			fmt.Fprintf(log, "%s (%s)\n", waiting, path)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("wait for build lock: %w", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Command runs the go tool in dir with the toolchain and workspace pinned,
// so a go.work or a toolchain line elsewhere cannot change what is built,
// and without cgo, so the result runs on any machine of this kind.
func Command(ctx context.Context, dir string, log io.Writer, args ...string) *exec.Cmd {
	if log == nil {
		log = io.Discard
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
	cmd.Stdout = log
	cmd.Stderr = log
	return cmd
}

// Run runs cmd, naming it in the error.
func Run(cmd *exec.Cmd) error {
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), err)
	}
	return nil
}

// DownloadGoMod fetches modVersion ("path@version") through the module
// proxy and returns its go.mod.
func DownloadGoMod(ctx context.Context, modVersion string, log io.Writer) ([]byte, error) {
	work, err := os.MkdirTemp("", "stratos-gobuild-mod-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var stdout bytes.Buffer
	cmd := Command(ctx, work, log, "mod", "download", "-json", modVersion)
	cmd.Stdout = &stdout
	if err := Run(cmd); err != nil {
		return nil, err
	}
	var info struct{ GoMod, Error string }
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil {
		return nil, fmt.Errorf("read go mod download output: %w", err)
	}
	if info.Error != "" {
		return nil, fmt.Errorf("download %s: %s", modVersion, info.Error)
	}
	return os.ReadFile(info.GoMod)
}
