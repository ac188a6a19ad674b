// Package tfrun runs the real Terraform CLI against the provider built from
// this module, offline: the provider is served through dev_overrides (or
// attached in debug mode), so no configuration needs `terraform init` or a
// registry. It is what the benchmark and the crash tests drive.
package tfrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/opentofu"
)

// ProviderAddresses are the provider's addresses as configurations name
// it (source = "stratos-sh/stratos"): Terraform resolves a source without a
// hostname on registry.terraform.io, OpenTofu on registry.opentofu.org.
var ProviderAddresses = []string{
	"registry.terraform.io/stratos-sh/stratos",
	"registry.opentofu.org/stratos-sh/stratos",
}

// FindTerraform returns the Terraform CLI to use: $STRATOS_TERRAFORM,
// $TF_ACC_TERRAFORM_PATH, terraform on PATH, or the OpenTofu build
// scripts/terraform.sh falls back to. It never builds one (scripts/terraform.sh does).
func FindTerraform() (string, error) {
	for _, env := range []string{"STRATOS_TERRAFORM", "TF_ACC_TERRAFORM_PATH"} {
		if p := os.Getenv(env); p != "" {
			return p, nil
		}
	}
	if p, err := exec.LookPath("terraform"); err == nil {
		return p, nil
	}
	if p, ok := opentofu.Cached(); ok {
		return p, nil
	}
	return "", errors.New("no terraform CLI: put one on PATH, set STRATOS_TERRAFORM, or run scripts/terraform.sh once")
}

// DevOverridesConfig is a CLI configuration (terraformrc) that serves the
// provider in dir to Terraform and OpenTofu alike, without `init`.
func DevOverridesConfig(dir string) string {
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, addr := range ProviderAddresses {
		fmt.Fprintf(&b, "    %q = %q\n", addr, dir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return b.String()
}

// Setup is a provider binary plus the CLI configuration that makes Terraform use it.
type Setup struct {
	Terraform string
	// Provider is the provider executable.
	Provider string
	// CLIConfig is a terraformrc with a dev_overrides block for Provider.
	CLIConfig string
}

// NewSetup builds the provider from the module at root into dir and writes
// the CLI configuration beside it.
func NewSetup(ctx context.Context, terraform, root, dir string) (*Setup, error) {
	bin := filepath.Join(dir, "bin", "terraform-provider-stratos")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build provider: %w\n%s", err, out)
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte(DevOverridesConfig(filepath.Dir(bin))), 0o644); err != nil {
		return nil, fmt.Errorf("write CLI config: %w", err)
	}
	return &Setup{Terraform: terraform, Provider: bin, CLIConfig: rc}, nil
}

// ModuleRoot finds the directory of the go.mod that encloses dir.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Workspace is a configuration directory with local state.
type Workspace struct {
	Setup *Setup
	Dir   string
	// Env is added to the process environment of every command (later wins).
	Env []string
}

// NewWorkspace makes dir a workspace of s.
func (s *Setup) NewWorkspace(dir string, env ...string) (*Workspace, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Workspace{Setup: s, Dir: dir, Env: env}, nil
}

// WriteConfig replaces the workspace's configuration (main.tf).
func (w *Workspace) WriteConfig(hcl string) error {
	return os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(hcl), 0o644)
}

// Result is a finished command.
type Result struct {
	Args     []string
	Stdout   string
	Stderr   string
	Duration time.Duration
}

// Run runs terraform with args (e.g. "apply", "-auto-approve") and returns
// its output; a non-zero exit is an error that quotes the output's end.
func (w *Workspace) Run(ctx context.Context, args ...string) (Result, error) {
	p, err := w.Start(ctx, args...)
	if err != nil {
		return Result{Args: args}, err
	}
	return p.Wait()
}

// Process is a running terraform command in its own process group, so that
// it and the provider it launched can be killed together.
type Process struct {
	cmd    *exec.Cmd
	args   []string
	start  time.Time
	stdout bytes.Buffer
	stderr bytes.Buffer
}

// Start starts terraform with args without waiting for it.
func (w *Workspace) Start(ctx context.Context, args ...string) (*Process, error) {
	p := &Process{args: args}
	p.cmd = exec.CommandContext(ctx, w.Setup.Terraform, append(args, "-no-color")...)
	p.cmd.Dir = w.Dir
	p.cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+w.Setup.CLIConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
	)
	p.cmd.Env = append(p.cmd.Env, w.Env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.Cancel = func() error { return p.Kill() }
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start terraform %s: %w", strings.Join(args, " "), err)
	}
	return p, nil
}

// Pid is terraform's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Wait waits for the command to end.
func (p *Process) Wait() (Result, error) {
	err := p.cmd.Wait()
	res := Result{Args: p.args, Stdout: p.stdout.String(), Stderr: p.stderr.String(), Duration: time.Since(p.start)}
	if err != nil {
		return res, fmt.Errorf("terraform %s: %w\n%s", strings.Join(p.args, " "), err, tail(res.Stdout+res.Stderr, 40))
	}
	return res, nil
}

// Kill sends SIGKILL to terraform, every process it started (the provider)
// and the rest of its process group: what a CI runner that dies does.
// Terraform dies first: were the provider first, Terraform would notice
// the broken plugin and start saving its state, and the kill would catch
// that write half done — an artefact of the kill order, not of a crash.
func (p *Process) Kill() error {
	pid := p.cmd.Process.Pid
	victims := append([]int{pid}, Descendants(pid)...)
	var errs []error
	for _, v := range victims {
		if err := syscall.Kill(v, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("kill %d: %w", v, err))
		}
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		errs = append(errs, fmt.Errorf("kill process group %d: %w", pid, err))
	}
	return errors.Join(errs...)
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}
