package provider

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// A pool's instances are recorded in the resource's private state, not in
// attributes. Attributes that list instances change on every apply that
// launches or stops one, so a plan had to show them as "(known after apply)"
// and Terraform printed every recorded instance as removed: a size change
// 3 → 5 of a pool of 1,000 was some 12,000 lines of plan around the one
// warning that mattered. The private record is stored in the state file
// (nothing is lost when an apply fails), read by plans (to explain them),
// refreshes (to describe drift) and destroys (to terminate instances
// DescribeInstances does not list yet), and never shown in a plan. The
// stratos_warm_pool data source lists the instances for outputs and CI.

// instancesKey is the private state key of the pool's instance record.
const instancesKey = "instances"

// privateState is the part of the framework's private state the pool uses
// (resource requests and responses each carry one).
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// instanceRecord is one instance in the private record, with the same
// fields the data source's instances attribute has.
type instanceRecord struct {
	ID               string `json:"id"`
	State            string `json:"state"`
	EC2State         string `json:"ec2_state"`
	AvailabilityZone string `json:"availability_zone,omitempty"`
	InstanceType     string `json:"instance_type,omitempty"`
	NodeName         string `json:"node_name,omitempty"`
	ConfigHash       string `json:"config_hash,omitempty"`
	NodeClassVersion int64  `json:"node_class_version,omitempty"`
	LaunchedAt       string `json:"launched_at,omitempty"`
}

func recordOf(i warmpool.Instance) instanceRecord {
	launched := ""
	if !i.LaunchedAt.IsZero() {
		launched = i.LaunchedAt.UTC().Format(time.RFC3339)
	}
	return instanceRecord{
		ID: i.ID, State: string(i.State), EC2State: string(i.EC2State), AvailabilityZone: i.AvailabilityZone,
		InstanceType: i.InstanceType, NodeName: i.NodeName, ConfigHash: i.ConfigHash, LaunchedAt: launched,
		NodeClassVersion: i.ClassVersion,
	}
}

func (r instanceRecord) instance() warmpool.Instance {
	launched, _ := time.Parse(time.RFC3339, r.LaunchedAt)
	return warmpool.Instance{
		ID: r.ID, State: warmpool.State(r.State), EC2State: ec2State(r.EC2State), AvailabilityZone: r.AvailabilityZone,
		InstanceType: r.InstanceType, NodeName: r.NodeName, ConfigHash: r.ConfigHash, ClassVersion: r.NodeClassVersion,
		LaunchedAt: launched,
	}
}

// liveRecords are the live instances of all, by id.
func liveRecords(all []warmpool.Instance) []instanceRecord {
	out := make([]instanceRecord, 0, len(all))
	for _, i := range all {
		if !i.Gone() {
			out = append(out, recordOf(i))
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// recordInstances writes the pool's live instances to private state.
func recordInstances(ctx context.Context, p privateState, all []warmpool.Instance) diag.Diagnostics {
	raw, err := json.Marshal(liveRecords(all))
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record the warm pool's instances", "This is a bug in the provider: "+err.Error())
		return diags
	}
	return p.SetKey(ctx, instancesKey, raw)
}

// recordedInstances reads the instances the last apply or refresh recorded.
// recorded is false when there is no record: state imported, or written by
// a provider version that kept instances in attributes (the next refresh
// records them).
func recordedInstances(ctx context.Context, p privateState) (instances []warmpool.Instance, recorded bool, diags diag.Diagnostics) {
	if p == nil {
		return nil, false, nil
	}
	raw, diags := p.GetKey(ctx, instancesKey)
	if diags.HasError() || len(raw) == 0 {
		return nil, false, diags
	}
	var records []instanceRecord
	if err := json.Unmarshal(raw, &records); err != nil {
		diags.AddError("Cannot read the warm pool's recorded instances", "This is a bug in the provider: "+err.Error())
		return nil, false, diags
	}
	instances = make([]warmpool.Instance, 0, len(records))
	for _, r := range records {
		instances = append(instances, r.instance())
	}
	return instances, true, diags
}
