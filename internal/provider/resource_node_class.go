package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

var (
	_ resource.Resource                     = (*nodeClassResource)(nil)
	_ resource.ResourceWithConfigure        = (*nodeClassResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*nodeClassResource)(nil)
	_ resource.ResourceWithImportState      = (*nodeClassResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*nodeClassResource)(nil)
	_ resource.ResourceWithConfigValidators = (*nodeClassResource)(nil)
)

// NewNodeClassResource manages stratos_node_class: how a node is launched,
// as an EC2 launch template whose versions follow the configuration.
func NewNodeClassResource() resource.Resource {
	return &nodeClassResource{}
}

type nodeClassResource struct {
	data *providerData
}

func (r *nodeClassResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_node_class"
}

func (r *nodeClassResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

var amiIDPattern = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)

func (r *nodeClassResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	d := userDataDescriptions(nodeClassAPIServerAttribute)
	attributes := userDataResourceAttributes(nodeClassAPIServerAttribute)
	// A node cannot join without its cluster's identity, and the pool tags
	// every instance with the cluster name.
	for _, name := range []string{"cluster_name", nodeClassAPIServerAttribute, "cluster_certificate"} {
		attributes[name] = schema.StringAttribute{Required: true, MarkdownDescription: d[name]}
	}
	attributes["variant"] = schema.StringAttribute{Optional: true, MarkdownDescription: variantDescription +
		"Unset, it is read from the name of a public Bottlerocket AMI (`bottlerocket-<variant>-<arch>-v<release>-<commit>`); " +
		"set, it must agree with that name (nvidia or not, Kubernetes version). With any other AMI name an unset variant is unknown: " +
		variantUnknownRules}

	attributes["id"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "The node class's name; a warm pool's `node_class` refers to it.",
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	attributes["name"] = schema.StringAttribute{
		Required: true,
		MarkdownDescription: "Name of the node class: 1–63 lowercase letters, digits and `-`. The launch template is named " +
			"`stratos-<name>`. Changing it replaces the node class.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		Validators:    []validator.String{nodeClassNameValidator{}},
	}
	attributes["ami_id"] = schema.StringAttribute{
		Required: true,
		MarkdownDescription: "Bottlerocket AMI to boot, e.g. from the `stratos_bottlerocket_ami` data source. Its architecture " +
			"is checked at plan time against every instance type.",
		Validators: []validator.String{stringvalidator.RegexMatches(amiIDPattern, "must be an AMI id such as ami-0123456789abcdef0")},
	}
	attributes["instance_types"] = schema.ListAttribute{
		Required:    true,
		ElementType: types.StringType,
		MarkdownDescription: fmt.Sprintf("Instance types in order of preference (1 to %d): a warm pool launches the first "+
			"and falls back to later types when capacity is short. All must match the AMI's architecture "+
			"(Graviton families such as `m7g` are arm64).", nodeclass.MaxInstanceTypes),
		Validators: []validator.List{
			listvalidator.SizeBetween(1, nodeclass.MaxInstanceTypes),
			listvalidator.UniqueValues(),
			listvalidator.ValueStringsAre(stringvalidator.RegexMatches(regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9-]+$`), "must be an EC2 instance type such as m6i.large")),
		},
	}
	attributes["subnet_ids"] = schema.ListAttribute{
		Optional:    true,
		ElementType: types.StringType,
		MarkdownDescription: "Subnets a warm pool launches into, spreading instances across them and falling back to " +
			"others when a zone is short of capacity. Exactly one of `subnet_ids` and `subnet_selector` is required.",
		Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.UniqueValues()},
	}
	attributes["subnet_selector"] = selectorAttribute("subnets", "`subnet_ids`")
	attributes["security_group_ids"] = schema.ListAttribute{
		Optional:            true,
		ElementType:         types.StringType,
		MarkdownDescription: "Security groups of the nodes. Exactly one of `security_group_ids` and `security_group_selector` is required.",
		Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.UniqueValues()},
	}
	attributes["security_group_selector"] = selectorAttribute("security groups", "`security_group_ids`")
	attributes["iam_instance_profile"] = schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "IAM instance profile of the nodes, by name or ARN. Its role must be allowed to join the cluster (an EKS access entry of type `EC2_LINUX` or the `aws-auth` ConfigMap).",
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attributes["block_device_mappings"] = blockDeviceMappingsAttribute()
	attributes["metadata_options"] = metadataOptionsAttribute()
	attributes["tags"] = schema.MapAttribute{
		Optional:    true,
		ElementType: types.StringType,
		MarkdownDescription: "Tags for the launch template, and for the instances and volumes launched from it, merged over " +
			"the provider's `default_tags`. Keys starting with `stratos.sh/` are reserved. Changing only tags makes no new " +
			"launch template version, so warm pools keep their standby instances. EC2 allows 50 tags per instance and the " +
			fmt.Sprintf("provider sets %d over an instance's life, so `tags` and `default_tags` together hold at most %d; ", len(keys.InstanceTags), nodeclass.TagRoom(nil)) +
			"plans say how many to remove when there are more.",
		Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.LengthBetween(1, 128))},
	}
	attributes["tags_all"] = schema.MapAttribute{
		Computed:            true,
		ElementType:         types.StringType,
		MarkdownDescription: "`tags` merged over the provider's `default_tags`: every tag the node class applies.",
	}
	attributes["launch_template_id"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "Id of the EC2 launch template. It never changes for the life of the node class: updates add versions.",
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	attributes["version"] = schema.Int64Attribute{
		Computed: true,
		MarkdownDescription: "Latest launch template version, known at plan time: it is the current version plus one when " +
			"`config_hash` changes. A warm pool compares its instances against it, so a node class change replaces " +
			"standby instances in the same apply.",
	}
	attributes["user_data"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "The rendered Bottlerocket TOML, uncompressed, as validated at plan time.",
	}
	attributes["config_hash"] = schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "SHA-256 over everything that shapes an instance (AMI, instance types, resolved subnets and " +
			"security groups, instance profile, volumes, metadata options, user data, variant, compression). Not tags.",
	}
	attributes["resolved_subnet_ids"] = schema.ListAttribute{
		Computed:            true,
		ElementType:         types.StringType,
		MarkdownDescription: "Subnets in use: `subnet_ids`, or what `subnet_selector` matched at plan time (ordered by availability zone).",
	}
	attributes["resolved_security_group_ids"] = schema.ListAttribute{
		Computed:            true,
		ElementType:         types.StringType,
		MarkdownDescription: "Security groups in use: `security_group_ids`, or what `security_group_selector` matched at plan time.",
	}

	resp.Schema = schema.Schema{
		MarkdownDescription: "How a node is launched: an EC2 launch template (`stratos-<name>`) with Bottlerocket user data " +
			"validated at plan time, the AMI, instance types in order of preference, subnets, security groups, instance " +
			"profile, volumes and metadata options. A change to anything that shapes an instance adds a launch template " +
			"version (the template is never replaced) and the planned `version` says so before the apply; destroy deletes " +
			"the template. Selectors resolve at plan time and an empty match is an error.",
		Attributes: attributes,
	}
}

func selectorAttribute(what, alternative string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: fmt.Sprintf("Selects %s by tags, resolved at plan time; matching nothing is an error. "+
			"Exactly one of this and %s is required.", what, alternative),
		Attributes: map[string]schema.Attribute{
			"tags": schema.MapAttribute{
				Required:    true,
				ElementType: types.StringType,
				MarkdownDescription: fmt.Sprintf("Tags the %s must all carry. The value `\"*\"` only asks that the tag exists, "+
					"e.g. `{ \"kubernetes.io/cluster/prod\" = \"*\" }`.", what),
				Validators: []validator.Map{mapvalidator.SizeAtLeast(1)},
			},
		},
	}
}

