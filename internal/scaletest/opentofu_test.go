package scaletest

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/opentofu"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest/tfrun"
)

// tofuSetup is the Terraform setup with OpenTofu as the CLI: $STRATOS_TOFU
// (scripts/test.sh builds it before the tests), else the cached build,
// built here on first use.
func tofuSetup(t *testing.T) *tfrun.Setup {
	t.Helper()
	tofu := os.Getenv("STRATOS_TOFU")
	if tofu == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		var err error
		if tofu, err = opentofu.Ensure(ctx, testLog{t}); err != nil {
			t.Fatal(err)
		}
	}
	s := *terraformSetup(t)
	s.Terraform = tofu
	return &s
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestOpenTofu_lifecycle: with the `tofu` CLI, offline and without `init`,
// a node class and a warm pool apply into verified standby, a provider
// function evaluates, the next plan is empty, and a destroy leaves nothing.
// The provider is found under OpenTofu's own registry address.
func TestOpenTofu_lifecycle(t *testing.T) {
	timed(t)
	w := newWorkspaceOf(t, tofuSetup(t))
	version, err := w.Run(context.Background(), "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(version.Stdout, "OpenTofu v") {
		t.Fatalf("the CLI is not OpenTofu: %q", version.Stdout)
	}
	t.Logf("%s", strings.SplitN(version.Stdout, "\n", 2)[0])

	const size = 2
	config := PoolConfig{Name: "tofu", Size: size}.HCL(w.config) + `
output "max_pods" {
  value = provider::stratos::bottlerocket_settings(["[settings.kubernetes]\nmax-pods = 58\n"], true)
}
`
	if err := w.WriteConfig(config); err != nil {
		t.Fatal(err)
	}
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			_, _ = w.Run(context.Background(), "destroy", "-auto-approve", "-lock=false")
		}
	})
	if _, err := w.Run(context.Background(), "apply", "-auto-approve", "-lock=false"); err != nil {
		t.Fatalf("tofu apply: %v", err)
	}

	shown, err := w.Run(context.Background(), "show", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Values struct {
			Outputs map[string]struct {
				Value string `json:"value"`
			} `json:"outputs"`
			RootModule struct {
				Resources []struct {
					Address      string `json:"address"`
					ProviderName string `json:"provider_name"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(shown.Stdout), &state); err != nil {
		t.Fatalf("tofu show -json: %v", err)
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.ProviderName != "registry.opentofu.org/stratos-sh/stratos" {
			t.Errorf("%s is served by %q, want registry.opentofu.org/stratos-sh/stratos", r.Address, r.ProviderName)
		}
	}
	if got := state.Values.Outputs["max_pods"].Value; !strings.Contains(got, "max-pods = 58") {
		t.Errorf("provider function output = %q, want the rendered settings with max-pods = 58", got)
	}

	poolID, inState := w.poolInState(t)
	sb := sandboxtest.Get(t)
	audit, err := AuditPool(context.Background(), sb.World(), sb.Kubernetes(), poolID, inState)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range audit.Problems(size) {
		t.Errorf("after tofu apply: %s", p)
	}

	if _, err := w.Run(context.Background(), "plan", "-detailed-exitcode", "-lock=false"); err != nil {
		t.Errorf("tofu plan after the apply is not empty: %v", err)
	}

	if _, err := w.Run(context.Background(), "destroy", "-auto-approve", "-lock=false"); err != nil {
		t.Fatalf("tofu destroy: %v", err)
	}
	destroyed = true
	audit, err = AuditPool(context.Background(), sb.World(), sb.Kubernetes(), poolID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Live) != 0 || len(audit.StaleNodes) != 0 {
		t.Errorf("after tofu destroy: live instances %v, nodes left %v", audit.Live, audit.StaleNodes)
	}
}
