package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

func TestWarmPoolPlan_unchangedPoolPlansNothing(t *testing.T) {
	s := newPlanServer(t)
	attributes, private := poolState(benchInstances(3))
	prior, plan := s.planUnchangedConfig(t, mustJSON(attributes), 1, private)
	if planned := s.planned(t, plan); !planned.Equal(prior) {
		t.Fatal("a pool with nothing to change got a plan that changes it")
	}
	if len(plan.Diagnostics) != 0 {
		t.Errorf("unexpected diagnostics: %v", warnings(plan.Diagnostics))
	}
}

// A warmup kept stopped for inspection (timeout_action = "stop") is
// terminated by the next apply, so the next plan says so even when the
// configuration did not change.
func TestWarmPoolPlan_failedInstanceIsTerminatedByTheNextApply(t *testing.T) {
	s := newPlanServer(t)
	instances := benchInstances(3)
	instances[2].State = warmpool.StateFailed
	attributes, private := poolState(instances)
	_, plan := s.planUnchangedConfig(t, mustJSON(attributes), 1, private)
	planned := s.planned(t, plan)
	got, _, err := tftypes.WalkAttributePath(planned, tftypes.NewAttributePath().WithAttributeName("failed_warmups"))
	if err != nil {
		t.Fatal(err)
	}
	// A change Terraform sees (1 → 0) makes it apply; the apply terminates
	// the kept failure and, with timeout_action = "terminate", keeps none.
	if v := got.(tftypes.Value); !v.Equal(tftypes.NewValue(tftypes.Number, 0)) {
		t.Errorf("failed_warmups planned as %v, want 0 (the apply terminates the failed instance)", v)
	}
	text := strings.Join(warnings(plan.Diagnostics), "\n")
	if want := "1 instance whose warmup failed will be terminated: " + instances[2].ID; !strings.Contains(text, want) {
		t.Errorf("plan warnings %q do not say %q", text, want)
	}
}

func warnings(diags []*tfprotov6.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		out = append(out, d.Summary+": "+d.Detail)
	}
	return out
}
