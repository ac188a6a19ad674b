package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// ValidateConfig reports what can be checked without AWS: the user data (as
// the data source does), duplicate devices and reserved tag keys. Values not
// known yet are skipped; ModifyPlan checks them once they are.
func (r *nodeClassResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config nodeClassModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateUserDataConfig(ctx, config.userDataModel, config.ClusterEndpoint, nodeClassAPIServerAttribute, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if !config.BlockDeviceMappings.IsNull() && !config.BlockDeviceMappings.IsUnknown() {
		var devices []blockDeviceModel
		resp.Diagnostics.Append(config.BlockDeviceMappings.ElementsAs(ctx, &devices, true)...)
		seen := map[string]int{}
		for i, b := range devices {
			if b.DeviceName.IsNull() || b.DeviceName.IsUnknown() {
				continue
			}
			if first, dup := seen[b.DeviceName.ValueString()]; dup {
				resp.Diagnostics.AddAttributeError(path.Root("block_device_mappings").AtListIndex(i).AtName("device_name"),
					"Duplicate device name", fmt.Sprintf("%s is already mapped by block_device_mappings[%d].", b.DeviceName.ValueString(), first))
			}
			seen[b.DeviceName.ValueString()] = i
			validateVolume(b, path.Root("block_device_mappings").AtListIndex(i), &resp.Diagnostics)
		}
	}
	if tags, known := ncKnownStringMap(ctx, config.Tags, &resp.Diagnostics); known {
		for k := range tags {
			if keys.IsReserved(k) || strings.HasPrefix(strings.ToLower(k), "aws:") {
				resp.Diagnostics.AddAttributeError(path.Root("tags").AtMapKey(k), "Reserved tag key",
					fmt.Sprintf("Tag keys starting with stratos.sh/ are set by the provider and aws: by AWS; %q cannot be set here.", k))
			}
		}
	}
}

// nodeClassPrepared is what plan and apply derive from a configuration:
// the rendered user data, the resolved network and the node class. A nil
// slice or document means the value is not known yet.
type nodeClassPrepared struct {
	input          bottlerocket.Input
	doc            *bottlerocket.Document
	subnetIDs      []string
	securityGroups []string
	tags           map[string]string
	tagsKnown      bool
	spec           nodeclass.Spec
	specKnown      bool
}

func (r *nodeClassResource) ec2API(ctx context.Context) (nodeclass.LaunchTemplateAPI, error) {
	if r.data == nil {
		return nil, errors.New("the provider is not configured")
	}
	return r.data.EC2(ctx)
}

func (r *nodeClassResource) defaultTags() map[string]string {
	if r.data == nil {
		return nil
	}
	return r.data.DefaultTags()
}

// prepare renders, resolves and checks everything it can. At plan time
// (atApply false) values that depend on AWS are left unknown while the
// provider's own configuration is; at apply, values the plan resolved are
// taken as planned, so the apply does what the plan said.
func (r *nodeClassResource) prepare(ctx context.Context, m nodeClassModel, atApply bool, diags *diag.Diagnostics) nodeClassPrepared {
	var p nodeClassPrepared
	api, err := r.ec2API(ctx)
	switch {
	case err != nil && !atApply && (r.data == nil || errors.Is(err, errProviderConfigUnknown)):
		// Looked up once the provider's configuration is known.
		api = nil
	case err != nil:
		diags.AddError("Cannot reach EC2", err.Error())
		return p
	}
	var ami *ec2types.Image
	if api != nil {
		ami = describeNodeClassAMI(ctx, m, api, diags)
	}

	in, complete, d := m.toInput(ctx, m.ClusterEndpoint)
	diags.Append(d...)
	// p.input keeps the configured variant: it is what the node class
	// records and hashes (see nodeClassModel.spec).
	p.input = in
	// Settings newer than the AMI's Bottlerocket release fail its boot, as
	// do settings its variant lacks; without a known release or variant the
	// newest model applies.
	in.BottlerocketRelease, in.ImageVariant = amiRelease(ami), amiVariant(ami)
	if complete {
		doc, problems := bottlerocket.Render(in)
		if atApply {
			// The plan already showed the warnings.
			problems = onlyErrors(problems)
		}
		addProblems(diags, problems, userDataFieldPath(nodeClassAPIServerAttribute))
		p.doc = doc
	}

	p.subnetIDs = r.resolveSubnets(ctx, m, api, atApply, diags)
	p.securityGroups = r.resolveSecurityGroups(ctx, m, api, atApply, diags)
	checkArchitecture(ctx, m, ami, diags)
	p.tags, p.tagsKnown = m.allTags(ctx, r.defaultTags(), diags)
	if room := nodeclass.TagRoom(p.tags); p.tagsKnown && room < 0 {
		diags.AddAttributeError(path.Root("tags"), "Too many tags", "Node class "+m.Name.ValueString()+": "+nodeclass.TooManyTags(len(p.tags), room))
	}
	p.spec, p.specKnown = m.spec(ctx, nodeClassInputs{
		doc: p.doc, input: p.input, subnetIDs: p.subnetIDs, securityGroups: p.securityGroups, tags: p.tags,
	}, diags)
	return p
}

func (r *nodeClassResource) resolveSubnets(ctx context.Context, m nodeClassModel, api nodeclass.NetworkAPI, atApply bool, diags *diag.Diagnostics) []string {
	if atApply {
		if planned, known := ncKnownStrings(ctx, m.ResolvedSubnetIDs, diags); known && !m.ResolvedSubnetIDs.IsNull() {
			return planned
		}
	}
	ids, idsKnown := ncKnownStrings(ctx, m.SubnetIDs, diags)
	selector, _, selectorKnown := ncSelectorTags(ctx, m.SubnetSelector, diags)
	if api == nil || !idsKnown || !selectorKnown || (len(ids) == 0 && len(selector) == 0) {
		return nil
	}
	subnets, err := nodeclass.ResolveSubnets(ctx, api, ids, selector)
	if err != nil {
		at := path.Root("subnet_ids")
		if len(ids) == 0 {
			at = path.Root("subnet_selector")
		}
		diags.AddAttributeError(at, "Cannot resolve subnets", err.Error())
		return nil
	}
	out := make([]string, 0, len(subnets))
	for _, s := range subnets {
		out = append(out, s.ID)
	}
	return out
}

func (r *nodeClassResource) resolveSecurityGroups(ctx context.Context, m nodeClassModel, api nodeclass.NetworkAPI, atApply bool, diags *diag.Diagnostics) []string {
	if atApply {
		if planned, known := ncKnownStrings(ctx, m.ResolvedSecurityGroupIDs, diags); known && !m.ResolvedSecurityGroupIDs.IsNull() {
			return planned
		}
	}
	ids, idsKnown := ncKnownStrings(ctx, m.SecurityGroupIDs, diags)
	selector, _, selectorKnown := ncSelectorTags(ctx, m.SecurityGroupSelector, diags)
	if api == nil || !idsKnown || !selectorKnown || (len(ids) == 0 && len(selector) == 0) {
		return nil
	}
	groups, err := nodeclass.ResolveSecurityGroups(ctx, api, ids, selector)
	if err != nil {
		at := path.Root("security_group_ids")
		if len(ids) == 0 {
			at = path.Root("security_group_selector")
		}
		diags.AddAttributeError(at, "Cannot resolve security groups", err.Error())
		return nil
	}
	return groups
}

// describeNodeClassAMI reads the node class's AMI once for the plan's
// checks (architecture, Bottlerocket release); nil when it is not known yet.
func describeNodeClassAMI(ctx context.Context, m nodeClassModel, api nodeclass.NetworkAPI, diags *diag.Diagnostics) *ec2types.Image {
	if m.AMIID.IsUnknown() || m.AMIID.IsNull() {
		return nil
	}
	ami := m.AMIID.ValueString()
	out, err := api.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{ami}})
	if err == nil && len(out.Images) == 0 {
		err = fmt.Errorf("AMI %s does not exist or is not shared with this account", ami)
	}
	if err != nil {
		diags.AddAttributeError(path.Root("ami_id"), "Cannot read the AMI", fmt.Sprintf("describe AMI %s: %s", ami, err))
		return nil
	}
	return &out.Images[0]
}

