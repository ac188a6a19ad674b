package provider

import (
	"context"
	"sort"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

type warmPoolModel struct {
	ID                 types.String   `tfsdk:"id"`
	Name               types.String   `tfsdk:"name"`
	NodeClass          types.String   `tfsdk:"node_class"`
	NodeClassVersion   types.Int64    `tfsdk:"node_class_version"`
	Size               types.Int64    `tfsdk:"size"`
	Labels             types.Map      `tfsdk:"labels"`
	Taints             types.List     `tfsdk:"taints"`
	Warmup             types.Object   `tfsdk:"warmup"`
	PoolID             types.String   `tfsdk:"pool_id"`
	ClusterName        types.String   `tfsdk:"cluster_name"`
	ConfigHash         types.String   `tfsdk:"config_hash"`
	StandbyInstanceIDs types.List     `tfsdk:"standby_instance_ids"`
	RunningInstanceIDs types.List     `tfsdk:"running_instance_ids"`
	Instances          types.List     `tfsdk:"instances"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

type warmupModel struct {
	Timeout           types.String `tfsdk:"timeout"`
	TimeoutAction     types.String `tfsdk:"timeout_action"`
	Network           types.String `tfsdk:"network"`
	WaitForDaemonSets types.Bool   `tfsdk:"wait_for_daemonsets"`
	Images            types.List   `tfsdk:"images"`
}

// labelsAndTaints reads the pool's own labels and taints; known is false
// while any of them is unknown at plan time.
func (m warmPoolModel) labelsAndTaints(ctx context.Context, diags *diag.Diagnostics) (map[string]string, []bottlerocket.Taint, bool) {
	if m.Labels.IsUnknown() || m.Taints.IsUnknown() {
		return nil, nil, false
	}
	labels := map[string]string{}
	if !m.Labels.IsNull() {
		diags.Append(m.Labels.ElementsAs(ctx, &labels, false)...)
	}
	var taints []bottlerocket.Taint
	if !m.Taints.IsNull() {
		var models []taintModel
		diags.Append(m.Taints.ElementsAs(ctx, &models, false)...)
		for _, t := range models {
			if t.Key.IsUnknown() || t.Value.IsUnknown() || t.Effect.IsUnknown() {
				return nil, nil, false
			}
			taints = append(taints, bottlerocket.Taint{Key: t.Key.ValueString(), Value: t.Value.ValueString(), Effect: t.Effect.ValueString()})
		}
	}
	return labels, taints, !diags.HasError()
}

func (m warmPoolModel) warmupSpec(ctx context.Context, diags *diag.Diagnostics) warmpool.WarmupSpec {
	var w warmupModel
	obj := m.Warmup
	if obj.IsNull() || obj.IsUnknown() {
		obj = defaultWarmup()
	}
	diags.Append(obj.As(ctx, &w, basetypes.ObjectAsOptions{})...)
	spec := warmpool.WarmupSpec{
		TimeoutAction:     warmpool.TimeoutAction(w.TimeoutAction.ValueString()),
		Network:           warmpool.Network(w.Network.ValueString()),
		WaitForDaemonSets: w.WaitForDaemonSets.ValueBool(),
	}
	timeout, err := time.ParseDuration(w.Timeout.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("warmup").AtName("timeout"), "Invalid duration", err.Error())
	}
	spec.Timeout = timeout
	if !w.Images.IsNull() && !w.Images.IsUnknown() {
		diags.Append(w.Images.ElementsAs(ctx, &spec.Images, false)...)
	}
	return spec
}

// setObserved records what exists of the pool: every instance, and size as
// the verified standby instances built from the configuration in configHash.
func (m *warmPoolModel) setObserved(obs *warmpool.Observation, configHash string) {
	var standby, running []string
	instances := make([]attr.Value, 0, len(obs.Instances))
	list := append([]warmpool.Instance{}, obs.Instances...)
	sort.Slice(list, func(a, b int) bool { return list[a].ID < list[b].ID })
	for _, i := range list {
		if i.Gone() {
			continue
		}
		switch {
		case i.State == warmpool.StateStandby && i.EC2State == "stopped" && i.ConfigHash == configHash:
			standby = append(standby, i.ID)
		case i.State == warmpool.StateRunning || (i.State == warmpool.StateStandby && i.PoweredOn()):
			running = append(running, i.ID)
		}
		launched := ""
		if !i.LaunchedAt.IsZero() {
			launched = i.LaunchedAt.UTC().Format(time.RFC3339)
		}
		instances = append(instances, types.ObjectValueMust(instanceAttrTypes, map[string]attr.Value{
			"id":                 types.StringValue(i.ID),
			"state":              types.StringValue(string(i.State)),
			"ec2_state":          types.StringValue(string(i.EC2State)),
			"availability_zone":  types.StringValue(i.AvailabilityZone),
			"instance_type":      types.StringValue(i.InstanceType),
			"node_name":          types.StringValue(i.NodeName),
			"config_hash":        types.StringValue(i.ConfigHash),
			"node_class_version": types.Int64Value(i.ClassVersion),
			"launched_at":        types.StringValue(launched),
		}))
	}
	m.Size = types.Int64Value(int64(len(standby)))
	m.StandbyInstanceIDs = stringList(standby)
	m.RunningInstanceIDs = stringList(running)
	m.Instances = types.ListValueMust(types.ObjectType{AttrTypes: instanceAttrTypes}, instances)
}

// stateInstances turns the instances recorded in state back into engine
// instances, so a plan is explained without another EC2 call.
func (m warmPoolModel) stateInstances(ctx context.Context) []warmpool.Instance {
	if m.Instances.IsNull() || m.Instances.IsUnknown() {
		return nil
	}
	var rows []struct {
		ID               types.String `tfsdk:"id"`
		State            types.String `tfsdk:"state"`
		EC2State         types.String `tfsdk:"ec2_state"`
		AvailabilityZone types.String `tfsdk:"availability_zone"`
		InstanceType     types.String `tfsdk:"instance_type"`
		NodeName         types.String `tfsdk:"node_name"`
		ConfigHash       types.String `tfsdk:"config_hash"`
		NodeClassVersion types.Int64  `tfsdk:"node_class_version"`
		LaunchedAt       types.String `tfsdk:"launched_at"`
	}
	if diags := m.Instances.ElementsAs(ctx, &rows, false); diags.HasError() {
		return nil
	}
	out := make([]warmpool.Instance, 0, len(rows))
	for _, r := range rows {
		launched, _ := time.Parse(time.RFC3339, r.LaunchedAt.ValueString())
		out = append(out, warmpool.Instance{
			ID: r.ID.ValueString(), State: warmpool.State(r.State.ValueString()), EC2State: ec2State(r.EC2State.ValueString()),
			AvailabilityZone: r.AvailabilityZone.ValueString(), InstanceType: r.InstanceType.ValueString(),
			NodeName: r.NodeName.ValueString(), ConfigHash: r.ConfigHash.ValueString(),
			ClassVersion: r.NodeClassVersion.ValueInt64(), LaunchedAt: launched,
		})
	}
	return out
}

func stringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

func (m *warmPoolModel) unknownObserved() {
	m.StandbyInstanceIDs = types.ListUnknown(types.StringType)
	m.RunningInstanceIDs = types.ListUnknown(types.StringType)
	m.Instances = types.ListUnknown(types.ObjectType{AttrTypes: instanceAttrTypes})
}

func ec2State(s string) ec2types.InstanceStateName { return ec2types.InstanceStateName(s) }
