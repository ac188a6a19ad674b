package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

var (
	_ resource.Resource                   = (*warmPoolResource)(nil)
	_ resource.ResourceWithConfigure      = (*warmPoolResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*warmPoolResource)(nil)
	_ resource.ResourceWithImportState    = (*warmPoolResource)(nil)
	_ resource.ResourceWithValidateConfig = (*warmPoolResource)(nil)
)

// NewWarmPoolResource manages stratos_warm_pool: stopped, verified
// instances of a node class, reconciled to size on every apply.
func NewWarmPoolResource() resource.Resource { return &warmPoolResource{} }

type warmPoolResource struct {
	data *providerData
}

// engineOptions tune the pool engine; tests shorten its polling.
var engineOptions warmpool.Options

func (r *warmPoolResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_warm_pool"
}

func (r *warmPoolResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

const (
	defaultWarmupTimeout = "10m"
	defaultDrainTimeout  = "5m"
	defaultCreateTimeout = 45 * time.Minute
	defaultDeleteTimeout = 20 * time.Minute
)

var warmupAttrTypes = map[string]attr.Type{
	"timeout":             types.StringType,
	"timeout_action":      types.StringType,
	"network":             types.StringType,
	"wait_for_daemonsets": types.BoolType,
	"images":              types.ListType{ElemType: types.StringType},
}

func defaultWarmup() types.Object {
	return types.ObjectValueMust(warmupAttrTypes, map[string]attr.Value{
		"timeout":             types.StringValue(defaultWarmupTimeout),
		"timeout_action":      types.StringValue(string(warmpool.TimeoutTerminate)),
		"network":             types.StringValue(string(warmpool.NetworkAuto)),
		"wait_for_daemonsets": types.BoolValue(true),
		"images":              types.ListNull(types.StringType),
	})
}

func (r *warmPoolResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: 1,
		MarkdownDescription: "A warm pool of pre-initialized, **stopped** Bottlerocket instances for an EKS cluster. " +
			"Each instance is launched from a `stratos_node_class`, verified (node Ready, CNI ready, DaemonSet pods Ready " +
			"so their images are cached), cordoned with the `stratos.sh/standby:NoExecute` taint and stopped; once stopped, " +
			"its Node is deleted (the kubelet registers it again on start), so standby never counts as NotReady nodes. " +
			"Every apply reconciles the pool to `size` verified standby instances built from the current node class version, " +
			"and, when `running` is set, to that many started, schedulable nodes taken from standby. " +
			"The pool's instances are not attributes of the resource, so that a plan shows what changes in a few lines " +
			"however large the pool: plan warnings say what the apply does to them, and the `stratos_warm_pool` data " +
			"source lists them (ids, states, nodes) for outputs and CI checks.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The pool's name.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the pool: 1–63 lowercase letters, digits and `-`. Nodes carry it as the label " +
					"`stratos.sh/pool`. Changing it replaces the pool.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{nodeClassNameValidator{}},
			},
			"node_class": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The `id` of the `stratos_node_class` the pool launches from: refer to it as " +
					"`stratos_node_class.<name>.id`, so that Terraform creates the node class first. A name that no node class " +
					"has fails at plan time.",
			},
			"node_class_version": schema.Int64Attribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The node class version the pool's instances are built from. Set it to " +
					"`stratos_node_class.<name>.version` so that a node class change shows in the same plan and replaces " +
					"outdated standby instances in the same apply. When unset, the pool uses the node class's latest version: the one " +
					"that exists at plan time, or, when the node class is created in the same apply, the one it creates; a later node " +
					"class change then replaces standby instances on the pool's next apply, not in the node class's.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"size": schema.Int64Attribute{
				Required: true,
				MarkdownDescription: "How many verified standby instances to hold, 0–1000. After a refresh it reports the " +
					"verified standby instances built from the current node class, so anything changed outside Terraform " +
					"shows as a diff.",
				Validators: []validator.Int64{int64validator.Between(0, warmpool.MaxSize)},
			},
			"running": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many of the pool's instances are started and schedulable, 0–1000. Raising it starts " +
					"standby instances (one batched `StartInstances`; when a zone or instance type has no capacity, standby " +
					"instances elsewhere start instead), waits until each node is Ready with its CNI up, then removes the standby " +
					"taint and uncordons it; only then are instances launched to refill standby to `size`, so running capacity " +
					"never waits for a warmup. When no standby instance is left to start, the shortfall is launched in the " +
					"same apply and served once verified, without a stop. Lowering it drains nodes (fewest non-DaemonSet pods first, then the newest) " +
					"through the Eviction API, respecting PodDisruptionBudgets within `drain_timeout`, stops them and returns " +
					"them to standby; standby beyond `size` is then terminated, outdated first. When unset, running instances " +
					"are not managed: instances started by anything else are reported (a warning on refresh) and left alone.",
				Validators: []validator.Int64{int64validator.Between(0, warmpool.MaxSize)},
			},
			"max_size": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "A cap on standby plus running instances. When `running` plus `size` exceeds it, standby " +
					"is held below `size` (the plan says so); `running` must not exceed it.",
				Validators: []validator.Int64{int64validator.Between(1, 2*warmpool.MaxSize)},
			},
			"drain_timeout": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(defaultDrainTimeout),
				MarkdownDescription: "How long draining a node may wait for its pods to be evicted and gone (PodDisruptionBudgets " +
					"may refuse evictions for a while), as a Go duration. Default `5m`.",
				Validators: []validator.String{durationValidator{}},
			},
			"drain_timeout_action": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(string(warmpool.DrainFail)),
				MarkdownDescription: "What happens to a node whose drain times out: `fail` (default) fails the apply naming the " +
					"pods left and why; the node stays running and cordoned (state `draining`, nothing new lands on it) and the " +
					"next apply retries the drain, or uncordons it if `running` was raised again. `stop` stops the node anyway: " +
					"the pods left on it stop with it, and once its Node is deleted the pod garbage collector deletes them without regard to " +
					"PodDisruptionBudgets.",
				Validators: []validator.String{stringvalidator.OneOf(string(warmpool.DrainFail), string(warmpool.DrainStop))},
			},
			"labels": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Node labels for this pool's nodes, merged into the node class's user data " +
					"(the kubelet's `--node-labels` rules apply). `stratos.sh/pool=<name>` is always added.",
			},
			"taints": schema.ListNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Node taints for this pool's nodes, merged into the node class's user data.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"key":    schema.StringAttribute{Required: true, MarkdownDescription: "Taint key."},
					"value":  schema.StringAttribute{Optional: true, MarkdownDescription: "Taint value (may be empty)."},
					"effect": schema.StringAttribute{Required: true, MarkdownDescription: "`NoSchedule`, `PreferNoSchedule` or `NoExecute` (the EKS API forms `NO_SCHEDULE` … are accepted)."},
				}},
			},
			"warmup": schema.SingleNestedAttribute{
				Optional: true, Computed: true, Default: objectdefault.StaticValue(defaultWarmup()),
				MarkdownDescription: "When a launched instance counts as verified, and what happens when it does not in time.",
				Attributes: map[string]schema.Attribute{
					"timeout": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(defaultWarmupTimeout),
						MarkdownDescription: "How long an instance may take from launch to verified, as a Go duration (`10m`).",
						Validators:          []validator.String{durationValidator{}},
					},
					"timeout_action": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(string(warmpool.TimeoutTerminate)),
						MarkdownDescription: "`terminate` (default) or `stop`: a stopped failure is kept for inspection, " +
							"never counted as standby, and terminated by the next apply.",
						Validators: []validator.String{stringvalidator.OneOf(string(warmpool.TimeoutTerminate), string(warmpool.TimeoutStop))},
					},
					"network": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(string(warmpool.NetworkAuto)),
						MarkdownDescription: "The CNI to wait for: `auto` (detected from the cluster's DaemonSets), `vpc-cni` " +
							"(the node's `aws-node` pod Ready; `NetworkingReady` when present), `cilium` / `calico` " +
							"(`NetworkUnavailable=False` with their reason) or `none`.",
						Validators: []validator.String{stringvalidator.OneOf("auto", "vpc-cni", "cilium", "calico", "none")},
					},
					"wait_for_daemonsets": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(true),
						MarkdownDescription: "Wait until every DaemonSet pod scheduled on the node is Ready, so their images are cached before the stop.",
					},
					"images": schema.ListAttribute{
						Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Images that must be listed in `node.status.images` before the stop.",
						Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
					},
				},
			},
			"pool_id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The id every instance (tag) and node (label) of the pool carries as `stratos.sh/pool-id`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cluster_name": schema.StringAttribute{Computed: true, MarkdownDescription: "The node class's cluster."},
			"config_hash": schema.StringAttribute{
				Computed: true, MarkdownDescription: "Identifies the node class version and the pool's labels and taints; instances carrying another are outdated.",
			},
			"failed_warmups": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "Instances whose warmup failed and that were kept stopped for inspection " +
					"(`warmup.timeout_action = \"stop\"`). They never count in `size`; the next apply terminates them, " +
					"so a plan shows this going to 0 (or to `(known after apply)` when the apply launches instances that " +
					"may fail and be kept).",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

// durationValidator accepts Go durations such as "10m" or "90s".
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "a Go duration such as 10m or 90s"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			"Expected a positive Go duration such as \"10m\" or \"90s\", got "+req.ConfigValue.String()+".")
	}
}
