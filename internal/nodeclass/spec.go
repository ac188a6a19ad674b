package nodeclass

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// Spec is the desired state of a node class: how one node is launched.
// Every field but Name and Tags shapes an instance and is part of ConfigHash.
type Spec struct {
	Name        string
	ClusterName string
	AMIID       string
	// InstanceTypes in order of preference: later types are fallbacks when
	// capacity is short. The first is the launch template's own type.
	InstanceTypes []string
	// SubnetIDs are resolved ids, in the order the pool prefers them.
	SubnetIDs        []string
	SecurityGroupIDs []string
	// IAMInstanceProfile is an instance profile name or ARN; empty for none.
	IAMInstanceProfile  string
	BlockDeviceMappings []BlockDevice
	MetadataOptions     MetadataOptions
	// Tags go on the launch template, the instances and their volumes. The
	// caller merges the provider's default tags in.
	Tags map[string]string
	// UserData is exactly what EC2 receives before base64 (TOML or its gzip).
	UserData []byte
	// TOML is the uncompressed document UserData holds.
	TOML        string
	Variant     string
	Compression string
}

// BlockDevice is one EBS volume of a node.
type BlockDevice struct {
	DeviceName string
	// VolumeSize in GiB; nil takes the snapshot's size.
	VolumeSize          *int32
	VolumeType          string
	IOPS                *int32
	Throughput          *int32
	Encrypted           bool
	KMSKeyID            string
	SnapshotID          string
	DeleteOnTermination bool
}

// MetadataOptions are the instance metadata service settings of a node.
type MetadataOptions struct {
	HTTPTokens              string
	HTTPPutResponseHopLimit int32
	HTTPEndpoint            string
	// InstanceMetadataTags is what a launch template version read back
	// holds when it is not the "disabled" every version the provider makes
	// sends (launchTemplateData): "enabled", or "unset" (then the account's
	// default applies). "" stands for "disabled", so ConfigHash keeps the
	// value it had before the option was sent, and a version without it
	// shows as changed outside Terraform, to be replaced by one with it.
	InstanceMetadataTags string `json:",omitempty"`
}

// Bottlerocket boots from a small OS volume and keeps container images and
// state on a separate data volume; these are its AMIs' device names.
const (
	RootDeviceName = "/dev/xvda"
	DataDeviceName = "/dev/xvdb"
)

// DefaultBlockDeviceMappings are Bottlerocket's two volumes, gp3, encrypted
// and deleted with the instance.
func DefaultBlockDeviceMappings() []BlockDevice {
	return []BlockDevice{
		{DeviceName: RootDeviceName, VolumeSize: int32Ptr(4), VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true},
		{DeviceName: DataDeviceName, VolumeSize: int32Ptr(20), VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true},
	}
}

// DefaultMetadataOptions require IMDSv2. A hop limit of 2 lets pods behind
// the node's network namespace (the VPC CNI, aws-node) reach IMDS.
func DefaultMetadataOptions() MetadataOptions {
	return MetadataOptions{HTTPTokens: "required", HTTPPutResponseHopLimit: 2, HTTPEndpoint: "enabled"}
}

func int32Ptr(v int32) *int32 { return &v }

// MaxInstanceTypes bounds the fallback list: every type is tried in every
// subnet before a launch gives up, and the list must fit one tag value.
const MaxInstanceTypes = 10

// EC2's limits on tags.
const (
	maxTagValue = 256
	maxTags     = 50
)

// TagRoom is how many more tags a node class with tags (its own and the
// provider's default_tags) may take before its instances would exceed
// EC2's 50 tags: negative when they already would.
func TagRoom(tags map[string]string) int {
	all := maps.Clone(tags)
	if all == nil {
		all = map[string]string{}
	}
	for _, k := range keys.InstanceTags {
		all[k] = ""
	}
	return maxTags - len(all)
}

// TooManyTags explains a negative TagRoom for a node class with n tags.
func TooManyTags(n, room int) string {
	return fmt.Sprintf("its instances would carry %d tags: %d from tags and the provider's default_tags together, and the %d the provider sets "+
		"over an instance's life (Name, the stratos.sh/ tags of the node class and the pool, and stratos.sh/failure if a warmup fails). "+
		"EC2 allows %d per instance: remove %d (tags and default_tags may hold %d together).",
		maxTags-room, n, len(keys.InstanceTags), maxTags, -room, n+room)
}

var nodeClassNamePattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// ValidateName reports a name that cannot name a node class. Names
// are DNS labels: they appear in the launch template name, in tags and in
// node labels (at most 63 characters).
func ValidateName(name string) error {
	if len(name) > 63 || !nodeClassNamePattern.MatchString(name) {
		return fmt.Errorf("node class name %q must be 1–63 lowercase letters, digits and '-', starting and ending with a letter or digit", name)
	}
	return nil
}

