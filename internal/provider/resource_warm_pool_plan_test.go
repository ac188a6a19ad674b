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
	prior, plan := s.planUnchangedConfig(t, benchPoolStateJSON(benchInstances(3)))
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
	_, plan := s.planUnchangedConfig(t, benchPoolStateJSON(instances))
	planned := s.planned(t, plan)
	got, _, err := tftypes.WalkAttributePath(planned, tftypes.NewAttributePath().WithAttributeName("instances"))
	if err != nil {
		t.Fatal(err)
	}
	if v := got.(tftypes.Value); v.IsKnown() {
		t.Error("instances should be unknown: the apply terminates the failed instance")
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
