// Package opentofu builds the OpenTofu CLI from its Go module, once per
// version, into the user's cache folder. It is the CLI `make test` runs the
// OpenTofu checks with, and the fallback scripts/terraform.sh uses when no
// terraform is on PATH: unlike Terraform after v1.5.7, OpenTofu's releases
// build from the Go module proxy, and they run provider-defined functions
// (OpenTofu ≥ 1.7; Terraform 1.5.7 cannot).
package opentofu

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/stratos-sh/terraform-provider-stratos/internal/gobuild"
)

// Version is the OpenTofu release built here: the newest the Go module
// proxy served when it was chosen (`go list -m -versions github.com/opentofu/opentofu`).
const Version = "v1.12.6"

// Module is OpenTofu's Go module; its CLI is the package cmd/tofu.
const Module = "github.com/opentofu/opentofu"

// lockWaiting is what a caller says while another process builds.
const lockWaiting = "opentofu: waiting for another process building OpenTofu"

// CacheDir is the folder of one version's build: a new version never
// reuses an old binary.
func CacheDir() (string, error) {
	base, err := gobuild.CacheRoot()
	if err != nil {
		return "", err
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
	return bin, gobuild.Executable(bin)
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
	unlock, err := gobuild.Lock(ctx, filepath.Join(dir, ".lock"), lockWaiting, log)
	if err != nil {
		return "", err
	}
	defer unlock()
	bin := filepath.Join(dir, "tofu")
	if gobuild.Executable(bin) {
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
	upstream, err := gobuild.DownloadGoMod(ctx, Module+"@"+Version, log)
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
	cmd := gobuild.Command(ctx, work, log, "build", "-trimpath", "-ldflags", ldflags, "-o", tmp, Module+"/cmd/tofu")
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
