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
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

type warmPoolModel struct {
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	NodeClass          types.String `tfsdk:"node_class"`
	NodeClassVersion   types.Int64  `tfsdk:"node_class_version"`
	Size               types.Int64  `tfsdk:"size"`
	Running            types.Int64  `tfsdk:"running"`
	MaxSize            types.Int64  `tfsdk:"max_size"`
	DrainTimeout       types.String `tfsdk:"drain_timeout"`
	DrainTimeoutAction types.String `tfsdk:"drain_timeout_action"`
	Labels             types.Map    `tfsdk:"labels"`
	Taints             types.List   `tfsdk:"taints"`
	Warmup             types.Object `tfsdk:"warmup"`
	PoolID             types.String `tfsdk:"pool_id"`
	ClusterName        types.String `tfsdk:"cluster_name"`
	ConfigHash         types.String `tfsdk:"config_hash"`
	// The observed lists are always null here: they are read and written
	// as raw values beside the model (observedLists), never converted.
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

// setObserved records what exists of the pool: size as the verified standby
// instances built from the configuration in configHash (and running as what
// runs), and returns the observed lists for state.
func (m *warmPoolModel) setObserved(obs *warmpool.Observation, configHash string) observedLists {
	var standby, running []string
	list := append([]warmpool.Instance{}, obs.Instances...)
	sort.Slice(list, func(a, b int) bool { return list[a].ID < list[b].ID })
	for _, i := range list {
		switch {
		case i.Gone():
		case i.State == warmpool.StateStandby && i.EC2State == "stopped" && i.ConfigHash == configHash:
			standby = append(standby, i.ID)
		case i.PoweredOn() && (i.State == warmpool.StateRunning || i.State == warmpool.StateStandby || i.State == warmpool.StateDraining):
			running = append(running, i.ID)
		}
	}
	capped := false
	if !m.MaxSize.IsNull() && !m.MaxSize.IsUnknown() && !m.Size.IsNull() && !m.Size.IsUnknown() {
		// max_size holding standby below size is the configuration at
		// work, not drift: size keeps its configured value.
		want := len(running)
		if !m.Running.IsNull() && !m.Running.IsUnknown() {
			want = int(m.Running.ValueInt64())
		}
		limit := max(0, int(m.MaxSize.ValueInt64())-want)
		capped = limit < int(m.Size.ValueInt64()) && len(standby) == limit
	}
	if !capped {
		m.Size = types.Int64Value(int64(len(standby)))
	}
	if !m.Running.IsNull() {
		// Managed running capacity reads back as what runs, so a node
		// started or stopped outside Terraform shows as a diff.
		m.Running = types.Int64Value(int64(len(running)))
	}
	return observedLists{Instances: instanceListValue(list), StandbyIDs: idListValue(standby), RunningIDs: idListValue(running)}
}

func stringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

// readPoolState reads a pool's settings into m and returns its observed
// lists separately (see resource_warm_pool_observed.go).
func readPoolState(ctx context.Context, s tfsdk.State, m *warmPoolModel) (observedLists, diag.Diagnostics) {
	raw, lists, err := splitObserved(s.Raw)
	var diags diag.Diagnostics
	addRawError(&diags, "read", err)
	s.Raw = raw
	diags.Append(s.Get(ctx, m)...)
	return lists, diags
}

func readPoolPlan(ctx context.Context, p tfsdk.Plan, m *warmPoolModel) (observedLists, diag.Diagnostics) {
	lists, diags := readPoolState(ctx, tfsdk.State{Schema: p.Schema, Raw: p.Raw}, m)
	return lists, diags
}

// writePoolState writes the pool's settings from m and its observed lists.
func writePoolState(ctx context.Context, s *tfsdk.State, m *warmPoolModel, lists observedLists) diag.Diagnostics {
	m.Instances = types.ListNull(types.ObjectType{AttrTypes: instanceAttrTypes})
	m.StandbyInstanceIDs = types.ListNull(types.StringType)
	m.RunningInstanceIDs = types.ListNull(types.StringType)
	diags := s.Set(ctx, m)
	if diags.HasError() {
		return diags
	}
	raw, err := joinObserved(s.Raw, lists)
	addRawError(&diags, "write", err)
	s.Raw = raw
	return diags
}

func writePoolPlan(ctx context.Context, p *tfsdk.Plan, m *warmPoolModel, lists observedLists) diag.Diagnostics {
	s := tfsdk.State{Schema: p.Schema, Raw: p.Raw}
	diags := writePoolState(ctx, &s, m, lists)
	p.Raw = s.Raw
	return diags
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
