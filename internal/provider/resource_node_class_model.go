package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// nodeClassAPIServerAttribute is what stratos_node_class calls the API
// server; the user-data data source calls it api_server.
const nodeClassAPIServerAttribute = "cluster_endpoint"

type nodeClassModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	ClusterEndpoint types.String `tfsdk:"cluster_endpoint"`
	userDataModel

	AMIID                 types.String `tfsdk:"ami_id"`
	InstanceTypes         types.List   `tfsdk:"instance_types"`
	SubnetIDs             types.List   `tfsdk:"subnet_ids"`
	SubnetSelector        types.Object `tfsdk:"subnet_selector"`
	SecurityGroupIDs      types.List   `tfsdk:"security_group_ids"`
	SecurityGroupSelector types.Object `tfsdk:"security_group_selector"`
	IAMInstanceProfile    types.String `tfsdk:"iam_instance_profile"`
	BlockDeviceMappings   types.List   `tfsdk:"block_device_mappings"`
	MetadataOptions       types.Object `tfsdk:"metadata_options"`
	Tags                  types.Map    `tfsdk:"tags"`
	TagsAll               types.Map    `tfsdk:"tags_all"`

	LaunchTemplateID         types.String `tfsdk:"launch_template_id"`
	Version                  types.Int64  `tfsdk:"version"`
	UserData                 types.String `tfsdk:"user_data"`
	ConfigHash               types.String `tfsdk:"config_hash"`
	ResolvedSubnetIDs        types.List   `tfsdk:"resolved_subnet_ids"`
	ResolvedSecurityGroupIDs types.List   `tfsdk:"resolved_security_group_ids"`
}

type selectorModel struct {
	Tags types.Map `tfsdk:"tags"`
}

type blockDeviceModel struct {
	DeviceName          types.String `tfsdk:"device_name"`
	VolumeSize          types.Int64  `tfsdk:"volume_size"`
	VolumeType          types.String `tfsdk:"volume_type"`
	IOPS                types.Int64  `tfsdk:"iops"`
	Throughput          types.Int64  `tfsdk:"throughput"`
	Encrypted           types.Bool   `tfsdk:"encrypted"`
	KMSKeyID            types.String `tfsdk:"kms_key_id"`
	SnapshotID          types.String `tfsdk:"snapshot_id"`
	DeleteOnTermination types.Bool   `tfsdk:"delete_on_termination"`
}

type metadataOptionsModel struct {
	HTTPTokens              types.String `tfsdk:"http_tokens"`
	HTTPPutResponseHopLimit types.Int64  `tfsdk:"http_put_response_hop_limit"`
	HTTPEndpoint            types.String `tfsdk:"http_endpoint"`
}

var (
	selectorAttrTypes = map[string]attr.Type{"tags": types.MapType{ElemType: types.StringType}}

	blockDeviceAttrTypes = map[string]attr.Type{
		"device_name":           types.StringType,
		"volume_size":           types.Int64Type,
		"volume_type":           types.StringType,
		"iops":                  types.Int64Type,
		"throughput":            types.Int64Type,
		"encrypted":             types.BoolType,
		"kms_key_id":            types.StringType,
		"snapshot_id":           types.StringType,
		"delete_on_termination": types.BoolType,
	}
	blockDeviceObjectType = types.ObjectType{AttrTypes: blockDeviceAttrTypes}

	metadataOptionsAttrTypes = map[string]attr.Type{
		"http_tokens":                 types.StringType,
		"http_put_response_hop_limit": types.Int64Type,
		"http_endpoint":               types.StringType,
	}
)

// blockDevicesValue is the Terraform value of block devices; the schema's
// default is DefaultBlockDeviceMappings through it, so there is one truth.
func blockDevicesValue(devices []nodeclass.BlockDevice) types.List {
	elems := make([]attr.Value, 0, len(devices))
	for _, b := range devices {
		elems = append(elems, types.ObjectValueMust(blockDeviceAttrTypes, map[string]attr.Value{
			"device_name":           types.StringValue(b.DeviceName),
			"volume_size":           ncInt32Value(b.VolumeSize),
			"volume_type":           ncOptionalString(b.VolumeType),
			"iops":                  ncInt32Value(b.IOPS),
			"throughput":            ncInt32Value(b.Throughput),
			"encrypted":             types.BoolValue(b.Encrypted),
			"kms_key_id":            ncOptionalString(b.KMSKeyID),
			"snapshot_id":           ncOptionalString(b.SnapshotID),
			"delete_on_termination": types.BoolValue(b.DeleteOnTermination),
		}))
	}
	return types.ListValueMust(blockDeviceObjectType, elems)
}

func metadataOptionsValue(m nodeclass.MetadataOptions) types.Object {
	return types.ObjectValueMust(metadataOptionsAttrTypes, map[string]attr.Value{
		"http_tokens":                 ncOptionalString(m.HTTPTokens),
		"http_put_response_hop_limit": types.Int64Value(int64(m.HTTPPutResponseHopLimit)),
		"http_endpoint":               ncOptionalString(m.HTTPEndpoint),
	})
}

