// Package opentofu builds the OpenTofu CLI from its Go module, once per
// version, into the user's cache folder. It is the CLI `make test` runs the
// OpenTofu checks with, and the fallback scripts/terraform.sh uses when no
// terraform is on PATH: unlike Terraform after v1.5.7, OpenTofu's releases
// build from the Go module proxy, and they run provider-defined functions
// (OpenTofu ≥ 1.7; Terraform 1.5.7 cannot).
package opentofu

import (
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

	"golang.org/x/mod/modfile"
)

// Version is the OpenTofu release built here: the newest the Go module
// proxy served when it was chosen (`go list -m -versions github.com/opentofu/opentofu`).
const Version = "v1.12.6"

// Module is OpenTofu's Go module; its CLI is the package cmd/tofu.
const Module = "github.com/opentofu/opentofu"

// CacheDir is the folder of one version's build: a new version never
// reuses an old binary.
func CacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find cache directory: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "stratos", "opentofu-"+Version), nil
}

// Cached returns the path of the built CLI when it exists, without building.
func Cached() (string, bool) {
	dir, err := CacheDir()
	if err != nil {
		return "", false
	}
	bin := filepath.Join(dir, "tofu")
	return bin, executable(bin)
}

// Ensure returns the cached CLI, building it first if needed. Concurrent
// callers (parallel `make test` runs, test packages) wait on an exclusive
// lock beside the cache folder, so the build runs once. Build output and
// progress go to log (may be nil).
func Ensure(ctx context.Context, log io.Writer) (string, error) {
	if log == nil {
		log = io.Discard
	}
	if bin, ok := Cached(); ok {
		return bin, nil
	}
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create cache directory: %w", err)
	}
	unlock, err := lock(ctx, filepath.Join(dir, ".lock"), log)
	if err != nil {
		return "", err
	}
	defer unlock()
	bin := filepath.Join(dir, "tofu")
	if executable(bin) {
		return bin, nil // built by the process that held the lock
	}
	start := time.Now()
	fmt.Fprintf(log, "opentofu: building OpenTofu %s from the Go module proxy into %s (first use only, takes minutes)\n", Version, dir)
	if err := build(ctx, bin, log); err != nil {
		return "", fmt.Errorf("build OpenTofu %s: %w", Version, err)
	}
	fmt.Fprintf(log, "opentofu: built OpenTofu %s in %s\n", Version, time.Since(start).Round(time.Second))
	return bin, nil
}

// build compiles cmd/tofu in a throwaway module that requires OpenTofu at
// Version and carries over its go.mod's replace directives: a dependency's
// replaces are ignored by the go command, and OpenTofu's (its fork of
// hashicorp/hcl) are part of the release. The binary is moved into place
// only when complete, so an interrupted build leaves nothing half-written.
func build(ctx context.Context, out string, log io.Writer) error {
	work, err := os.MkdirTemp("", "stratos-opentofu-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	upstream, err := downloadGoMod(ctx, work, log)
	if err != nil {
		return err
	}
	wrapper, err := WrapperGoMod(upstream)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "go.mod"), wrapper, 0o644); err != nil {
		return err
	}
	tmp := out + ".tmp"
	// dev=no drops the "-dev" suffix, as OpenTofu's release builds do, so
	// `tofu version` reports the plain release.
	ldflags := "-s -w -X " + Module + "/version.dev=no"
	cmd := goCommand(ctx, work, log, "build", "-trimpath", "-ldflags", ldflags, "-o", tmp, Module+"/cmd/tofu")
	if err := cmd.Run(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("go build %s/cmd/tofu: %w", Module, err)
	}
	return os.Rename(tmp, out)
}

// WrapperGoMod is the go.mod of a module that builds OpenTofu's CLI as a
// dependency: the same Go language version as upstream, a requirement on
// Module at Version, and upstream's replace directives that point at other
// modules (local-path replaces cannot work outside its repository and are
// an error).
func WrapperGoMod(upstream []byte) ([]byte, error) {
	up, err := modfile.Parse("go.mod", upstream, nil)
	if err != nil {
		return nil, fmt.Errorf("parse %s go.mod: %w", Module, err)
	}
	if up.Module == nil || up.Module.Mod.Path != Module {
		return nil, fmt.Errorf("the go.mod given is not %s's", Module)
	}
	w := &modfile.File{}
	if err := w.AddModuleStmt("stratos.sh/opentofu-build"); err != nil {
		return nil, err
	}
	goVersion := "1.23"
	if up.Go != nil {
		goVersion = up.Go.Version
	}
	if err := w.AddGoStmt(goVersion); err != nil {
		return nil, err
	}
	if err := w.AddRequire(Module, Version); err != nil {
		return nil, err
	}
	for _, r := range up.Replace {
		if r.New.Version == "" {
			return nil, fmt.Errorf("%s replaces %s with the local path %s; it cannot be built as a dependency", Module, r.Old.Path, r.New.Path)
		}
		if err := w.AddReplace(r.Old.Path, r.Old.Version, r.New.Path, r.New.Version); err != nil {
			return nil, err
		}
	}
	w.Cleanup()
	return w.Format()
}

// downloadGoMod fetches Module at Version through the module proxy and
// returns its go.mod.
func downloadGoMod(ctx context.Context, work string, log io.Writer) ([]byte, error) {
	cmd := goCommand(ctx, work, log, "mod", "download", "-json", Module+"@"+Version)
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go mod download %s@%s: %w", Module, Version, err)
	}
	var info struct{ GoMod, Error string }
	if err := json.Unmarshal([]byte(stdout.String()), &info); err != nil {
		return nil, fmt.Errorf("read go mod download output: %w", err)
	}
	if info.Error != "" {
		return nil, fmt.Errorf("download %s@%s: %s", Module, Version, info.Error)
	}
	return os.ReadFile(info.GoMod)
}

// goCommand runs the go tool with the toolchain and workspace pinned, so a
// go.work or a toolchain line elsewhere cannot change what is built.
func goCommand(ctx context.Context, dir string, log io.Writer, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
	cmd.Stdout = log
	cmd.Stderr = log
	return cmd
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// lock takes an exclusive flock on path, polling so that ctx can cancel the wait.
func lock(ctx context.Context, path string, log io.Writer) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open build lock: %w", err)
	}
	for announced := false; ; announced = true {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !announced {
			fmt.Fprintf(log, "opentofu: waiting for another process building OpenTofu (%s)\n", path)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("wait for build lock: %w", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}
