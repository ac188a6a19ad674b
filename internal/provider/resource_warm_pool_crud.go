package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// nodeClassWait bounds how long a just-created node class version may stay
// invisible (EC2's eventual consistency) before the pool gives up on it.
const nodeClassWait = 2 * time.Minute

func (r *warmPoolResource) engine(ctx context.Context) (*warmpool.Engine, error) {
	ec2Client, err := r.data.EC2(ctx)
	if err != nil {
		return nil, err
	}
	kube, _, err := r.data.Kubernetes(ctx)
	if err != nil {
		return nil, err
	}
	return &warmpool.Engine{EC2: ec2Client, Kube: kube, Informers: r.data.Informers(), Options: engineOptions, Logf: func(format string, args ...any) {
		tflog.Info(ctx, fmt.Sprintf(format, args...))
	}}, nil
}

// nodeClassInfo reads the node class version the pool builds from: the
// configured node_class_version, or the latest.
func (r *warmPoolResource) nodeClassInfo(ctx context.Context, m warmPoolModel, diags *diag.Diagnostics) *nodeclass.Info {
	api, err := r.data.EC2(ctx)
	if err != nil {
		diags.AddError("AWS client", err.Error())
		return nil
	}
	name := m.NodeClass.ValueString()
	version := m.NodeClassVersion.ValueInt64()
	if m.NodeClassVersion.IsNull() || m.NodeClassVersion.IsUnknown() {
		latest, err := nodeclass.Find(ctx, api, name)
		if err != nil {
			addNodeClassError(diags, name, err)
			return nil
		}
		version = latest.LatestVersion
	}
	info, err := nodeclass.WaitVersion(ctx, api, name, version, nodeclass.VersionWait(nodeClassWait))
	if err != nil {
		addNodeClassError(diags, name, err)
		return nil
	}
	return info
}

func addNodeClassError(diags *diag.Diagnostics, name string, err error) {
	if nodeclass.IsNotFound(err) {
		diags.AddAttributeError(path.Root("node_class"), "Unknown node class",
			fmt.Sprintf("No node class named %q exists (no launch template %s): %v\n\n"+
				"When the node class is in this configuration, refer to it as node_class = stratos_node_class.<name>.id "+
				"rather than by its name as a string, so that Terraform creates it before the pool. Otherwise create it "+
				"first, or check the name and the provider's region.", name, nodeclass.LaunchTemplateName(name), err))
		return
	}
	diags.AddAttributeError(path.Root("node_class"), "Cannot read node class "+name, err.Error())
}

// desiredPool builds the engine's desired pool from the configuration and
// the node class version it names.
func (r *warmPoolResource) desiredPool(ctx context.Context, m warmPoolModel, diags *diag.Diagnostics) (warmpool.Pool, bool) {
	info := r.nodeClassInfo(ctx, m, diags)
	labels, taints, _ := m.labelsAndTaints(ctx, diags)
	warmup := m.warmupSpec(ctx, diags)
	if info == nil || diags.HasError() {
		return warmpool.Pool{}, false
	}
	tags := r.data.DefaultTags()
	maps.Copy(tags, info.Tags)
	pool := warmpool.Pool{
		Name: m.Name.ValueString(), Cluster: info.ClusterName, Size: int(m.Size.ValueInt64()),
		Labels: labels, Taints: taints, Warmup: warmup, Tags: tags,
		Launch: warmpool.LaunchSpec{
			LaunchTemplateID: info.LaunchTemplateID, Version: info.Version, NodeClass: info.Name,
			InstanceTypes: info.InstanceTypes, Subnets: info.Subnets,
			ConfigHash: warmpool.PoolConfigHash(info.Name, info.Version, labels, taints),
		},
	}
	m.runningSpec(&pool, diags)
	// The node class may have been unknown at plan time: the same check
	// as the plan's, before anything is launched.
	addConflicts(diags, pool, *info)
	if diags.HasError() {
		return pool, false
	}
	doc, problems := warmpool.PoolUserData(pool, *info)
	addProblems(diags, onlyErrors(problems), poolFieldPath)
	if doc == nil {
		return pool, false
	}
	pool.Launch.UserData = warmpool.EncodeUserData(doc)
	return pool, true
}