func ncInt32Value(v *int32) types.Int64 {
	if v == nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(*v))
}

func ncOptionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func ncStringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

func ncStringMap(values map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(values))
	for k, v := range values {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// knownStrings decodes a list of strings; known is false when the list or
// an element is unknown. A null list is known and empty.
func ncKnownStrings(ctx context.Context, l types.List, diags *diag.Diagnostics) ([]string, bool) {
	values, known := knownList[types.String](ctx, l, diags)
	if !known {
		return nil, false
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		out = append(out, v.ValueString())
	}
	return out, true
}

// knownStringMap decodes a map of strings; known is false when the map or
// a value is unknown. A null map is known and nil.
func ncKnownStringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) (map[string]string, bool) {
	if m.IsNull() {
		return nil, true
	}
	if m.IsUnknown() {
		return nil, false
	}
	var values map[string]types.String
	diags.Append(m.ElementsAs(ctx, &values, false)...)
	out := make(map[string]string, len(values))
	for k, v := range values {
		if v.IsUnknown() {
			return nil, false
		}
		out[k] = v.ValueString()
	}
	return out, true
}

// selectorTags reads a selector object: set is false when it is null.
func ncSelectorTags(ctx context.Context, o types.Object, diags *diag.Diagnostics) (tags map[string]string, set, known bool) {
	if o.IsNull() {
		return nil, false, true
	}
	if o.IsUnknown() {
		return nil, true, false
	}
	var sel selectorModel
	diags.Append(o.As(ctx, &sel, basetypes.ObjectAsOptions{})...)
	tags, known = ncKnownStringMap(ctx, sel.Tags, diags)
	return tags, true, known
}

// blockDevices decodes block_device_mappings; known is false while any
// value is unknown.
func (m nodeClassModel) blockDevices(ctx context.Context, diags *diag.Diagnostics) ([]nodeclass.BlockDevice, bool) {
	if m.BlockDeviceMappings.IsNull() {
		return nodeclass.DefaultBlockDeviceMappings(), true
	}
	if m.BlockDeviceMappings.IsUnknown() {
		return nil, false
	}
	var models []blockDeviceModel
	diags.Append(m.BlockDeviceMappings.ElementsAs(ctx, &models, true)...)
	out := make([]nodeclass.BlockDevice, 0, len(models))
	for _, b := range models {
		for _, v := range []attr.Value{b.DeviceName, b.VolumeSize, b.VolumeType, b.IOPS, b.Throughput, b.Encrypted, b.KMSKeyID, b.SnapshotID, b.DeleteOnTermination} {
			if v.IsUnknown() {
				return nil, false
			}
		}
		out = append(out, nodeclass.BlockDevice{
			DeviceName:          b.DeviceName.ValueString(),
			VolumeSize:          ncInt32Ptr(b.VolumeSize),
			VolumeType:          b.VolumeType.ValueString(),
			IOPS:                ncInt32Ptr(b.IOPS),
			Throughput:          ncInt32Ptr(b.Throughput),
			Encrypted:           b.Encrypted.IsNull() || b.Encrypted.ValueBool(),
			KMSKeyID:            b.KMSKeyID.ValueString(),
			SnapshotID:          b.SnapshotID.ValueString(),
			DeleteOnTermination: b.DeleteOnTermination.IsNull() || b.DeleteOnTermination.ValueBool(),
		})
	}
	return out, true
}

func ncInt32Ptr(v types.Int64) *int32 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	n := int32(v.ValueInt64())
	return &n
}

func (m nodeClassModel) metadataOptions(ctx context.Context, diags *diag.Diagnostics) (nodeclass.MetadataOptions, bool) {
	out := nodeclass.DefaultMetadataOptions()
	if m.MetadataOptions.IsNull() {
		return out, true
	}
	if m.MetadataOptions.IsUnknown() {
		return out, false
	}
	var mo metadataOptionsModel
	diags.Append(m.MetadataOptions.As(ctx, &mo, basetypes.ObjectAsOptions{})...)
	if mo.HTTPTokens.IsUnknown() || mo.HTTPPutResponseHopLimit.IsUnknown() || mo.HTTPEndpoint.IsUnknown() {
		return out, false
	}
	if !mo.HTTPTokens.IsNull() {
		out.HTTPTokens = mo.HTTPTokens.ValueString()
	}
	if !mo.HTTPPutResponseHopLimit.IsNull() {
		out.HTTPPutResponseHopLimit = int32(mo.HTTPPutResponseHopLimit.ValueInt64())
	}
	if !mo.HTTPEndpoint.IsNull() {
		out.HTTPEndpoint = mo.HTTPEndpoint.ValueString()
	}
	return out, true
}

// allTags merges the provider's default tags under the resource's own, as
// the AWS provider's default_tags do.
func (m nodeClassModel) allTags(ctx context.Context, defaults map[string]string, diags *diag.Diagnostics) (map[string]string, bool) {
	own, known := ncKnownStringMap(ctx, m.Tags, diags)
	if !known {
		return nil, false
	}
	all := maps.Clone(defaults)
	if all == nil {
		all = map[string]string{}
	}
	maps.Copy(all, own)
	return all, true
}

