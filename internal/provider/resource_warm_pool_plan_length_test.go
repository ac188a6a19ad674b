package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// What a reviewer reads in CI: `terraform plan` of a size change, a running
// change and a node class change of a pool must not grow with the pool. The
// plans run the real Terraform CLI (TF_ACC_TERRAFORM_PATH) against this
// provider served in-process, on a state written for a pool of N standby
// instances, with -refresh=false so that no cloud is needed: the provider
// plans these changes without an EC2 or Kubernetes call (the node class
// version is given, the cluster is in state). STRATOS_PLAN_LENGTH_SIZES
// (e.g. "1000") measures other sizes; make bench measures with a real pool.

// planChanges are the pool changes a reviewer meets most, as configuration
// edits of a pool of n standby instances of node class version 3.
var planChanges = []struct {
	name   string
	config func(n int) string
}{
	{"size", func(n int) string {
		if n+2 > warmpool.MaxSize {
			return poolPlanConfig(n-2, 3, "")
		}
		return poolPlanConfig(n+2, 3, "")
	}},
	{"running", func(n int) string { return poolPlanConfig(n, 3, "running = 2") }},
	{"node class", func(n int) string { return poolPlanConfig(n, 4, "") }},
}

// maxPoolPlanLines is the bound: what the plan prints for the pool
// resource, besides its warnings.
const maxPoolPlanLines = 30

func TestWarmPoolPlan_lengthDoesNotGrowWithThePool(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		t.Skip("needs TF_ACC_TERRAFORM_PATH (the Terraform CLI; make test sets it)")
	}
	sizes := []int{10, 100}
	if v := os.Getenv("STRATOS_PLAN_LENGTH_SIZES"); v != "" {
		sizes = nil
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				t.Fatalf("STRATOS_PLAN_LENGTH_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	reattach := serveProviderForCLI(t)
	for _, change := range planChanges {
		t.Run(change.name, func(t *testing.T) {
			var first planText
			for i, n := range sizes {
				got := runPlan(t, tf, reattach, n, change.config(n))
				t.Logf("N=%d: %d lines for the pool resource, %d warnings, %d lines in all, plan took %s",
					n, len(got.resource), got.warnings, got.total, got.took.Round(time.Millisecond))
				if len(got.resource) == 0 || len(got.resource) > maxPoolPlanLines {
					t.Errorf("N=%d: the pool resource takes %d lines of the plan, want 1–%d:\n%s", n, len(got.resource), maxPoolPlanLines, strings.Join(got.resource, "\n"))
				}
				if got.warnings == 0 {
					t.Errorf("N=%d: the plan has no warning saying what the apply does", n)
				}
				if i == 0 {
					first = got
					continue
				}
				if len(got.resource) != len(first.resource) || got.total != first.total {
					t.Errorf("the plan grows with the pool: N=%d prints %d lines (%d for the pool), N=%d prints %d (%d for the pool)",
						sizes[0], first.total, len(first.resource), n, got.total, len(got.resource))
				}
			}
		})
	}
}

func poolPlanConfig(size int, version int64, extra string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    stratos = { source = "registry.terraform.io/stratos-sh/stratos" } # explicit: OpenTofu would otherwise look on registry.opentofu.org
  }
}

provider "stratos" {
  region = "us-west-2"
}

resource "stratos_warm_pool" "bench" {
  name               = "bench"
  node_class         = "bench"
  node_class_version = %d
  size               = %d
  %s
}
`, version, size, extra)
}

// planText is a plan's human output, measured.
type planText struct {
	resource        []string // the pool resource's block
	warnings, total int
	took            time.Duration
}

// runPlan plans config over the state of a pool of n standby instances.
func runPlan(t *testing.T, tf, reattach string, n int, config string) planText {
	t.Helper()
	dir := t.TempDir()
	attributes, private := poolState(benchInstances(n))
	state := map[string]any{
		"version": 4, "terraform_version": "1.5.7", "serial": 1, "lineage": "5d4c6a8e-9a49-4b0f-9b1c-000000000001",
		"outputs": map[string]any{},
		"resources": []any{map[string]any{
			"mode": "managed", "type": "stratos_warm_pool", "name": "bench",
			"provider": `provider["registry.terraform.io/stratos-sh/stratos"]`,
			"instances": []any{map[string]any{
				"schema_version": 1, "attributes": attributes, "sensitive_attributes": []any{}, "private": private,
			}},
		}},
	}
	for name, body := range map[string][]byte{"main.tf": []byte(config), "terraform.tfstate": mustJSON(state), "empty.tfrc": nil} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "empty.tfrc"),
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
	run := func(args ...string) string {
		cmd := exec.Command(tf, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("init", "-no-color", "-backend=false")
	start := time.Now()
	out := run("plan", "-refresh=false", "-no-color")
	return measurePlan(out, time.Since(start))
}

// measurePlan finds the pool resource's block ("# stratos_warm_pool.bench
// will be …" to its closing brace) and counts the warnings.
func measurePlan(out string, took time.Duration) planText {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	p := planText{total: len(lines), took: took}
	in := false
	for _, l := range lines {
		switch {
		case strings.HasPrefix(strings.TrimSpace(l), "# stratos_warm_pool.bench "):
			in = true
		case strings.HasPrefix(l, "Warning: "), strings.HasPrefix(l, "│ Warning: "):
			p.warnings++
		}
		if in {
			p.resource = append(p.resource, l)
			if l == "    }" {
				in = false
			}
		}
	}
	return p
}

// serveProviderForCLI serves the provider in this process for Terraform CLI
// runs and returns the TF_REATTACH_PROVIDERS value that reaches it.
func serveProviderForCLI(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	configs := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	go func() {
		_ = tf6server.Serve(tfAddress, providerserver.NewProtocol6(New("test")()), tf6server.WithDebug(ctx, configs, closed),
			tf6server.WithLoggingSink(t))
	}()
	t.Cleanup(func() {
		cancel()
		<-closed
	})
	var config *plugin.ReattachConfig
	select {
	case config = <-configs:
	case <-time.After(time.Minute):
		t.Fatal("the provider server did not start")
	}
	type addr struct{ Network, String string }
	reattach, err := json.Marshal(map[string]any{tfAddress: map[string]any{
		"Protocol": config.Protocol, "ProtocolVersion": config.ProtocolVersion, "Pid": config.Pid, "Test": config.Test,
		"Addr": addr{Network: config.Addr.Network(), String: config.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(reattach)
}

const tfAddress = "registry.terraform.io/stratos-sh/stratos"