// amiRelease is the Bottlerocket release a public Bottlerocket AMI's name
// carries; "" for another AMI (or none), which leaves the newest model.
func amiRelease(ami *ec2types.Image) string {
	if ami == nil || ami.Name == nil {
		return ""
	}
	release, _ := bottlerocket.ReleaseFromImageName(*ami.Name)
	return release
}

// amiVariant is the variant a public Bottlerocket AMI's name carries; ""
// for another AMI (or none), which leaves the variant unknown.
func amiVariant(ami *ec2types.Image) string {
	if ami == nil || ami.Name == nil {
		return ""
	}
	variant, _ := bottlerocket.VariantFromImageName(*ami.Name)
	return variant
}

// checkArchitecture refuses instance types that cannot boot the AMI: EC2
// would only refuse them at launch, in the middle of a warm pool's apply.
func checkArchitecture(ctx context.Context, m nodeClassModel, ami *ec2types.Image, diags *diag.Diagnostics) {
	instanceTypes, known := ncKnownStrings(ctx, m.InstanceTypes, diags)
	if !known || ami == nil {
		return
	}
	for _, mismatch := range nodeclass.CheckArchitectures(m.AMIID.ValueString(), string(ami.Architecture), instanceTypes) {
		diags.AddAttributeError(path.Root("instance_types").AtListIndex(mismatch.Index), "Instance type does not match the AMI",
			mismatch.Error()+". Use an AMI of the instance type's architecture, or instance types of the AMI's.")
	}
}

