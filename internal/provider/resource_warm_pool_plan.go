package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

func (r *warmPoolResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m warmPoolModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	labels, taints, known := m.labelsAndTaints(ctx, &resp.Diagnostics)
	if !known {
		return
	}
	for k := range labels {
		if keys.IsReserved(k) {
			resp.Diagnostics.AddAttributeError(path.Root("labels").AtMapKey(k), "Reserved label",
				fmt.Sprintf("Labels under %s are set by the pool itself (stratos.sh/pool, stratos.sh/pool-id, stratos.sh/state, …).", keys.Prefix))
		}
	}
	for i, t := range taints {
		if keys.IsReserved(t.Key) {
			resp.Diagnostics.AddAttributeError(path.Root("taints").AtListIndex(i).AtName("key"), "Reserved taint",
				fmt.Sprintf("Taints under %s (the warmup and standby taints) are managed by the pool itself.", keys.Prefix))
		}
	}
	if !m.Running.IsNull() && !m.Running.IsUnknown() && !m.MaxSize.IsNull() && !m.MaxSize.IsUnknown() && m.Running.ValueInt64() > m.MaxSize.ValueInt64() {
		resp.Diagnostics.AddAttributeError(path.Root("running"), "running exceeds max_size",
			fmt.Sprintf("running = %d is more than max_size = %d allows.", m.Running.ValueInt64(), m.MaxSize.ValueInt64()))
	}
	addProblems(&resp.Diagnostics, onlyErrors(bottlerocket.ValidateNodeLabels(labels)), poolFieldPath)
	addProblems(&resp.Diagnostics, onlyErrors(bottlerocket.ValidateTaints(taints)), poolFieldPath)
	m.warmupSpec(ctx, &resp.Diagnostics)
}

