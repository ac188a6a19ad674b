package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/opentofu"
)

// TestTerraformScriptFallsBackToOpenTofu: without a terraform on PATH,
// scripts/terraform.sh (what make test, the examples check and the demo
// use) picks the cached OpenTofu build — which runs provider functions,
// unlike the Terraform 1.5.7 it used to build.
func TestTerraformScriptFallsBackToOpenTofu(t *testing.T) {
	tofu, ok := opentofu.Cached()
	if !ok {
		t.Skip("OpenTofu is not built yet (make test builds it first: go run ./cmd/stratos-tofu)")
	}
	var path []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(dir, "terraform")); err == nil {
			continue
		}
		path = append(path, dir)
	}
	cmd := exec.Command("../../scripts/terraform.sh")
	cmd.Env = append(os.Environ(), "PATH="+strings.Join(path, string(os.PathListSeparator)), "STRATOS_TERRAFORM=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/terraform.sh: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != tofu {
		t.Fatalf("scripts/terraform.sh without terraform on PATH = %q, want the OpenTofu build %q", got, tofu)
	}
	version, err := exec.Command(tofu, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "OpenTofu v" + strings.TrimPrefix(opentofu.Version, "v"); !strings.Contains(string(version), want) {
		t.Errorf("tofu version = %q, want %s", version, want)
	}
}
