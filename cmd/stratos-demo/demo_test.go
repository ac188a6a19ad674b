package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDemoScript runs `make demo`'s script as a newcomer would, on a
// sandbox of its own: varied without editing tracked files, it applies the
// pool into standby, times nodes from standby beside a cold launch in the
// same run and returns them to standby; the rerun applies nothing for
// standby and says so; the destroy explains itself before it happens.
// It needs a Terraform-compatible CLI, as the acceptance tests do (TF_ACC).
func TestDemoScript(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: the demo runs Terraform against the sandbox (make test sets it)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	sandboxDir := filepath.Join(t.TempDir(), "sandbox")
	env := append(os.Environ(), "STRATOS_SANDBOX_DIR="+sandboxDir, "POOL_SIZE=2", "RUNNING=1")
	if tf := os.Getenv("TF_ACC_TERRAFORM_PATH"); tf != "" {
		env = append(env, "STRATOS_TERRAFORM="+tf)
	}
	t.Cleanup(func() {
		down := exec.Command("go", "run", "./cmd/stratos-sandbox", "down")
		down.Dir, down.Env = root, env
		if out, err := down.CombinedOutput(); err != nil {
			t.Errorf("stratos-sandbox down: %v\n%s", err, out)
		}
	})
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("scripts/demo.sh", args...)
		cmd.Dir, cmd.Env = root, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("scripts/demo.sh %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		t.Logf("scripts/demo.sh %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	tracked := func() string {
		out, err := exec.Command("git", "-C", root, "status", "--porcelain", "--", "examples").CombinedOutput()
		if err != nil {
			t.Skipf("not a git checkout: %v", err)
		}
		return string(out)
	}
	before := tracked()

	first := run()
	comparison := regexp.MustCompile(`time to 1 node schedulable, same run and sandbox:\s+from standby ([0-9.]+) s\s+cold launch ([0-9.]+) s`)
	if !comparison.MatchString(first) {
		t.Errorf("the first run prints no standby-versus-cold comparison")
	}
	inOrder(t, first, "applied in", "running = 1: pool \"demo\" starts 1", "cold launch", "running = 0: drain")
	if !regexp.MustCompile(`Instances by state \(pool/EC2\): 2 standby/stopped[\n,]`).MatchString(first) {
		t.Errorf("POOL_SIZE=2: after the demo the pool is not 2 standby instances")
	}

	second := run()
	if strings.Contains(second, "applied in") {
		t.Errorf("the rerun reports an apply of standby although nothing changed")
	}
	if !strings.Contains(second, "nothing to apply: the pool already holds 2 verified standby instances") {
		t.Errorf("the rerun does not say that standby needed nothing")
	}
	if !comparison.MatchString(second) {
		t.Errorf("the rerun prints no standby-versus-cold comparison")
	}

	destroy := run("destroy")
	inOrder(t, destroy, "plan -destroy", "to destroy", "Warm pool demo: destroy", "destroying", "destroyed")

	if after := tracked(); after != before {
		t.Errorf("the demo changed tracked files under examples/:\n%s", after)
	}
}

// inOrder checks that each of parts appears in out after the one before.
func inOrder(t *testing.T, out string, parts ...string) {
	t.Helper()
	at := 0
	for _, p := range parts {
		i := strings.Index(out[at:], p)
		if i < 0 {
			t.Errorf("output lacks %q after position %d (or it comes before %q)", p, at, parts)
			return
		}
		at += i + len(p)
	}
}
