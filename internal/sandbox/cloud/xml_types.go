package cloud

import (
	"encoding/xml"
	"time"
)

// XML shapes of EC2 responses. Element names follow the ec2query
// deserializers of aws-sdk-go-v2 (service/ec2/deserializers.go).

// itemList is an EC2 list ("<tagSet><item>…</item></tagSet>") that is left
// out entirely when empty, as EC2 leaves out unset lists. encoding/xml's
// "a>item" paths would write an empty parent element instead, which the SDK
// decodes as an empty, non-nil slice.
type itemList[T any] []T

func (l itemList[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if len(l) == 0 {
		return nil
	}
	return e.EncodeElement(struct {
		Items []T `xml:"item"`
	}{l}, start)
}

const ec2Time = "2006-01-02T15:04:05.000Z"

func ec2Timestamp(t time.Time) string { return t.UTC().Format(ec2Time) }

type xmlInstanceState struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

func stateOf(name string) xmlInstanceState {
	return xmlInstanceState{Code: stateCodes[name], Name: name}
}

type xmlGroup struct {
	GroupID   string `xml:"groupId"`
	GroupName string `xml:"groupName,omitempty"`
}

type xmlPlacement struct {
	AvailabilityZone   string `xml:"availabilityZone"`
	AvailabilityZoneID string `xml:"availabilityZoneId,omitempty"`
	GroupName          string `xml:"groupName"`
	Tenancy            string `xml:"tenancy"`
}

type xmlInstanceEbs struct {
	VolumeID            string `xml:"volumeId"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

type xmlInstanceBlockDevice struct {
	DeviceName string         `xml:"deviceName"`
	Ebs        xmlInstanceEbs `xml:"ebs"`
}

type xmlIamInstanceProfile struct {
	Arn string `xml:"arn"`
	ID  string `xml:"id"`
}

type xmlMetadataOptions struct {
	State                   string `xml:"state"`
	HTTPTokens              string `xml:"httpTokens"`
	HTTPPutResponseHopLimit int    `xml:"httpPutResponseHopLimit"`
	HTTPEndpoint            string `xml:"httpEndpoint"`
	InstanceMetadataTags    string `xml:"instanceMetadataTags"`
}

type xmlStateReason struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type xmlMonitoring struct {
	State string `xml:"state"`
}

type xmlInstance struct {
	InstanceID            string                           `xml:"instanceId"`
	ImageID               string                           `xml:"imageId"`
	InstanceState         xmlInstanceState                 `xml:"instanceState"`
	PrivateDNSName        string                           `xml:"privateDnsName"`
	DNSName               string                           `xml:"dnsName"`
	Reason                string                           `xml:"reason"`
	KeyName               string                           `xml:"keyName,omitempty"`
	AmiLaunchIndex        int                              `xml:"amiLaunchIndex"`
	InstanceType          string                           `xml:"instanceType"`
	LaunchTime            string                           `xml:"launchTime"`
	Placement             xmlPlacement                     `xml:"placement"`
	Monitoring            xmlMonitoring                    `xml:"monitoring"`
	SubnetID              string                           `xml:"subnetId,omitempty"`
	VpcID                 string                           `xml:"vpcId,omitempty"`
	PrivateIPAddress      string                           `xml:"privateIpAddress,omitempty"`
	SourceDestCheck       bool                             `xml:"sourceDestCheck"`
	GroupSet              itemList[xmlGroup]               `xml:"groupSet,omitempty"`
	StateReason           *xmlStateReason                  `xml:"stateReason,omitempty"`
	Architecture          string                           `xml:"architecture"`
	RootDeviceType        string                           `xml:"rootDeviceType"`
	RootDeviceName        string                           `xml:"rootDeviceName"`
	BlockDeviceMapping    itemList[xmlInstanceBlockDevice] `xml:"blockDeviceMapping,omitempty"`
	VirtualizationType    string                           `xml:"virtualizationType"`
	ClientToken           string                           `xml:"clientToken"`
	TagSet                itemList[xmlTag]                 `xml:"tagSet,omitempty"`
	Hypervisor            string                           `xml:"hypervisor"`
	IamInstanceProfile    *xmlIamInstanceProfile           `xml:"iamInstanceProfile,omitempty"`
	EbsOptimized          bool                             `xml:"ebsOptimized"`
	EnaSupport            bool                             `xml:"enaSupport"`
	MetadataOptions       xmlMetadataOptions               `xml:"metadataOptions"`
	PlatformDetails       string                           `xml:"platformDetails"`
	UsageOperation        string                           `xml:"usageOperation"`
	BootMode              string                           `xml:"bootMode,omitempty"`
	CurrentInstanceBootMo string                           `xml:"currentInstanceBootMode"`
}

type xmlReservation struct {
	ReservationID string        `xml:"reservationId"`
	OwnerID       string        `xml:"ownerId"`
	GroupSet      []xmlGroup    `xml:"groupSet>item"`
	Instances     []xmlInstance `xml:"instancesSet>item"`
}

type xmlStateChange struct {
	InstanceID    string           `xml:"instanceId"`
	CurrentState  xmlInstanceState `xml:"currentState"`
	PreviousState xmlInstanceState `xml:"previousState"`
}

type xmlLaunchTemplate struct {
	LaunchTemplateID     string           `xml:"launchTemplateId"`
	LaunchTemplateName   string           `xml:"launchTemplateName"`
	CreateTime           string           `xml:"createTime"`
	CreatedBy            string           `xml:"createdBy"`
	DefaultVersionNumber int64            `xml:"defaultVersionNumber"`
	LatestVersionNumber  int64            `xml:"latestVersionNumber"`
	TagSet               itemList[xmlTag] `xml:"tagSet,omitempty"`
}

type xmlLTEbs struct {
	DeleteOnTermination *bool  `xml:"deleteOnTermination,omitempty"`
	Encrypted           *bool  `xml:"encrypted,omitempty"`
	Iops                *int   `xml:"iops,omitempty"`
	KmsKeyID            string `xml:"kmsKeyId,omitempty"`
	SnapshotID          string `xml:"snapshotId,omitempty"`
	Throughput          *int   `xml:"throughput,omitempty"`
	VolumeSize          *int   `xml:"volumeSize,omitempty"`
	VolumeType          string `xml:"volumeType,omitempty"`
}

type xmlLTBlockDevice struct {
	DeviceName  string    `xml:"deviceName,omitempty"`
	VirtualName string    `xml:"virtualName,omitempty"`
	NoDevice    *string   `xml:"noDevice,omitempty"`
	Ebs         *xmlLTEbs `xml:"ebs,omitempty"`
}

type xmlLTMetadata struct {
	State                   string `xml:"state,omitempty"`
	HTTPTokens              string `xml:"httpTokens,omitempty"`
	HTTPPutResponseHopLimit *int   `xml:"httpPutResponseHopLimit,omitempty"`
	HTTPEndpoint            string `xml:"httpEndpoint,omitempty"`
	InstanceMetadataTags    string `xml:"instanceMetadataTags,omitempty"`
}

type xmlLTIamProfile struct {
	Arn  string `xml:"arn,omitempty"`
	Name string `xml:"name,omitempty"`
}

type xmlLTTagSpec struct {
	ResourceType string           `xml:"resourceType"`
	TagSet       itemList[xmlTag] `xml:"tagSet,omitempty"`
}

type xmlLTPlacement struct {
	AvailabilityZone string `xml:"availabilityZone,omitempty"`
}

type xmlLaunchTemplateData struct {
	BlockDeviceMappings itemList[xmlLTBlockDevice] `xml:"blockDeviceMappingSet,omitempty"`
	EbsOptimized        *bool                      `xml:"ebsOptimized,omitempty"`
	IamInstanceProfile  *xmlLTIamProfile           `xml:"iamInstanceProfile,omitempty"`
	ImageID             string                     `xml:"imageId,omitempty"`
	InstanceType        string                     `xml:"instanceType,omitempty"`
	KeyName             string                     `xml:"keyName,omitempty"`
	MetadataOptions     *xmlLTMetadata             `xml:"metadataOptions,omitempty"`
	Placement           *xmlLTPlacement            `xml:"placement,omitempty"`
	SecurityGroupIDs    itemList[string]           `xml:"securityGroupIdSet,omitempty"`
	TagSpecifications   itemList[xmlLTTagSpec]     `xml:"tagSpecificationSet,omitempty"`
	UserData            string                     `xml:"userData,omitempty"`
}

type xmlLaunchTemplateVersion struct {
	LaunchTemplateID   string                `xml:"launchTemplateId"`
	LaunchTemplateName string                `xml:"launchTemplateName"`
	VersionNumber      int64                 `xml:"versionNumber"`
	VersionDescription string                `xml:"versionDescription,omitempty"`
	CreateTime         string                `xml:"createTime"`
	CreatedBy          string                `xml:"createdBy"`
	DefaultVersion     bool                  `xml:"defaultVersion"`
	LaunchTemplateData xmlLaunchTemplateData `xml:"launchTemplateData"`
}

func ltDataXML(d launchData) xmlLaunchTemplateData {
	out := xmlLaunchTemplateData{
		EbsOptimized: d.EbsOptimized, ImageID: d.ImageID, InstanceType: d.InstanceType,
		KeyName: d.KeyName, SecurityGroupIDs: d.SecurityGroupIDs, UserData: d.UserData,
	}
	for _, bd := range d.BlockDevices {
		x := xmlLTBlockDevice{DeviceName: bd.DeviceName, VirtualName: bd.VirtualName, NoDevice: bd.NoDevice}
		if e := bd.Ebs; e != nil {
			x.Ebs = &xmlLTEbs{DeleteOnTermination: e.DeleteOnTermination, Encrypted: e.Encrypted, Iops: e.Iops,
				KmsKeyID: e.KmsKeyID, SnapshotID: e.SnapshotID, Throughput: e.Throughput, VolumeSize: e.VolumeSize, VolumeType: e.VolumeType}
		}
		out.BlockDeviceMappings = append(out.BlockDeviceMappings, x)
	}
	if m := d.Metadata; m != nil {
		out.MetadataOptions = &xmlLTMetadata{State: "pending", HTTPTokens: m.HTTPTokens, HTTPPutResponseHopLimit: m.HTTPPutHopLimit,
			HTTPEndpoint: m.HTTPEndpoint, InstanceMetadataTags: m.InstanceMetadataTags}
	}
	if p := d.IamProfile; p != nil {
		out.IamInstanceProfile = &xmlLTIamProfile{Arn: p.Arn, Name: p.Name}
	}
	if d.AvailabilityZone != "" {
		out.Placement = &xmlLTPlacement{AvailabilityZone: d.AvailabilityZone}
	}
	for _, ts := range d.TagSpecs {
		x := xmlLTTagSpec{ResourceType: ts.ResourceType}
		for _, t := range ts.Tags {
			x.TagSet = append(x.TagSet, xmlTag{Key: t.Key, Value: t.Value})
		}
		out.TagSpecifications = append(out.TagSpecifications, x)
	}
	return out
}