// poolFieldPath puts a problem of the merged user data on the pool attribute
// it comes from; anything else conflicts with the node class.
func poolFieldPath(f bottlerocket.Field) path.Path {
	switch f {
	case bottlerocket.FieldNodeLabels:
		return path.Root("labels")
	case bottlerocket.FieldNodeTaints:
		return path.Root("taints")
	default:
		return path.Root("node_class")
	}
}

// Create has no instances to pass the engine: a create has no prior state
// (a tainted pool is destroyed with its recorded instances first), and an
// interrupted create's instances are found by their tags.
func (r *warmPoolResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.apply(ctx, req.Plan, nil, &resp.State, resp.Private, &resp.Diagnostics, warmPoolModel.createTimeout)
}

// Update passes the instances recorded in state to the engine, which
// describes them by id when an Availability Zone disruption fails the
// pool's filtered DescribeInstances (see warmpool.Engine.Known).
func (r *warmPoolResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	known, _, diags := recordedInstances(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, req.Plan, known, &resp.State, resp.Private, &resp.Diagnostics, warmPoolModel.updateTimeout)
}

func (m warmPoolModel) createTimeout(ctx context.Context) (time.Duration, diag.Diagnostics) {
	return m.Timeouts.Create(ctx, defaultCreateTimeout)
}

func (m warmPoolModel) updateTimeout(ctx context.Context) (time.Duration, diag.Diagnostics) {
	return m.Timeouts.Update(ctx, defaultCreateTimeout)
}

