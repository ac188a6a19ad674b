package cloud

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// launchData is what a launch template version holds and what RunInstances
// parameters override. Empty strings and nil slices/pointers mean "not set",
// so a request can be laid over a template field by field.
type launchData struct {
	ImageID          string
	InstanceType     string
	UserData         string
	KeyName          string
	SubnetID         string // RunInstances only
	AvailabilityZone string // Placement.AvailabilityZone
	SecurityGroupIDs []string
	BlockDevices     []blockDeviceSpec
	Metadata         *metadataSpec
	IamProfile       *iamProfileSpec
	EbsOptimized     *bool
	TagSpecs         []tagSpec
}

type blockDeviceSpec struct {
	DeviceName  string
	VirtualName string
	NoDevice    *string
	Ebs         *ebsSpec
}

type ebsSpec struct {
	DeleteOnTermination *bool
	Encrypted           *bool
	Iops                *int
	KmsKeyID            string
	SnapshotID          string
	Throughput          *int
	VolumeSize          *int
	VolumeType          string
}

type metadataSpec struct {
	HTTPTokens           string
	HTTPEndpoint         string
	HTTPPutHopLimit      *int
	InstanceMetadataTags string
}

type iamProfileSpec struct {
	Arn  string
	Name string
}

type tagSpec struct {
	ResourceType string
	Tags         []tag
}

// parseLaunchData reads launch parameters under prefix ("" for
// RunInstances, "LaunchTemplateData." for launch templates).
func parseLaunchData(q query, prefix string) (launchData, error) {
	d := launchData{
		ImageID:          q.str(prefix + "ImageId"),
		InstanceType:     q.str(prefix + "InstanceType"),
		UserData:         q.str(prefix + "UserData"),
		KeyName:          q.str(prefix + "KeyName"),
		SubnetID:         q.str(prefix + "SubnetId"),
		AvailabilityZone: q.str(prefix + "Placement.AvailabilityZone"),
		SecurityGroupIDs: q.list(prefix + "SecurityGroupId"),
	}
	var err error
	if d.EbsOptimized, err = q.boolParam(prefix + "EbsOptimized"); err != nil {
		return d, err
	}
	for i := 1; i <= q.count(prefix+"BlockDeviceMapping", "DeviceName", "Ebs", "NoDevice", "VirtualName"); i++ {
		p := prefix + "BlockDeviceMapping." + strconv.Itoa(i) + "."
		bd := blockDeviceSpec{DeviceName: q.str(p + "DeviceName"), VirtualName: q.str(p + "VirtualName")}
		if q.has(p + "NoDevice") {
			v := q.str(p + "NoDevice")
			bd.NoDevice = &v
		}
		if q.hasPrefix(p + "Ebs.") {
			e := &ebsSpec{KmsKeyID: q.str(p + "Ebs.KmsKeyId"), SnapshotID: q.str(p + "Ebs.SnapshotId"), VolumeType: q.str(p + "Ebs.VolumeType")}
			if e.DeleteOnTermination, err = q.boolParam(p + "Ebs.DeleteOnTermination"); err != nil {
				return d, err
			}
			if e.Encrypted, err = q.boolParam(p + "Ebs.Encrypted"); err != nil {
				return d, err
			}
			if e.Iops, err = q.intParam(p + "Ebs.Iops"); err != nil {
				return d, err
			}
			if e.Throughput, err = q.intParam(p + "Ebs.Throughput"); err != nil {
				return d, err
			}
			if e.VolumeSize, err = q.intParam(p + "Ebs.VolumeSize"); err != nil {
				return d, err
			}
			bd.Ebs = e
		}
		if bd.DeviceName == "" {
			return d, clientError("MissingParameter", "The request must contain the parameter BlockDeviceMapping.%d.DeviceName", i)
		}
		d.BlockDevices = append(d.BlockDevices, bd)
	}
	if q.hasPrefix(prefix + "MetadataOptions.") {
		m := &metadataSpec{
			HTTPTokens:           q.str(prefix + "MetadataOptions.HttpTokens"),
			HTTPEndpoint:         q.str(prefix + "MetadataOptions.HttpEndpoint"),
			InstanceMetadataTags: q.str(prefix + "MetadataOptions.InstanceMetadataTags"),
		}
		if m.HTTPPutHopLimit, err = q.intParam(prefix + "MetadataOptions.HttpPutResponseHopLimit"); err != nil {
			return d, err
		}
		if err := validateMetadata(m); err != nil {
			return d, err
		}
		d.Metadata = m
	}
	if q.hasPrefix(prefix + "IamInstanceProfile.") {
		d.IamProfile = &iamProfileSpec{Arn: q.str(prefix + "IamInstanceProfile.Arn"), Name: q.str(prefix + "IamInstanceProfile.Name")}
	}
	for i := 1; i <= q.count(prefix+"TagSpecification", "ResourceType", "Tag"); i++ {
		p := prefix + "TagSpecification." + strconv.Itoa(i)
		ts := tagSpec{ResourceType: q.str(p + ".ResourceType"), Tags: q.tags(p + ".Tag")}
		d.TagSpecs = append(d.TagSpecs, ts)
	}
	return d, nil
}