// Validate reports a node class EC2 would refuse, or that the pool could not
// launch from, before any call is made.
func (n Spec) Validate() error {
	if err := ValidateName(n.Name); err != nil {
		return err
	}
	switch {
	case n.ClusterName == "":
		return fmt.Errorf("node class %s: cluster name is empty", n.Name)
	case n.AMIID == "":
		return fmt.Errorf("node class %s: AMI id is empty", n.Name)
	case len(n.InstanceTypes) == 0 || len(n.InstanceTypes) > MaxInstanceTypes:
		return fmt.Errorf("node class %s: %d instance types; give 1 to %d", n.Name, len(n.InstanceTypes), MaxInstanceTypes)
	case len(n.SubnetIDs) == 0:
		return fmt.Errorf("node class %s: no subnets", n.Name)
	case len(n.SecurityGroupIDs) == 0:
		return fmt.Errorf("node class %s: no security groups", n.Name)
	case len(n.UserData) == 0:
		return fmt.Errorf("node class %s: no user data", n.Name)
	}
	for key, value := range n.contractTags() {
		if utf8.RuneCountInString(value) > maxTagValue {
			return fmt.Errorf("node class %s: tag %s would be %d characters, EC2 allows %d; use fewer subnets or instance types",
				n.Name, key, utf8.RuneCountInString(value), maxTagValue)
		}
	}
	if room := TagRoom(n.Tags); room < 0 {
		return fmt.Errorf("node class %s: %s", n.Name, TooManyTags(len(n.Tags), room))
	}
	for _, b := range n.BlockDeviceMappings {
		if problems := b.VolumeProblems(); len(problems) > 0 {
			return fmt.Errorf("node class %s: block device %s: %s", n.Name, b.DeviceName, problems[0].Message)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(n.Tags)) {
		if keys.IsReserved(key) {
			return fmt.Errorf("node class %s: tag %s: the stratos.sh/ prefix is reserved for the provider", n.Name, key)
		}
	}
	return nil
}

// contractTags describe the node class on its launch template and in each
// version (see the Key* constants), so the pool can read a version whole.
func (n Spec) contractTags() map[string]string {
	return map[string]string{
		keys.NodeClass:     n.Name,
		keys.Cluster:       n.ClusterName,
		keys.InstanceTypes: strings.Join(n.InstanceTypes, ","),
		keys.SubnetIDs:     strings.Join(n.SubnetIDs, ","),
		keys.Variant:       n.Variant,
		keys.Compression:   n.Compression,
		keys.NodeClassHash: n.ConfigHash(),
	}
}

// ConfigHash identifies everything that shapes an instance of this node
// class: any change to it needs a new launch template version. Name and Tags
// are not part of it (tags change in place). It is stable across processes:
// the fields are hashed in a fixed order with explicit empty values.
func (n Spec) ConfigHash() string {
	type blockDevice struct {
		DeviceName          string `json:"device_name"`
		VolumeSize          *int32 `json:"volume_size"`
		VolumeType          string `json:"volume_type"`
		IOPS                *int32 `json:"iops"`
		Throughput          *int32 `json:"throughput"`
		Encrypted           bool   `json:"encrypted"`
		KMSKeyID            string `json:"kms_key_id"`
		SnapshotID          string `json:"snapshot_id"`
		DeleteOnTermination bool   `json:"delete_on_termination"`
	}
	// The schema version lets a later release change what is hashed on
	// purpose, rather than by accident of field order.
	shape := struct {
		Schema           int             `json:"schema"`
		ClusterName      string          `json:"cluster_name"`
		AMIID            string          `json:"ami_id"`
		InstanceTypes    []string        `json:"instance_types"`
		SubnetIDs        []string        `json:"subnet_ids"`
		SecurityGroupIDs []string        `json:"security_group_ids"`
		IAMProfile       string          `json:"iam_instance_profile"`
		BlockDevices     []blockDevice   `json:"block_device_mappings"`
		Metadata         MetadataOptions `json:"metadata_options"`
		UserDataSHA256   string          `json:"user_data_sha256"`
		Variant          string          `json:"variant"`
		Compression      string          `json:"compression"`
	}{
		Schema:           1,
		ClusterName:      n.ClusterName,
		AMIID:            n.AMIID,
		InstanceTypes:    nonNil(n.InstanceTypes),
		SubnetIDs:        nonNil(n.SubnetIDs),
		SecurityGroupIDs: nonNil(n.SecurityGroupIDs),
		IAMProfile:       n.IAMInstanceProfile,
		BlockDevices:     []blockDevice{},
		Metadata:         n.MetadataOptions,
		Variant:          n.Variant,
		Compression:      n.Compression,
	}
	for _, b := range n.BlockDeviceMappings {
		shape.BlockDevices = append(shape.BlockDevices, blockDevice(b))
	}
	sum := sha256.Sum256(n.UserData)
	shape.UserDataSHA256 = hex.EncodeToString(sum[:])
	data, err := json.Marshal(shape)
	if err != nil {
		// Marshalling strings, ints and bools cannot fail.
		panic(fmt.Sprintf("hash node class %s: %v", n.Name, err))
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