// apply converges the pool to the plan, knowing the instances recorded in
// state (known), and records the outcome in state. When the engine does not
// run (the node class cannot be read, its user data conflicts with the
// pool's), nothing was launched or stopped and the state is left as it
// was: the prior state on an update, none on a create.
func (r *warmPoolResource) apply(ctx context.Context, planned tfsdk.Plan, known []warmpool.Instance, state *tfsdk.State, private privateState, diags *diag.Diagnostics, timeoutOf func(warmPoolModel, context.Context) (time.Duration, diag.Diagnostics)) {
	var plan warmPoolModel
	diags.Append(planned.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	timeout, d := timeoutOf(plan, ctx)
	diags.Append(d...)
	observed, ok := r.converge(ctx, timeout, &plan, known, diags)
	if !ok {
		return
	}
	diags.Append(state.Set(ctx, &plan)...)
	diags.Append(recordInstances(ctx, private, observed)...)
}

// converge runs the engine and records what exists afterwards — also when it
// fails, so every instance it launched is in state (Terraform taints a
// failed create) and the next apply adopts rather than duplicates. ok is
// false when the engine did not run.
func (r *warmPoolResource) converge(ctx context.Context, timeout time.Duration, m *warmPoolModel, known []warmpool.Instance, diags *diag.Diagnostics) ([]warmpool.Instance, bool) {
	pool, ok := r.desiredPool(ctx, *m, diags)
	if !ok {
		return nil, false
	}
	engine, err := r.engine(ctx)
	if err != nil {
		diags.AddError("Cannot reach the cluster or EC2", err.Error())
		return nil, false
	}
	engine.Known = known
	m.ID = m.Name
	m.PoolID = types.StringValue(pool.ID())
	m.ClusterName = types.StringValue(pool.Cluster)
	m.ConfigHash = types.StringValue(pool.Launch.ConfigHash)
	m.NodeClassVersion = types.Int64Value(pool.Launch.Version)

	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := engine.Converge(runCtx, pool)
	// When the engine could not observe the pool at the end (EC2 failing),
	// the instances recorded before stay recorded: an empty record would
	// lose them from state until a refresh finds them again.
	observed := &warmpool.Observation{Instances: known}
	if res != nil && res.Observation != nil {
		observed = res.Observation
	}
	m.setObserved(observed, pool.Launch.ConfigHash)
	warnDisruptedZones(diags, pool.Name, observed.DisruptedZones)
	if res != nil && err == nil && len(res.Failures) > 0 {
		diags.AddWarning("Some warmups failed and were replaced", failureList(res.Failures))
	}
	if err != nil {
		diags.AddError(fmt.Sprintf("Warm pool %s did not converge", pool.Name), err.Error())
		// Record the configured size so the next plan compares against what
		// exists (size is read back from the instances on refresh).
		return observed.Instances, true
	}
	m.Size = types.Int64Value(int64(pool.Size))
	if pool.Running != nil {
		m.Running = types.Int64Value(int64(*pool.Running))
	}
	return observed.Instances, true
}

func failureList(failures []warmpool.Failure) string {
	lines := make([]string, 0, len(failures))
	for _, f := range failures {
		lines = append(lines, "- "+f.String())
	}
	return strings.Join(lines, "\n")
}

func (r *warmPoolResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state warmPoolModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	before, _, diags := recordedInstances(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	engine, err := r.engine(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot reach the cluster or EC2", err.Error())
		return
	}
	if state.PoolID.IsNull() || state.PoolID.ValueString() == "" {
		if !r.adopt(ctx, engine, &state, &resp.Diagnostics) {
			return
		}
	}
	engine.Known = before
	obs, err := engine.Observe(ctx, state.PoolID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Cannot read warm pool "+state.Name.ValueString(), err.Error())
		return
	}
	warnDisruptedZones(&resp.Diagnostics, state.Name.ValueString(), obs.DisruptedZones)
	for _, line := range warmpool.NarrateDrift(before, obs.Instances, !state.Running.IsNull()) {
		resp.Diagnostics.AddWarning("Warm pool "+state.Name.ValueString()+" changed outside Terraform", line)
	}
	state.setObserved(obs, state.ConfigHash.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(recordInstances(ctx, resp.Private, obs.Instances)...)
}

// adopt fills in an imported pool's identity from its instances' tags.
func (r *warmPoolResource) adopt(ctx context.Context, engine *warmpool.Engine, m *warmPoolModel, diags *diag.Diagnostics) bool {
	found, err := engine.FindByName(ctx, m.Name.ValueString(), m.ClusterName.ValueString())
	if err != nil {
		diags.AddError("Cannot import warm pool "+m.Name.ValueString(), err.Error())
		return false
	}
	m.PoolID = types.StringValue(found.PoolID)
	m.ClusterName = types.StringValue(found.Cluster)
	m.NodeClass = types.StringValue(found.NodeClass)
	m.NodeClassVersion = types.Int64Value(found.NodeClassVersion)
	m.ConfigHash = types.StringValue(found.ConfigHash)
	return true
}

func (r *warmPoolResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state warmPoolModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	recorded, _, diags := recordedInstances(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	engine, err := r.engine(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot reach the cluster or EC2", err.Error())
		return
	}
	engine.Known = recorded
	var known []string
	for _, i := range recorded {
		known = append(known, i.ID)
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := engine.Destroy(runCtx, state.PoolID.ValueString(), known); err != nil {
		resp.Diagnostics.AddError("Cannot destroy warm pool "+state.Name.ValueString(), err.Error())
	}
}

// ImportState takes the pool name, or "<cluster>/<name>" when pools of that
// name exist in several clusters.
func (r *warmPoolResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	cluster, name, found := strings.Cut(req.ID, "/")
	if !found {
		cluster, name = "", req.ID
	}
	if err := nodeclass.ValidateName(name); err != nil || strings.Contains(name, "/") {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("Expected a pool name or <cluster>/<name>, got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	if cluster != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cluster_name"), cluster)...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("warmup"), defaultWarmup())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("drain_timeout"), defaultDrainTimeout)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("drain_timeout_action"), string(warmpool.DrainFail))...)
}

// warnDisruptedZones says which Availability Zones EC2 could not describe,
// so a reviewer knows their instances are shown as last known.
func warnDisruptedZones(diags *diag.Diagnostics, pool string, zones []string) {
	if len(zones) == 0 {
		return
	}
	diags.AddWarning("Availability Zone disrupted: warm pool "+pool+" read partly from state",
		fmt.Sprintf("DescribeInstances fails for %s (an EC2 service disruption); the pool's instances there are shown as last recorded, and those in the other zones were described by id.", strings.Join(zones, ", ")))
}