func validateMetadata(m *metadataSpec) error {
	if m.HTTPTokens != "" && m.HTTPTokens != "optional" && m.HTTPTokens != "required" {
		return clientError("InvalidParameterValue", "The value '%s' is not valid for the 'HttpTokens' parameter. Specify 'optional' or 'required'.", m.HTTPTokens)
	}
	if m.HTTPEndpoint != "" && m.HTTPEndpoint != "enabled" && m.HTTPEndpoint != "disabled" {
		return clientError("InvalidParameterValue", "The value '%s' is not valid for the 'HttpEndpoint' parameter. Specify 'enabled' or 'disabled'.", m.HTTPEndpoint)
	}
	if m.HTTPPutHopLimit != nil && (*m.HTTPPutHopLimit < 1 || *m.HTTPPutHopLimit > 64) {
		return clientError("InvalidParameterValue", "The HttpPutResponseHopLimit must be between 1 and 64.")
	}
	return nil
}

// validateTagSpecs checks resource types and reserved keys as EC2 does.
func validateTagSpecs(specs []tagSpec, allowed ...string) error {
	for _, ts := range specs {
		if !slices.Contains(allowed, ts.ResourceType) {
			return clientError("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", ts.ResourceType)
		}
		if err := validateTags(ts.Tags); err != nil {
			return err
		}
	}
	return nil
}

func validateTags(tags []tag) error {
	if len(tags) > 50 {
		return clientError("TagLimitExceeded", "The maximum number of tags per resource is 50.")
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return clientError("InvalidParameterValue", "Tag key must be between 1 and 128 characters.")
		}
		if len(t.Value) > 256 {
			return clientError("InvalidParameterValue", "Tag value exceeds the maximum length of 256 characters.")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return clientError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
		}
	}
	return nil
}

// overlay returns base with every field set in over replacing it, the way
// RunInstances parameters override a launch template. Tag specifications
// merge per resource type, the request winning for the same key.
func overlay(base, over launchData) launchData {
	out := base
	setStr := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	setStr(&out.ImageID, over.ImageID)
	setStr(&out.InstanceType, over.InstanceType)
	setStr(&out.UserData, over.UserData)
	setStr(&out.KeyName, over.KeyName)
	setStr(&out.SubnetID, over.SubnetID)
	setStr(&out.AvailabilityZone, over.AvailabilityZone)
	if over.SecurityGroupIDs != nil {
		out.SecurityGroupIDs = over.SecurityGroupIDs
	}
	if over.BlockDevices != nil {
		out.BlockDevices = over.BlockDevices
	}
	if over.Metadata != nil {
		out.Metadata = over.Metadata
	}
	if over.IamProfile != nil {
		out.IamProfile = over.IamProfile
	}
	if over.EbsOptimized != nil {
		out.EbsOptimized = over.EbsOptimized
	}
	out.TagSpecs = mergeTagSpecs(base.TagSpecs, over.TagSpecs)
	return out
}

func mergeTagSpecs(base, over []tagSpec) []tagSpec {
	if len(over) == 0 {
		return base
	}
	byType := map[string]map[string]string{}
	var types []string
	add := func(specs []tagSpec) {
		for _, ts := range specs {
			m, ok := byType[ts.ResourceType]
			if !ok {
				m = map[string]string{}
				byType[ts.ResourceType] = m
				types = append(types, ts.ResourceType)
			}
			for _, t := range ts.Tags {
				m[t.Key] = t.Value
			}
		}
	}
	add(base)
	add(over)
	out := make([]tagSpec, 0, len(types))
	for _, rt := range types {
		keys := slices.Sorted(maps.Keys(byType[rt]))
		ts := tagSpec{ResourceType: rt}
		for _, k := range keys {
			ts.Tags = append(ts.Tags, tag{Key: k, Value: byType[rt][k]})
		}
		out = append(out, ts)
	}
	return out
}

func tagsFor(specs []tagSpec, resourceType string) map[string]string {
	m := map[string]string{}
	for _, ts := range specs {
		if ts.ResourceType == resourceType {
			for _, t := range ts.Tags {
				m[t.Key] = t.Value
			}
		}
	}
	return m
}