// nodeClassInputs is everything a NodeClass is built from besides the model.
type nodeClassInputs struct {
	doc            *bottlerocket.Document
	input          bottlerocket.Input
	subnetIDs      []string
	securityGroups []string
	tags           map[string]string
}

// spec builds the warmpool node class; known is false while any value that
// shapes an instance is unknown.
func (m nodeClassModel) spec(ctx context.Context, in nodeClassInputs, diags *diag.Diagnostics) (nodeclass.Spec, bool) {
	instanceTypes, typesKnown := ncKnownStrings(ctx, m.InstanceTypes, diags)
	devices, devicesKnown := m.blockDevices(ctx, diags)
	metadata, metadataKnown := m.metadataOptions(ctx, diags)
	known := typesKnown && devicesKnown && metadataKnown && in.doc != nil && in.subnetIDs != nil && in.securityGroups != nil &&
		!m.Name.IsUnknown() && !m.ClusterName.IsUnknown() && !m.AMIID.IsUnknown() && !m.IAMInstanceProfile.IsUnknown()
	if !known {
		return nodeclass.Spec{}, false
	}
	return nodeclass.Spec{
		Name:                m.Name.ValueString(),
		ClusterName:         m.ClusterName.ValueString(),
		AMIID:               m.AMIID.ValueString(),
		InstanceTypes:       instanceTypes,
		SubnetIDs:           in.subnetIDs,
		SecurityGroupIDs:    in.securityGroups,
		IAMInstanceProfile:  m.IAMInstanceProfile.ValueString(),
		BlockDeviceMappings: devices,
		MetadataOptions:     metadata,
		Tags:                in.tags,
		UserData:            in.doc.Bytes,
		TOML:                in.doc.TOML,
		Variant:             in.input.Variant,
		Compression:         string(in.input.Compression),
	}, true
}

// setFromInfo refreshes the model from what the launch template holds.
// Attributes the template cannot give back (the user-data inputs, the
// selectors) are left as they are; importing fills what it can.
func (m *nodeClassModel) setFromInfo(ctx context.Context, info *nodeclass.Info, defaults map[string]string, importing bool) {
	spec := info.Spec
	m.ID = types.StringValue(info.Name)
	m.Name = types.StringValue(info.Name)
	m.LaunchTemplateID = types.StringValue(info.LaunchTemplateID)
	m.Version = types.Int64Value(info.Version)
	m.ClusterName = types.StringValue(info.ClusterName)
	m.AMIID = types.StringValue(spec.AMIID)
	m.InstanceTypes = ncStringList(spec.InstanceTypes)
	m.IAMInstanceProfile = ncOptionalString(spec.IAMInstanceProfile)
	m.BlockDeviceMappings = blockDevicesValue(spec.BlockDeviceMappings)
	m.MetadataOptions = metadataOptionsValue(spec.MetadataOptions)
	m.UserData = types.StringValue(info.TOML)
	m.ConfigHash = types.StringValue(info.ConfigHash)
	m.ResolvedSubnetIDs = ncStringList(spec.SubnetIDs)
	m.ResolvedSecurityGroupIDs = ncStringList(spec.SecurityGroupIDs)
	if !m.SubnetIDs.IsNull() || (importing && m.SubnetSelector.IsNull()) {
		m.SubnetIDs = ncStringList(spec.SubnetIDs)
	}
	if !m.SecurityGroupIDs.IsNull() || (importing && m.SecurityGroupSelector.IsNull()) {
		m.SecurityGroupIDs = ncStringList(spec.SecurityGroupIDs)
	}
	if !m.Variant.IsNull() || spec.Variant != "" {
		m.Variant = types.StringValue(spec.Variant)
	}
	if spec.Compression != "" {
		m.Compression = types.StringValue(spec.Compression)
	}
	m.TagsAll = ncStringMap(info.Tags)
	m.Tags = ncOwnTags(ctx, m.Tags, info.Tags, defaults, importing)
}

// ownTags are the resource's own tags among the template's: the keys it had
// (with their current values, so drift shows), or on import every tag that
// is not a default tag with the default value.
func ncOwnTags(ctx context.Context, prior types.Map, remote, defaults map[string]string, importing bool) types.Map {
	if importing {
		own := map[string]string{}
		for k, v := range remote {
			if d, ok := defaults[k]; !ok || d != v {
				own[k] = v
			}
		}
		if len(own) == 0 {
			return types.MapNull(types.StringType)
		}
		return ncStringMap(own)
	}
	if prior.IsNull() || prior.IsUnknown() {
		return prior
	}
	var diags diag.Diagnostics
	had, _ := ncKnownStringMap(ctx, prior, &diags)
	own := map[string]string{}
	for k := range had {
		if v, ok := remote[k]; ok {
			own[k] = v
		}
	}
	return ncStringMap(own)
}
