package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// A state written by schema version 0 (instances in attributes) upgrades to
// version 1 keeping every setting and computed value; the failed warmup it
// lists is counted in failed_warmups, and the instance lists are gone from
// the attributes.
func TestWarmPoolUpgradeFromV0(t *testing.T) {
	s := newPlanServer(t)
	instances := benchInstances(3)
	instances[2].State = warmpool.StateFailed
	v0 := poolStateV0(instances)
	up, err := s.UpgradeResourceState(t.Context(), &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "stratos_warm_pool", Version: 0, RawState: &tfprotov6.RawState{JSON: mustJSON(v0)},
	})
	if err != nil || hasErrors(up.Diagnostics) {
		t.Fatal(err, warnings(up.Diagnostics))
	}
	got, err := up.UpgradedState.Unmarshal(s.poolType)
	if err != nil {
		t.Fatal(err)
	}
	attributes, _ := poolState(instances)
	if attributes["failed_warmups"] != 1 {
		t.Fatalf("fixture: failed_warmups = %v, want 1", attributes["failed_warmups"])
	}
	want, err := (&tfprotov6.RawState{JSON: mustJSON(attributes)}).Unmarshal(s.poolType)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		diffs, _ := want.Diff(got)
		for _, d := range diffs {
			t.Errorf("upgraded state differs at %s: got %v, want %v", d.Path, d.Value2, d.Value1)
		}
	}
}

// The first plan after an upgrade without a refresh (terraform plan
// -refresh=false) has no instance record: it plans nothing for an unchanged
// pool, and a changed one says the instances are read at apply.
func TestWarmPoolUpgradeFromV0_planWithoutRecord(t *testing.T) {
	s := newPlanServer(t)
	prior, plan := s.planUnchangedConfig(t, mustJSON(poolStateV0(benchInstances(3))), 0, nil)
	if planned := s.planned(t, plan); !planned.Equal(prior) {
		t.Error("an upgraded pool with nothing to change got a plan that changes it")
	}
	if len(plan.Diagnostics) != 0 {
		t.Errorf("unexpected diagnostics: %v", warnings(plan.Diagnostics))
	}

	instances := benchInstances(3)
	instances[2].State = warmpool.StateFailed
	_, plan = s.planUnchangedConfig(t, mustJSON(poolStateV0(instances)), 0, nil)
	if text := strings.Join(warnings(plan.Diagnostics), "\n"); !strings.Contains(text, "not recorded in state yet") {
		t.Errorf("plan warnings %q do not say the instances are not recorded", text)
	}
}
