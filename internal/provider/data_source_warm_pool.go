package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

var (
	_ datasource.DataSource              = (*warmPoolDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*warmPoolDataSource)(nil)
)

// NewWarmPoolDataSource reads a warm pool managed elsewhere: counts and
// instances by state, for other configurations and CI checks.
func NewWarmPoolDataSource() datasource.DataSource { return &warmPoolDataSource{} }

type warmPoolDataSource struct {
	data *providerData
}

type warmPoolDataModel struct {
	Name                   types.String `tfsdk:"name"`
	ClusterName            types.String `tfsdk:"cluster_name"`
	ID                     types.String `tfsdk:"id"`
	PoolID                 types.String `tfsdk:"pool_id"`
	NodeClass              types.String `tfsdk:"node_class"`
	NodeClassVersion       types.Int64  `tfsdk:"node_class_version"`
	NodeClassLatestVersion types.Int64  `tfsdk:"node_class_latest_version"`
	ConfigHash             types.String `tfsdk:"config_hash"`
	Standby                types.Int64  `tfsdk:"standby"`
	Running                types.Int64  `tfsdk:"running"`
	Outdated               types.Int64  `tfsdk:"outdated"`
	Counts                 types.Map    `tfsdk:"counts"`
	InstanceIDs            types.Map    `tfsdk:"instance_ids"`
	StandbyInstanceIDs     types.List   `tfsdk:"standby_instance_ids"`
	RunningInstanceIDs     types.List   `tfsdk:"running_instance_ids"`
	OutdatedInstanceIDs    types.List   `tfsdk:"outdated_instance_ids"`
	NodeNames              types.List   `tfsdk:"node_names"`
	Instances              types.List   `tfsdk:"instances"`
}

func (d *warmPoolDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_warm_pool"
}

func (d *warmPoolDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *warmPoolDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedIDs := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a `stratos_warm_pool` managed by another configuration: how many instances are in " +
			"each state, their ids and nodes, and which node class version they run. Reading costs one paginated " +
			"`DescribeInstances` and one node list, however large the pool. Without access to the cluster (no " +
			"Kubernetes configuration), node names are empty and a warning says so.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: "The pool's name.",
				Validators: []validator.String{nodeClassNameValidator{}},
			},
			"cluster_name": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The pool's cluster. Needed when pools of that name exist in several clusters, and to read " +
					"a pool that has no instances (size 0, nothing running); otherwise found from the instances' tags.",
			},
			"id":                        schema.StringAttribute{Computed: true, MarkdownDescription: "`<cluster_name>/<name>`."},
			"pool_id":                   schema.StringAttribute{Computed: true, MarkdownDescription: "The id every instance and node of the pool carries as `stratos.sh/pool-id`."},
			"node_class":                schema.StringAttribute{Computed: true, MarkdownDescription: "The node class the pool's newest instance was launched from (empty for an empty pool)."},
			"node_class_version":        schema.Int64Attribute{Computed: true, MarkdownDescription: "The node class version the pool's newest instance was built from: the version in use."},
			"node_class_latest_version": schema.Int64Attribute{Computed: true, MarkdownDescription: "The node class's latest version (0 when the node class is gone)."},
			"config_hash":               schema.StringAttribute{Computed: true, MarkdownDescription: "The configuration hash of the pool's newest instance."},
			"standby":                   schema.Int64Attribute{Computed: true, MarkdownDescription: "Standby instances: verified and stopped."},
			"running":                   schema.Int64Attribute{Computed: true, MarkdownDescription: "Started instances (by the pool's `running` or by anything else), draining ones excluded."},
			"outdated": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Standby instances built from a node class version older than `node_class_latest_version`: the owner's next apply replaces them.",
			},
			"counts": schema.MapAttribute{
				Computed: true, ElementType: types.Int64Type,
				MarkdownDescription: "Live instances by state: `standby`, `running`, `draining`, `warmup`, `stopping`, `failed` (every key present).",
			},
			"instance_ids": schema.MapAttribute{
				Computed: true, ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "Live instance ids by state, with the keys of `counts`.",
			},
			"standby_instance_ids":  computedIDs("Ids of the standby instances."),
			"running_instance_ids":  computedIDs("Ids of the running instances."),
			"outdated_instance_ids": computedIDs("Ids of the outdated standby instances."),
			"node_names":            computedIDs("Names of the pool's registered nodes, sorted: running and warming nodes; standby instances have none."),
			"instances": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "Every live instance of the pool, as the resource reports them.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                 schema.StringAttribute{Computed: true, MarkdownDescription: "Instance id."},
					"state":              schema.StringAttribute{Computed: true, MarkdownDescription: "Pool state tag: `warmup`, `stopping`, `standby`, `running`, `draining` or `failed`."},
					"ec2_state":          schema.StringAttribute{Computed: true, MarkdownDescription: "EC2 instance state."},
					"availability_zone":  schema.StringAttribute{Computed: true, MarkdownDescription: "Availability zone."},
					"instance_type":      schema.StringAttribute{Computed: true, MarkdownDescription: "Instance type."},
					"node_name":          schema.StringAttribute{Computed: true, MarkdownDescription: "The Node's name, empty when no node is registered (standby instances: their Node is deleted once stopped) or the cluster was not read."},
					"config_hash":        schema.StringAttribute{Computed: true, MarkdownDescription: "The configuration the instance was built from."},
					"node_class_version": schema.Int64Attribute{Computed: true, MarkdownDescription: "The node class version the instance was built from."},
					"launched_at":        schema.StringAttribute{Computed: true, MarkdownDescription: "Launch time (RFC 3339)."},
				}},
			},
		},
	}
}

