package nodeclass

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// NetworkAPI is what the subnet, security group and AMI lookups need;
// *ec2.Client satisfies it.
type NetworkAPI interface {
	ec2.DescribeSubnetsAPIClient
	ec2.DescribeSecurityGroupsAPIClient
	ec2.DescribeImagesAPIClient
}

// LaunchTemplateAPI is the part of the EC2 client a node class uses;
// *ec2.Client satisfies it.
type LaunchTemplateAPI interface {
	NetworkAPI
	CreateLaunchTemplate(ctx context.Context, in *ec2.CreateLaunchTemplateInput, optFns ...func(*ec2.Options)) (*ec2.CreateLaunchTemplateOutput, error)
	CreateLaunchTemplateVersion(ctx context.Context, in *ec2.CreateLaunchTemplateVersionInput, optFns ...func(*ec2.Options)) (*ec2.CreateLaunchTemplateVersionOutput, error)
	DescribeLaunchTemplates(ctx context.Context, in *ec2.DescribeLaunchTemplatesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplatesOutput, error)
	DescribeLaunchTemplateVersions(ctx context.Context, in *ec2.DescribeLaunchTemplateVersionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplateVersionsOutput, error)
	ModifyLaunchTemplate(ctx context.Context, in *ec2.ModifyLaunchTemplateInput, optFns ...func(*ec2.Options)) (*ec2.ModifyLaunchTemplateOutput, error)
	DeleteLaunchTemplate(ctx context.Context, in *ec2.DeleteLaunchTemplateInput, optFns ...func(*ec2.Options)) (*ec2.DeleteLaunchTemplateOutput, error)
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, optFns ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(ctx context.Context, in *ec2.DeleteTagsInput, optFns ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
}

// launchTemplateData is the launch template version a node class makes.
// Subnets are not in it: a template holds one, and the pool picks a subnet
// per launch. The first instance type is the template's own so the template
// also launches on its own; the pool overrides it per launch.
func (n Spec) launchTemplateData() *ec2types.RequestLaunchTemplateData {
	data := &ec2types.RequestLaunchTemplateData{
		ImageId:          aws.String(n.AMIID),
		InstanceType:     ec2types.InstanceType(n.InstanceTypes[0]),
		SecurityGroupIds: slices.Clone(n.SecurityGroupIDs),
		UserData:         aws.String(base64.StdEncoding.EncodeToString(n.UserData)),
		MetadataOptions: &ec2types.LaunchTemplateInstanceMetadataOptionsRequest{
			HttpTokens:              ec2types.LaunchTemplateHttpTokensState(n.MetadataOptions.HTTPTokens),
			HttpPutResponseHopLimit: aws.Int32(n.MetadataOptions.HTTPPutResponseHopLimit),
			HttpEndpoint:            ec2types.LaunchTemplateInstanceMetadataEndpointState(n.MetadataOptions.HTTPEndpoint),
			// Always explicit: an account whose instance metadata defaults
			// (ModifyInstanceMetadataDefaults) enable tags in IMDS would
			// otherwise enable them for these launches, and EC2 then refuses
			// every tag key with a "/", as all stratos.sh/ keys have (EC2 User
			// Guide, "Work with instance tags in instance metadata"; the order
			// of precedence of metadata options; karpenter-provider-aws PR
			// #7012 sends disabled for the same reason).
			InstanceMetadataTags: ec2types.LaunchTemplateInstanceMetadataTagsStateDisabled,
		},
		TagSpecifications: []ec2types.LaunchTemplateTagSpecificationRequest{
			{ResourceType: ec2types.ResourceTypeInstance, Tags: ec2Tags(n.instanceTags())},
			{ResourceType: ec2types.ResourceTypeVolume, Tags: ec2Tags(n.volumeTags())},
		},
	}
	switch {
	case strings.HasPrefix(n.IAMInstanceProfile, "arn:"):
		data.IamInstanceProfile = &ec2types.LaunchTemplateIamInstanceProfileSpecificationRequest{Arn: aws.String(n.IAMInstanceProfile)}
	case n.IAMInstanceProfile != "":
		data.IamInstanceProfile = &ec2types.LaunchTemplateIamInstanceProfileSpecificationRequest{Name: aws.String(n.IAMInstanceProfile)}
	}
	for _, b := range n.BlockDeviceMappings {
		ebs := &ec2types.LaunchTemplateEbsBlockDeviceRequest{
			VolumeSize:          b.VolumeSize,
			Iops:                b.IOPS,
			Throughput:          b.Throughput,
			Encrypted:           aws.Bool(b.Encrypted),
			DeleteOnTermination: aws.Bool(b.DeleteOnTermination),
		}
		if b.VolumeType != "" {
			ebs.VolumeType = ec2types.VolumeType(b.VolumeType)
		}
		if b.KMSKeyID != "" {
			ebs.KmsKeyId = aws.String(b.KMSKeyID)
		}
		if b.SnapshotID != "" {
			ebs.SnapshotId = aws.String(b.SnapshotID)
		}
		data.BlockDeviceMappings = append(data.BlockDeviceMappings, ec2types.LaunchTemplateBlockDeviceMappingRequest{
			DeviceName: aws.String(b.DeviceName), Ebs: ebs,
		})
	}
	return data
}

// instanceTags carry the contract tags too, so that each version describes
// itself exactly and every instance says which node class config built it.
func (n Spec) instanceTags() map[string]string {
	tags := maps.Clone(n.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	maps.Copy(tags, n.contractTags())
	return tags
}

func (n Spec) volumeTags() map[string]string {
	tags := maps.Clone(n.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	tags[keys.NodeClass] = n.Name
	tags[keys.Cluster] = n.ClusterName
	return tags
}

// templateTags are the launch template's own tags: the node class's tags and
// the contract tags describing its latest version.
func (n Spec) templateTags() map[string]string {
	return n.instanceTags()
}

// nodeClassFromVersion rebuilds the node class a launch template version
// describes. Reading back what Create wrote gives a Spec with
// the same ConfigHash; anything changed outside Terraform gives another.
func nodeClassFromVersion(v ec2types.LaunchTemplateVersion) (Spec, error) {
	d := v.LaunchTemplateData
	if d == nil {
		return Spec{}, fmt.Errorf("launch template %s version %d has no data", aws.ToString(v.LaunchTemplateName), aws.ToInt64(v.VersionNumber))
	}
	n := Spec{
		AMIID:            aws.ToString(d.ImageId),
		SecurityGroupIDs: slices.Clone(d.SecurityGroupIds),
	}
	var instanceTags map[string]string
	for _, ts := range d.TagSpecifications {
		if ts.ResourceType == ec2types.ResourceTypeInstance {
			instanceTags = TagMap(ts.Tags)
		}
	}
	n.Name = instanceTags[keys.NodeClass]
	n.ClusterName = instanceTags[keys.Cluster]
	n.InstanceTypes = splitList(instanceTags[keys.InstanceTypes])
	n.SubnetIDs = splitList(instanceTags[keys.SubnetIDs])
	n.Variant = instanceTags[keys.Variant]
	n.Compression = instanceTags[keys.Compression]
	n.Tags = userTags(instanceTags)
	if len(n.InstanceTypes) == 0 && d.InstanceType != "" {
		// Made outside the provider: the template's own type is all there is.
		n.InstanceTypes = []string{string(d.InstanceType)}
	}
	if p := d.IamInstanceProfile; p != nil {
		n.IAMInstanceProfile = aws.ToString(p.Arn)
		if n.IAMInstanceProfile == "" {
			n.IAMInstanceProfile = aws.ToString(p.Name)
		}
	}
	if m := d.MetadataOptions; m != nil {
		n.MetadataOptions = MetadataOptions{
			HTTPTokens:              string(m.HttpTokens),
			HTTPPutResponseHopLimit: aws.ToInt32(m.HttpPutResponseHopLimit),
			HTTPEndpoint:            string(m.HttpEndpoint),
			InstanceMetadataTags:    metadataTagsReadBack(m.InstanceMetadataTags),
		}
	}
	for _, b := range d.BlockDeviceMappings {
		bd := BlockDevice{DeviceName: aws.ToString(b.DeviceName)}
		if e := b.Ebs; e != nil {
			bd.VolumeSize, bd.IOPS, bd.Throughput = e.VolumeSize, e.Iops, e.Throughput
			bd.VolumeType = string(e.VolumeType)
			bd.Encrypted = aws.ToBool(e.Encrypted)
			bd.DeleteOnTermination = aws.ToBool(e.DeleteOnTermination)
			bd.KMSKeyID, bd.SnapshotID = aws.ToString(e.KmsKeyId), aws.ToString(e.SnapshotId)
		}
		n.BlockDeviceMappings = append(n.BlockDeviceMappings, bd)
	}
	if ud := aws.ToString(d.UserData); ud != "" {
		raw, err := base64.StdEncoding.DecodeString(ud)
		if err != nil {
			return n, fmt.Errorf("launch template %s version %d: user data is not base64: %w", aws.ToString(v.LaunchTemplateName), aws.ToInt64(v.VersionNumber), err)
		}
		n.UserData = raw
		if n.TOML, err = bottlerocket.Decode(raw); err != nil {
			return n, fmt.Errorf("launch template %s version %d: %w", aws.ToString(v.LaunchTemplateName), aws.ToInt64(v.VersionNumber), err)
		}
	}
	return n, nil
}

// userTags drops the tags the provider manages and those AWS reserves.
func userTags(tags map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range tags {
		if !keys.IsReserved(k) && !strings.HasPrefix(k, "aws:") {
			out[k] = v
		}
	}
	return out
}

// TagMap reads EC2 tags as a map.
func TagMap(tags []ec2types.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// ec2Tags sorts by key so requests, and their fingerprints, are stable.
func ec2Tags(tags map[string]string) []ec2types.Tag {
	out := make([]ec2types.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, ec2types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// metadataTagsReadBack maps a version's InstanceMetadataTags to
// MetadataOptions.InstanceMetadataTags: "" for the "disabled" the provider
// sends, "unset" when the version leaves it to the account default.
func metadataTagsReadBack(v ec2types.LaunchTemplateInstanceMetadataTagsState) string {
	switch v {
	case ec2types.LaunchTemplateInstanceMetadataTagsStateDisabled:
		return ""
	case "":
		return "unset"
	}
	return string(v)
}