// ModifyPlan makes the plan say what the apply will do: the rendered user
// data, the resolved subnets and security groups, the config hash and,
// when it changes, the next launch template version, all known at plan time
// so that a warm pool sees the change in the same plan.
func (r *nodeClassResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan nodeClassModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *nodeClassModel
	if !req.State.Raw.IsNull() {
		state = &nodeClassModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	p := r.prepare(ctx, plan, false, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	plan.UserData = types.StringUnknown()
	if p.doc != nil {
		plan.UserData = types.StringValue(p.doc.TOML)
	}
	plan.ResolvedSubnetIDs = types.ListUnknown(types.StringType)
	if p.subnetIDs != nil {
		plan.ResolvedSubnetIDs = ncStringList(p.subnetIDs)
	}
	plan.ResolvedSecurityGroupIDs = types.ListUnknown(types.StringType)
	if p.securityGroups != nil {
		plan.ResolvedSecurityGroupIDs = ncStringList(p.securityGroups)
	}
	plan.TagsAll = types.MapUnknown(types.StringType)
	if p.tagsKnown {
		plan.TagsAll = ncStringMap(p.tags)
	}
	plan.ConfigHash = types.StringUnknown()
	if p.specKnown {
		if err := p.spec.Validate(); err != nil {
			resp.Diagnostics.AddError("Invalid node class", err.Error())
			return
		}
		plan.ConfigHash = types.StringValue(p.spec.ConfigHash())
	}

	if state == nil || !plan.Name.Equal(state.Name) {
		// A new launch template starts at version 1 (a rename replaces the
		// node class; Terraform plans the replacement as a create). Its id
		// is known once it exists: a warm pool whose node_class refers to
		// it (stratos_node_class.x.id) sees an unknown node class and waits
		// for the apply, while a pool naming a node class as a literal that
		// nothing creates is known and fails at plan time.
		plan.ID = types.StringUnknown()
		plan.Version = types.Int64Value(1)
		plan.LaunchTemplateID = types.StringUnknown()
	} else {
		plan.ID = state.ID
		plan.LaunchTemplateID = state.LaunchTemplateID
		switch {
		case !p.specKnown:
			plan.Version = types.Int64Unknown()
		case plan.ConfigHash.Equal(state.ConfigHash):
			plan.Version = state.Version
		default:
			plan.Version = types.Int64Value(state.Version.ValueInt64() + 1)
			resp.Diagnostics.AddWarning(nodeClassVersionWarning(plan.Name.ValueString(), state.Version.ValueInt64(), plan.Version.ValueInt64()))
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// validateVolume reports, on the attribute at fault, a volume EC2 would
// refuse only when a pool launches from the node class (see
// nodeclass.BlockDevice.VolumeProblems). Unknown values wait for the plan.
func validateVolume(b blockDeviceModel, at path.Path, diags *diag.Diagnostics) {
	for _, v := range []attr.Value{b.VolumeType, b.VolumeSize, b.IOPS, b.Throughput} {
		if v.IsUnknown() {
			return
		}
	}
	device := nodeclass.BlockDevice{VolumeType: b.VolumeType.ValueString(), VolumeSize: int32OrNil(b.VolumeSize),
		IOPS: int32OrNil(b.IOPS), Throughput: int32OrNil(b.Throughput)}
	if b.VolumeType.IsNull() {
		device.VolumeType = defaultVolumeType
	}
	for _, p := range device.VolumeProblems() {
		diags.AddAttributeError(at.AtName(p.Field), "Invalid EBS volume", p.Message+" EC2 accepts the launch template but refuses every launch from it.")
	}
}

func int32OrNil(v types.Int64) *int32 {
	if v.IsNull() {
		return nil
	}
	n := int32(min(max(v.ValueInt64(), -1<<31), 1<<31-1))
	return &n
}

// nodeClassVersionWarning says what a new node class version does to the
// warm pools of it. A pool whose node_class_version refers to the node
// class's version sees the new version in this plan; one that leaves it
// unset plans against the version that exists now and replaces its standby
// on its next apply.
func nodeClassVersionWarning(name string, from, to int64) (summary, detail string) {
	return fmt.Sprintf("Node class %s: launch template version %d → %d", name, from, to),
		"The configuration that shapes an instance changed, so the apply adds a launch template version. " +
			fmt.Sprintf("Warm pools that set node_class_version = stratos_node_class.<name>.version replace their standby instances "+
				"built from earlier versions in this apply (their plans say so). Pools that leave node_class_version unset do not "+
				"replace them now: they replace them on their next apply after this one, which plans against version %d.", to)
}
