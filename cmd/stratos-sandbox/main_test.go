package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/kube"
)

// The test binary doubles as the command: `up` re-executes os.Executable(),
// which is this binary, and the variable routes that child to cli().
const asCLI = "STRATOS_SANDBOX_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func runCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asCLI+"=1", "STRATOS_SANDBOX_DIR="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("stratos-sandbox %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func TestUpReusesAndDownLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole sandbox")
	}
	dir := filepath.Join(t.TempDir(), ".sandbox")
	t.Cleanup(func() {
		if _, err := os.Stat(dir); err == nil {
			_ = stop(dir)
		}
	})

	out := runCLI(t, dir, "up")
	if !strings.Contains(out, "sandbox running") {
		t.Fatalf("up output:\n%s", out)
	}
	pid, err := readPid(filepath.Join(dir, pidFile))
	if err != nil {
		t.Fatal(err)
	}
	children := readPids(filepath.Join(dir, pidsFile))
	if len(children) != 4 {
		t.Fatalf("children = %v, want etcd, kube-apiserver, kube-controller-manager and kube-scheduler", children)
	}
	env, err := readEnv(filepath.Join(dir, envFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_ENDPOINT_URL_EC2", "KUBE_CONFIG_PATH", "STRATOS_SANDBOX_URL", "STRATOS_SANDBOX_CLUSTER_CA"} {
		if env[k] == "" {
			t.Errorf(".sandbox/env lacks %s", k)
		}
	}
	if printed := runCLI(t, dir, "env"); !strings.Contains(printed, "export STRATOS_SANDBOX_URL=") {
		t.Errorf("env printed:\n%s", printed)
	}

	out = runCLI(t, dir, "up")
	if !strings.Contains(out, "already running") {
		t.Fatalf("second up did not reuse the sandbox:\n%s", out)
	}
	if again, _ := readPid(filepath.Join(dir, pidFile)); again != pid {
		t.Fatalf("second up replaced pid %d with %d", pid, again)
	}

	runCLI(t, dir, "down")
	for _, p := range append([]int{pid}, children...) {
		if kube.Alive(p) {
			t.Errorf("process %d still alive after down", p)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still exists after down (%v)", dir, err)
	}
	if out := runCLI(t, dir, "down"); !strings.Contains(out, "no sandbox running") {
		t.Errorf("down without a sandbox:\n%s", out)
	}
}