// defaultVolumeType is the volume_type of a block device that sets none.
const defaultVolumeType = "gp3"

func blockDeviceMappingsAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true,
		Computed: true,
		Default:  listdefault.StaticValue(blockDevicesValue(nodeclass.DefaultBlockDeviceMappings())),
		MarkdownDescription: "EBS volumes of a node. Bottlerocket boots from `/dev/xvda` and keeps container images and " +
			"state on `/dev/xvdb`. Default: `/dev/xvda` 4 GiB and `/dev/xvdb` 20 GiB, both gp3, encrypted and deleted " +
			"with the instance. Giving this list replaces the default whole.",
		Validators: []validator.List{listvalidator.SizeAtLeast(1)},
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"device_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Device name, e.g. `/dev/xvda` (OS volume) or `/dev/xvdb` (data volume).",
			},
			"volume_size": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Size in GiB; unset takes the snapshot's size. gp3 and io2 1–65,536 (io2 from 4), gp2 1–16,384, io1 4–16,384, st1 and sc1 125–16,384, standard 1–1,024.",
				Validators:          []validator.Int64{int64validator.Between(1, 65536)},
			},
			"volume_type": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(defaultVolumeType),
				MarkdownDescription: "EBS volume type: `gp3` (default), `gp2`, `io1`, `io2`, `st1`, `sc1` or `standard`.",
				Validators:          []validator.String{stringvalidator.OneOf("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard")},
			},
			"iops": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Provisioned IOPS: gp3 3,000–80,000 (at most 500 per GiB), io1 100–64,000 (50 per GiB), io2 100–256,000 (1,000 per GiB); required for io1 and io2, not allowed for other types. Checked at plan time: EC2 checks it only when a pool launches.",
				Validators:          []validator.Int64{int64validator.AtLeast(100)},
			},
			"throughput": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Throughput in MiB/s, gp3 only: 125–2,000, at most 0.25 MiB/s per provisioned IOPS above 125 (1,000 MiB/s needs 4,000 IOPS).",
				Validators:          []validator.Int64{int64validator.AtLeast(125)},
			},
			"encrypted": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Whether the volume is encrypted. Default `true`.",
			},
			"kms_key_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "KMS key for the encryption; unset uses the account's default EBS key.",
			},
			"snapshot_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Snapshot to create the volume from, e.g. a data-volume snapshot with container images " +
					"already pulled, so nodes start without pulling them.",
			},
			"delete_on_termination": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Whether the volume is deleted with the instance. Default `true`.",
			},
		}},
	}
}

