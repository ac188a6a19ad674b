package provider

import (
	"context"
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
	Running            types.Int64    `tfsdk:"running"`
	MaxSize            types.Int64    `tfsdk:"max_size"`
	DrainTimeout       types.String   `tfsdk:"drain_timeout"`
	DrainTimeoutAction types.String   `tfsdk:"drain_timeout_action"`
	Labels             types.Map      `tfsdk:"labels"`
	Taints             types.List     `tfsdk:"taints"`
	Warmup             types.Object   `tfsdk:"warmup"`
	PoolID             types.String   `tfsdk:"pool_id"`
	ClusterName        types.String   `tfsdk:"cluster_name"`
	ConfigHash         types.String   `tfsdk:"config_hash"`
	FailedWarmups      types.Int64    `tfsdk:"failed_warmups"`
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

// setObserved records what exists of the pool: size as the verified standby
// instances built from the configuration in configHash, running as what
// runs, and the failed warmups kept for inspection.
func (m *warmPoolModel) setObserved(obs *warmpool.Observation, configHash string) {
	var standby, running, failed int
	for _, i := range obs.Instances {
		switch {
		case i.Gone():
		case i.State == warmpool.StateFailed:
			failed++
		case i.State == warmpool.StateStandby && i.EC2State == "stopped" && i.ConfigHash == configHash:
			standby++
		case i.PoweredOn() && (i.State == warmpool.StateRunning || i.State == warmpool.StateStandby || i.State == warmpool.StateDraining):
			running++
		}
	}
	capped := false
	if !m.MaxSize.IsNull() && !m.MaxSize.IsUnknown() && !m.Size.IsNull() && !m.Size.IsUnknown() {
		// max_size holding standby below size is the configuration at
		// work, not drift: size keeps its configured value.
		want := running
		if !m.Running.IsNull() && !m.Running.IsUnknown() {
			want = int(m.Running.ValueInt64())
		}
		limit := max(0, int(m.MaxSize.ValueInt64())-want)
		capped = limit < int(m.Size.ValueInt64()) && standby == limit
	}
	if !capped {
		m.Size = types.Int64Value(int64(standby))
	}
	m.FailedWarmups = types.Int64Value(int64(failed))
	if !m.Running.IsNull() {
		// Managed running capacity reads back as what runs, so a node
		// started or stopped outside Terraform shows as a diff.
		m.Running = types.Int64Value(int64(running))
	}
}

func stringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

func ec2State(s string) ec2types.InstanceStateName { return ec2types.InstanceStateName(s) }

// runningSpec reads running, max_size and the drain settings into the pool.
func (m warmPoolModel) runningSpec(pool *warmpool.Pool, diags *diag.Diagnostics) {
	if !m.Running.IsNull() && !m.Running.IsUnknown() {
		n := int(m.Running.ValueInt64())
		pool.Running = &n
	}
	if !m.MaxSize.IsNull() && !m.MaxSize.IsUnknown() {
		pool.MaxSize = int(m.MaxSize.ValueInt64())
	}
	pool.Drain.TimeoutAction = warmpool.DrainFail
	if v := m.DrainTimeoutAction.ValueString(); v != "" {
		pool.Drain.TimeoutAction = warmpool.DrainAction(v)
	}
	pool.Drain.Timeout = warmpool.DefaultDrainTimeout
	if v := m.DrainTimeout.ValueString(); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			diags.AddAttributeError(path.Root("drain_timeout"), "Invalid duration", err.Error())
			return
		}
		pool.Drain.Timeout = d
	}
}
