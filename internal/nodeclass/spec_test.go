package nodeclass_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

func specForHash() nodeclass.Spec {
	return nodeclass.Spec{
		Name:                "general",
		ClusterName:         "prod",
		AMIID:               "ami-0123456789abcdef0",
		InstanceTypes:       []string{"m6i.large", "m5.large"},
		SubnetIDs:           []string{"subnet-a", "subnet-b"},
		SecurityGroupIDs:    []string{"sg-a"},
		IAMInstanceProfile:  "nodes",
		BlockDeviceMappings: nodeclass.DefaultBlockDeviceMappings(),
		MetadataOptions:     nodeclass.DefaultMetadataOptions(),
		Tags:                map[string]string{"team": "platform"},
		UserData:            []byte("[settings.kubernetes]\ncluster-name = \"prod\"\n"),
		TOML:                "[settings.kubernetes]\ncluster-name = \"prod\"\n",
		Variant:             "aws-k8s-1.32",
		Compression:         "auto",
	}
}

func TestConfigHash_changesWithEverythingThatShapesAnInstance(t *testing.T) {
	base := specForHash()
	size := int32(40)
	iops := int32(4000)
	for name, change := range map[string]func(*nodeclass.Spec){
		"cluster name":        func(n *nodeclass.Spec) { n.ClusterName = "staging" },
		"ami":                 func(n *nodeclass.Spec) { n.AMIID = "ami-0fedcba9876543210" },
		"instance type order": func(n *nodeclass.Spec) { n.InstanceTypes = []string{"m5.large", "m6i.large"} },
		"instance types":      func(n *nodeclass.Spec) { n.InstanceTypes = []string{"m6i.large"} },
		"subnets":             func(n *nodeclass.Spec) { n.SubnetIDs = []string{"subnet-a"} },
		"security groups":     func(n *nodeclass.Spec) { n.SecurityGroupIDs = []string{"sg-b"} },
		"instance profile":    func(n *nodeclass.Spec) { n.IAMInstanceProfile = "other" },
		"volume size":         func(n *nodeclass.Spec) { n.BlockDeviceMappings[1].VolumeSize = &size },
		"volume iops":         func(n *nodeclass.Spec) { n.BlockDeviceMappings[1].IOPS = &iops },
		"volume encryption":   func(n *nodeclass.Spec) { n.BlockDeviceMappings[0].Encrypted = false },
		"volume snapshot":     func(n *nodeclass.Spec) { n.BlockDeviceMappings[1].SnapshotID = "snap-1" },
		"volume kms key":      func(n *nodeclass.Spec) { n.BlockDeviceMappings[1].KMSKeyID = "alias/x" },
		"volume type":         func(n *nodeclass.Spec) { n.BlockDeviceMappings[1].VolumeType = "io2" },
		"volume kept":         func(n *nodeclass.Spec) { n.BlockDeviceMappings[1].DeleteOnTermination = false },
		"no data volume":      func(n *nodeclass.Spec) { n.BlockDeviceMappings = n.BlockDeviceMappings[:1] },
		"imds tokens":         func(n *nodeclass.Spec) { n.MetadataOptions.HTTPTokens = "optional" },
		"imds hop limit":      func(n *nodeclass.Spec) { n.MetadataOptions.HTTPPutResponseHopLimit = 1 },
		"imds endpoint":       func(n *nodeclass.Spec) { n.MetadataOptions.HTTPEndpoint = "disabled" },
		"user data":           func(n *nodeclass.Spec) { n.UserData = append([]byte("#"), n.UserData...) },
		"variant":             func(n *nodeclass.Spec) { n.Variant = "aws-k8s-1.33" },
		"compression":         func(n *nodeclass.Spec) { n.Compression = "never" },
	} {
		t.Run(name, func(t *testing.T) {
			changed := specForHash()
			change(&changed)
			if changed.ConfigHash() == base.ConfigHash() {
				t.Errorf("changing the %s kept the config hash", name)
			}
		})
	}
}

func TestConfigHash_ignoresNameAndTagsAndIsStable(t *testing.T) {
	base := specForHash()
	other := specForHash()
	other.Name = "renamed"
	other.Tags = map[string]string{"team": "data", "env": "prod"}
	if other.ConfigHash() != base.ConfigHash() {
		t.Error("name or tags changed the config hash: a tags-only change would replace a pool's instances")
	}
	if base.ConfigHash() != specForHash().ConfigHash() {
		t.Error("the same node class hashed twice gave two hashes")
	}
	// A golden value: a hash that changes between releases replaces every
	// standby instance on upgrade, so it must only change on purpose.
	const golden = "b4e48ef320f603d4"
	if got := base.ConfigHash(); len(got) != 64 || !strings.HasPrefix(got, golden) {
		t.Errorf("config hash %s, want the golden %s…", got, golden)
	}
	empty := nodeclass.Spec{}
	nilLists := empty.ConfigHash()
	empty.InstanceTypes, empty.SubnetIDs, empty.SecurityGroupIDs = []string{}, []string{}, []string{}
	if empty.ConfigHash() != nilLists {
		t.Error("nil and empty lists hash differently")
	}
}

func TestNodeClassValidate(t *testing.T) {
	long := make([]string, 11)
	for i := range long {
		long[i] = "subnet-0123456789abcdef0"
	}
	for name, tc := range map[string]struct {
		change func(*nodeclass.Spec)
		want   string
	}{
		"uppercase name":      {func(n *nodeclass.Spec) { n.Name = "General" }, "lowercase"},
		"long name":           {func(n *nodeclass.Spec) { n.Name = strings.Repeat("a", 64) }, "1–63"},
		"no instance types":   {func(n *nodeclass.Spec) { n.InstanceTypes = nil }, "instance types"},
		"11 instance types":   {func(n *nodeclass.Spec) { n.InstanceTypes = make([]string, 11) }, "1 to 10"},
		"no subnets":          {func(n *nodeclass.Spec) { n.SubnetIDs = nil }, "no subnets"},
		"no security groups":  {func(n *nodeclass.Spec) { n.SecurityGroupIDs = nil }, "no security groups"},
		"reserved tag":        {func(n *nodeclass.Spec) { n.Tags = map[string]string{"stratos.sh/x": "y"} }, "reserved"},
		"subnet tag too long": {func(n *nodeclass.Spec) { n.SubnetIDs = long }, "stratos.sh/subnet-ids"},
	} {
		t.Run(name, func(t *testing.T) {
			n := specForHash()
			tc.change(&n)
			err := n.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	if err := specForHash().Validate(); err != nil {
		t.Errorf("valid node class: %v", err)
	}
}

func TestNodeClassValidate_tagCount(t *testing.T) {
	n := specForHash()
	n.Tags = map[string]string{}
	// An instance merges the template's and the launch's tags, and the
	// provider sets 16 over its life: 35 of the user's make 51.
	for i := range 35 {
		n.Tags[fmt.Sprintf("tag-%02d", i)] = "x"
	}
	if err := n.Validate(); err == nil || !strings.Contains(err.Error(), "EC2 allows 50") {
		t.Errorf("51 tags: %v, want an error on the tag count", err)
	}
	delete(n.Tags, "tag-00")
	if err := n.Validate(); err != nil {
		t.Errorf("50 tags: %v", err)
	}
}