func metadataOptionsAttribute() schema.SingleNestedAttribute {
	def := nodeclass.DefaultMetadataOptions()
	return schema.SingleNestedAttribute{
		Optional: true,
		Computed: true,
		Default:  objectdefault.StaticValue(metadataOptionsValue(def)),
		MarkdownDescription: "Instance metadata service settings. Default: IMDSv2 required, hop limit 2 (so pods such as " +
			"the VPC CNI's can reach IMDS), endpoint enabled.",
		Attributes: map[string]schema.Attribute{
			"http_tokens": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(def.HTTPTokens),
				MarkdownDescription: "`required` (IMDSv2 only, the default) or `optional`.",
				Validators:          []validator.String{stringvalidator.OneOf("required", "optional")},
			},
			"http_put_response_hop_limit": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(int64(def.HTTPPutResponseHopLimit)),
				MarkdownDescription: "Hops an IMDSv2 token response may travel, 1–64. Default 2.",
				Validators:          []validator.Int64{int64validator.Between(1, 64)},
			},
			"http_endpoint": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(def.HTTPEndpoint),
				MarkdownDescription: "`enabled` (default) or `disabled`. Bottlerocket reads its settings through IMDS on EC2.",
				Validators:          []validator.String{stringvalidator.OneOf("enabled", "disabled")},
			},
		},
	}
}

func (r *nodeClassResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("subnet_ids"), path.MatchRoot("subnet_selector")),
		resourcevalidator.ExactlyOneOf(path.MatchRoot("security_group_ids"), path.MatchRoot("security_group_selector")),
	}
}

// nodeClassNameValidator applies warmpool's rule for node class names.
type nodeClassNameValidator struct{}

func (nodeClassNameValidator) Description(context.Context) string {
	return "1–63 lowercase letters, digits and '-', starting and ending with a letter or digit"
}

func (v nodeClassNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (nodeClassNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := nodeclass.ValidateName(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid node class name", err.Error())
	}
}
