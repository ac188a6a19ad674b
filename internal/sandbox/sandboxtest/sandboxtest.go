// Package sandboxtest gives a test package one shared sandbox.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { sandboxtest.Main(m) }
//
// and in the tests that need the sandbox:
//
//	sb := sandboxtest.Get(t) // skips unless the sandbox runs
//
// The sandbox starts only when tests ask for it: TF_ACC is set (Terraform
// acceptance tests) or STRATOS_SANDBOX=1. Otherwise Main just runs the
// tests and Get skips, so `go test ./...` stays fast and needs nothing.
// While it runs, the process environment carries the sandbox's variables
// (AWS_ENDPOINT_URL_EC2, KUBE_CONFIG_PATH, STRATOS_SANDBOX_*, …: see
// sandbox.Sandbox.Env), so the provider under test finds it exactly as it
// would after `. .sandbox/env`; AWS_CA_BUNDLE is unset (the sandbox is
// plain HTTP).
//
// STRATOS_SANDBOX_LOG=<file> keeps the control plane and simulator output.
package sandboxtest

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

var (
	current  *sandbox.Sandbox
	startErr error
)

// Wanted reports whether the environment asks for the sandbox.
func Wanted() bool {
	return os.Getenv("TF_ACC") != "" || os.Getenv("STRATOS_SANDBOX") == "1"
}

// Option adjusts the sandbox Main starts.
type Option func(*options)

type options struct{ config []string }

// WithConfig applies a partial sandbox config (JSON, as PUT /config takes)
// before any test runs: the package's baseline, which Configure restores.
func WithConfig(partialJSON string) Option {
	return func(o *options) { o.config = append(o.config, partialJSON) }
}

// Main runs the package's tests, with one sandbox around them when Wanted,
// and exits with their status. A sandbox that fails to start fails the run.
func Main(m *testing.M, opts ...Option) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	os.Exit(run(m, o))
}

func run(m *testing.M, o options) int {
	if !Wanted() {
		return m.Run()
	}
	var logw io.Writer = io.Discard
	if path := os.Getenv("STRATOS_SANDBOX_LOG"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "sandboxtest: open STRATOS_SANDBOX_LOG: %v\n", err)
			return 1
		}
		defer f.Close()
		logw = f
	}
	// The first run on a machine builds the Kubernetes control plane: minutes, not seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Options{Log: io.MultiWriter(logw, buildProgress{})})
	if err != nil {
		fmt.Fprintf(os.Stderr, "sandboxtest: start sandbox: %v\n", err)
		return 1
	}
	defer sb.Close()
	for _, partial := range o.config {
		if _, err := sb.UpdateConfig([]byte(partial)); err != nil {
			fmt.Fprintf(os.Stderr, "sandboxtest: configure sandbox: %v\n", err)
			return 1
		}
	}
	for k, v := range sb.Env() {
		if err := os.Setenv(k, v); err != nil {
			fmt.Fprintf(os.Stderr, "sandboxtest: set %s: %v\n", k, err)
			return 1
		}
	}
	// The provider under test runs with the documented ClusterRole, not as
	// cluster-admin; the tests' own clients (sb.Kubernetes) stay admin.
	dir, err := os.MkdirTemp("", "stratos-provider-rbac-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "sandboxtest: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if providerKubeconfig, err = BindProvider(ctx, sb, dir); err != nil {
		fmt.Fprintf(os.Stderr, "sandboxtest: bind the provider's ClusterRole: %v\n", err)
		return 1
	}
	if err := os.Setenv("KUBE_CONFIG_PATH", providerKubeconfig); err != nil {
		fmt.Fprintf(os.Stderr, "sandboxtest: set KUBE_CONFIG_PATH: %v\n", err)
		return 1
	}
	// The sandbox speaks plain HTTP: a CA bundle from the machine's
	// environment is of no use to it, and the SDK refuses to apply one to
	// a custom, non-buildable HTTP client.
	if err := os.Unsetenv("AWS_CA_BUNDLE"); err != nil {
		fmt.Fprintf(os.Stderr, "sandboxtest: unset AWS_CA_BUNDLE: %v\n", err)
		return 1
	}
	current = sb
	return m.Run()
}

// Get returns the package's sandbox, or skips t with the reason it is not
// running.
func Get(t testing.TB) *sandbox.Sandbox {
	t.Helper()
	if current == nil {
		if !Wanted() {
			t.Skip("needs the sandbox: set TF_ACC=1 or STRATOS_SANDBOX=1 (and call sandboxtest.Main from TestMain)")
		}
		t.Skip("the sandbox is not running: this package's TestMain must call sandboxtest.Main")
	}
	return current
}

// Configure applies a partial sandbox config (JSON, as PUT /config takes)
// for the rest of the test and restores the previous config afterwards.
// Tests that change the config must not run in parallel with each other.
func Configure(t testing.TB, partialJSON string) cloud.Config {
	t.Helper()
	sb := Get(t)
	before := sb.World().Config()
	cfg, err := sb.UpdateConfig([]byte(partialJSON))
	if err != nil {
		t.Fatalf("configure sandbox: %v", err)
	}
	t.Cleanup(func() {
		// The whole config, not its JSON: fields empty before (omitempty,
		// e.g. disrupted_zones) would be left out and keep the test's value.
		if err := sb.World().SetConfig(before); err != nil {
			t.Errorf("restore sandbox config: %v", err)
		}
	})
	return cfg
}

// buildProgress passes on only the sandbox's own build announcements, so a
// first run explains why it takes minutes without flooding the test output.
type buildProgress struct{}

func (buildProgress) Write(p []byte) (int, error) {
	const prefix = "stratos-sandbox: "
	if len(p) >= len(prefix) && string(p[:len(prefix)]) == prefix {
		os.Stderr.Write(p)
	}
	return len(p), nil
}