// instanceAttrTypes are the attributes of an element of instances.
var instanceAttrTypes = map[string]attr.Type{
	"id":                 types.StringType,
	"state":              types.StringType,
	"ec2_state":          types.StringType,
	"availability_zone":  types.StringType,
	"instance_type":      types.StringType,
	"node_name":          types.StringType,
	"config_hash":        types.StringType,
	"node_class_version": types.Int64Type,
	"launched_at":        types.StringType,
}

// censusStates are the keys of counts and instance_ids, always all present
// so that CI checks can index them.
var censusStates = []warmpool.State{
	warmpool.StateStandby, warmpool.StateRunning, warmpool.StateDraining,
	warmpool.StateWarmup, warmpool.StateStopping, warmpool.StateFailed,
}

func (d *warmPoolDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m warmPoolDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ec2Client, err := d.data.EC2(ctx)
	if err != nil {
		resp.Diagnostics.AddError("AWS client", err.Error())
		return
	}
	engine := &warmpool.Engine{EC2: ec2Client, Options: engineOptions, Logf: func(format string, args ...any) {
		tflog.Info(ctx, fmt.Sprintf(format, args...))
	}}
	if kube, _, err := d.data.Kubernetes(ctx); err == nil {
		engine.Kube = kube
	} else {
		resp.Diagnostics.AddWarning("Warm pool "+m.Name.ValueString()+": cluster not read",
			"Node names are empty: "+err.Error())
	}

	name, cluster := m.Name.ValueString(), m.ClusterName.ValueString()
	nodeClass := ""
	poolID := ""
	if found, err := engine.FindByName(ctx, name, cluster); err == nil {
		poolID, cluster, nodeClass = found.PoolID, found.Cluster, found.NodeClass
	} else if errors.Is(err, warmpool.ErrPoolNotFound) && cluster != "" {
		// An empty pool (size 0, nothing running) has no instance to name it.
		poolID = warmpool.PoolID(cluster, name)
	} else {
		resp.Diagnostics.AddError("Cannot find warm pool "+name, err.Error()+
			"\n\nA pool without instances is found only with cluster_name set.")
		return
	}
	obs, err := engine.Observe(ctx, poolID)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read warm pool "+name, err.Error())
		return
	}
	latest := int64(0)
	if nodeClass != "" {
		head, err := nodeclass.FindHead(ctx, ec2Client, nodeClass)
		switch {
		case err == nil:
			latest = head.LatestVersion
		case !nodeclass.IsNotFound(err):
			resp.Diagnostics.AddError("Cannot read node class "+nodeClass, err.Error())
			return
		}
	}
	census := warmpool.NewCensus(obs.Instances, latest)

	m.ID = types.StringValue(cluster + "/" + name)
	m.ClusterName = types.StringValue(cluster)
	m.PoolID = types.StringValue(poolID)
	m.NodeClass = types.StringValue(nodeClass)
	m.NodeClassVersion = types.Int64Value(census.NodeClassVersion)
	m.NodeClassLatestVersion = types.Int64Value(latest)
	m.ConfigHash = types.StringValue(census.ConfigHash)
	counts := map[string]attr.Value{}
	ids := map[string]attr.Value{}
	for _, s := range censusStates {
		counts[string(s)] = types.Int64Value(int64(len(census.ByState[s])))
		ids[string(s)] = stringList(idsOf(census.ByState[s]))
	}
	m.Counts = types.MapValueMust(types.Int64Type, counts)
	m.InstanceIDs = types.MapValueMust(types.ListType{ElemType: types.StringType}, ids)
	m.Standby = types.Int64Value(int64(len(census.ByState[warmpool.StateStandby])))
	m.Running = types.Int64Value(int64(len(census.ByState[warmpool.StateRunning])))
	m.Outdated = types.Int64Value(int64(len(census.Outdated)))
	m.StandbyInstanceIDs = stringList(idsOf(census.ByState[warmpool.StateStandby]))
	m.RunningInstanceIDs = stringList(idsOf(census.ByState[warmpool.StateRunning]))
	m.OutdatedInstanceIDs = stringList(idsOf(census.Outdated))
	m.NodeNames = stringList(census.NodeNames)
	m.Instances = instanceList(obs.Instances)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func idsOf(list []warmpool.Instance) []string {
	out := make([]string, 0, len(list))
	for _, i := range list {
		out = append(out, i.ID)
	}
	sort.Strings(out)
	return out
}

// instanceList is the data source's instances attribute, the same fields as
// the resource's private record (recordOf): live instances sorted by id.
func instanceList(all []warmpool.Instance) types.List {
	list := append([]warmpool.Instance{}, all...)
	sort.Slice(list, func(a, b int) bool { return list[a].ID < list[b].ID })
	values := make([]attr.Value, 0, len(list))
	for _, i := range list {
		if i.Gone() {
			continue
		}
		r := recordOf(i)
		values = append(values, types.ObjectValueMust(instanceAttrTypes, map[string]attr.Value{
			"id":                 types.StringValue(r.ID),
			"state":              types.StringValue(r.State),
			"ec2_state":          types.StringValue(r.EC2State),
			"availability_zone":  types.StringValue(r.AvailabilityZone),
			"instance_type":      types.StringValue(r.InstanceType),
			"node_name":          types.StringValue(r.NodeName),
			"config_hash":        types.StringValue(r.ConfigHash),
			"node_class_version": types.Int64Value(r.NodeClassVersion),
			"launched_at":        types.StringValue(r.LaunchedAt),
		}))
	}
	return types.ListValueMust(types.ObjectType{AttrTypes: instanceAttrTypes}, values)
}
