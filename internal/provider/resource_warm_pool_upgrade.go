package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

var _ resource.ResourceWithUpgradeState = (*warmPoolResource)(nil)

// Schema version 0 listed the pool's instances in three attributes
// (instances, standby_instance_ids, running_instance_ids); version 1 keeps
// them in private state (resource_warm_pool_record.go) and reports the
// failed warmups kept for inspection as failed_warmups.
var removedInV1 = []string{"instances", "standby_instance_ids", "running_instance_ids"}

func (r *warmPoolResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: {StateUpgrader: r.upgradeFromV0}}
}

// upgradeFromV0 keeps every setting and computed value of a version 0
// state and counts its failed warmups. The instance list itself cannot move
// to private state here (an upgrade returns no private state); the refresh
// that follows an upgrade in every plan and apply records the instances
// from EC2 again, and until then a plan says they are not recorded.
func (r *warmPoolResource) upgradeFromV0(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	if req.RawState == nil || req.RawState.JSON == nil {
		resp.Diagnostics.AddError("Cannot upgrade warm pool state", "The state has no JSON form (written by Terraform before 0.12?).")
		return
	}
	attrs := map[string]json.RawMessage{}
	if err := json.Unmarshal(req.RawState.JSON, &attrs); err != nil {
		resp.Diagnostics.AddError("Cannot upgrade warm pool state", "Reading the version 0 state: "+err.Error())
		return
	}
	var instances []instanceRecord
	if raw := attrs["instances"]; len(raw) > 0 {
		if err := json.Unmarshal(raw, &instances); err != nil {
			resp.Diagnostics.AddError("Cannot upgrade warm pool state", "Reading the version 0 instances: "+err.Error())
			return
		}
	}
	failed := 0
	for _, i := range instances {
		if i.State == string(warmpool.StateFailed) && !i.instance().Gone() {
			failed++
		}
	}
	for _, name := range removedInV1 {
		delete(attrs, name)
	}
	attrs["failed_warmups"], _ = json.Marshal(failed)
	upgraded, err := json.Marshal(attrs)
	if err != nil {
		resp.Diagnostics.AddError("Cannot upgrade warm pool state", err.Error())
		return
	}
	typ := resp.State.Schema.Type().TerraformType(ctx)
	value, err := (&tfprotov6.RawState{JSON: upgraded}).UnmarshalWithOpts(typ, tfprotov6.UnmarshalOpts{})
	if err != nil {
		resp.Diagnostics.AddError("Cannot upgrade warm pool state", "Writing the version 1 state: "+err.Error())
		return
	}
	resp.State.Raw = value
}