// ModifyPlan works out, at plan time, which node class version and
// configuration the pool converges to, and says in plan warnings what the
// apply will do to the pool's instances and why.
func (r *warmPoolResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state *warmPoolModel
	var before []warmpool.Instance
	recorded := false
	if !req.State.Raw.IsNull() {
		state = &warmPoolModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		var diags diag.Diagnostics
		before, recorded, diags = recordedInstances(ctx, req.Private)
		resp.Diagnostics.Append(diags...)
	}
	if req.Plan.Raw.IsNull() {
		if state != nil {
			for _, line := range warmpool.NarrateDestroy(before) {
				resp.Diagnostics.AddWarning("Warm pool "+state.Name.ValueString()+": destroy", line)
			}
		}
		return
	}
	var plan, config warmPoolModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || r.data == nil {
		return
	}

	r.planNodeClass(ctx, &plan, config, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	labels, taints, known := plan.labelsAndTaints(ctx, &resp.Diagnostics)
	if known && !plan.NodeClass.IsUnknown() && !plan.NodeClassVersion.IsUnknown() {
		plan.ConfigHash = types.StringValue(warmpool.PoolConfigHash(plan.NodeClass.ValueString(), plan.NodeClassVersion.ValueInt64(), labels, taints))
	} else {
		plan.ConfigHash = types.StringUnknown()
	}
	if !plan.ClusterName.IsUnknown() && !plan.ClusterName.IsNull() {
		plan.PoolID = types.StringValue(warmpool.PoolID(plan.ClusterName.ValueString(), plan.Name.ValueString()))
	}

	changes := state == nil || !plan.ConfigHash.Equal(state.ConfigHash) || !plan.Size.Equal(state.Size) || !plan.Warmup.Equal(state.Warmup) ||
		!plan.Running.Equal(state.Running) || !plan.MaxSize.Equal(state.MaxSize) ||
		// A warmup kept stopped for inspection (timeout_action = "stop")
		// is terminated by the next apply; the plan must say there is one.
		hasFailed(before) || (state != nil && state.FailedWarmups.ValueInt64() > 0)
	plan.FailedWarmups = plannedFailedWarmups(ctx, plan, state, changes)
	if changes && known {
		r.planConflicts(ctx, plan, labels, taints, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if changes {
		if state != nil && !recorded {
			resp.Diagnostics.AddWarning("Warm pool "+plan.Name.ValueString(),
				"the pool's instances are not recorded in state yet (imported, or written by an earlier provider version, "+
					"and planned without a refresh): the apply reads them from EC2 first; plan with refresh to see what it will do to them")
		}
		r.explain(ctx, plan, state, before, &resp.Diagnostics)
	}
	// Without changes no apply follows, so there is nothing to explain.
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// plannedFailedWarmups is what failed_warmups will be after the plan: as it
// is when nothing is applied; 0 when the apply terminates the kept failures
// and keeps no new one (timeout_action = "terminate"); otherwise known only
// after the apply, which may keep new failures for inspection.
func plannedFailedWarmups(ctx context.Context, plan warmPoolModel, state *warmPoolModel, changes bool) types.Int64 {
	if !changes && state != nil {
		return state.FailedWarmups
	}
	var diags diag.Diagnostics
	if !plan.Warmup.IsUnknown() && plan.warmupSpec(ctx, &diags).TimeoutAction == warmpool.TimeoutTerminate && !diags.HasError() {
		return types.Int64Value(0)
	}
	return types.Int64Unknown()
}

func hasFailed(instances []warmpool.Instance) bool {
	for _, i := range instances {
		if i.State == warmpool.StateFailed && !i.Gone() {
			return true
		}
	}
	return false
}

// planNodeClass fixes the node class version and cluster the plan uses: the
// configured version (typically stratos_node_class.x.version, already bumped
// when the node class changes in this plan), or the latest one.
func (r *warmPoolResource) planNodeClass(ctx context.Context, plan *warmPoolModel, config warmPoolModel, state *warmPoolModel, diags *diag.Diagnostics) {
	if state != nil && !state.ClusterName.IsNull() && state.ClusterName.ValueString() != "" && plan.NodeClass.Equal(state.NodeClass) {
		plan.ClusterName = state.ClusterName
	}
	if plan.NodeClass.IsUnknown() {
		if config.NodeClassVersion.IsNull() {
			plan.NodeClassVersion = types.Int64Unknown()
		}
		plan.ClusterName = types.StringUnknown()
		return
	}
	pinned := !config.NodeClassVersion.IsNull()
	if pinned && !plan.ClusterName.IsUnknown() && !plan.ClusterName.IsNull() {
		return
	}
	api, err := r.data.EC2(ctx)
	if err != nil {
		diags.AddError("AWS client", err.Error())
		return
	}
	head, err := nodeclass.FindHead(ctx, api, plan.NodeClass.ValueString())
	switch {
	case nodeclass.IsNotFound(err) && pinned:
		// A pinned version of a node class that does not exist yet: the node
		// class is created in this same apply (an unknown name still fails
		// at apply, naming the node class).
		plan.ClusterName = types.StringUnknown()
		return
	case err != nil:
		addNodeClassError(diags, plan.NodeClass.ValueString(), err)
		return
	}
	plan.ClusterName = types.StringValue(head.ClusterName)
	if !pinned {
		plan.NodeClassVersion = types.Int64Value(head.LatestVersion)
	}
}

// explain turns the plan into warnings a reviewer reads in CI.
func (r *warmPoolResource) explain(ctx context.Context, plan warmPoolModel, state *warmPoolModel, before []warmpool.Instance, diags *diag.Diagnostics) {
	title := "Warm pool " + plan.Name.ValueString()
	if plan.ConfigHash.IsUnknown() {
		if state != nil && len(before) > 0 {
			diags.AddWarning(title, "the node class version is not known until apply; standby instances built from another version will be replaced in this apply, a batch at a time")
		}
		if !plan.Size.IsUnknown() && (state == nil || !plan.Size.Equal(state.Size)) {
			from := int64(0)
			if state != nil {
				from = state.Size.ValueInt64()
			}
			diags.AddWarning(title, fmt.Sprintf("size %d → %d", from, plan.Size.ValueInt64()))
		}
		return
	}
	if plan.Size.IsUnknown() {
		return
	}
	if plan.Running.IsUnknown() || plan.MaxSize.IsUnknown() {
		diags.AddWarning(title, "running or max_size is not known until apply")
		return
	}
	pool := warmpool.Pool{
		Size:   int(plan.Size.ValueInt64()),
		Launch: warmpool.LaunchSpec{ConfigHash: plan.ConfigHash.ValueString(), Version: plan.NodeClassVersion.ValueInt64()},
	}
	plan.runningSpec(&pool, diags)
	for _, line := range warmpool.NarratePlan(pool, before, r.podsToDrain(ctx, pool, before, diags)) {
		diags.AddWarning(title, line)
	}
}

// podsToDrain counts, only when running goes down, the evictable pods on
// each running node recorded in state: one pod list per running node,
// nothing at all on other plans. A failure to count is a warning, and the
// plan says the pods were not counted.
func (r *warmPoolResource) podsToDrain(ctx context.Context, pool warmpool.Pool, before []warmpool.Instance, diags *diag.Diagnostics) map[string]int {
	if pool.Running == nil {
		return nil
	}
	var running []warmpool.Instance
	for _, i := range before {
		if i.PoweredOn() && (i.State == warmpool.StateRunning || i.State == warmpool.StateStandby || i.State == warmpool.StateDraining) {
			running = append(running, i)
		}
	}
	if len(running) <= *pool.Running {
		return nil
	}
	kube, _, err := r.data.Kubernetes(ctx)
	if err == nil {
		var pods map[string]int
		if pods, err = warmpool.CountEvictablePods(ctx, kube, running); err == nil {
			return pods
		}
	}
	diags.AddWarning("Warm pool "+pool.Name+": pods on running nodes not counted", err.Error())
	return nil
}
