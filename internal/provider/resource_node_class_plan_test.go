package provider

import (
	"strings"
	"testing"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// A node class change replaces standby now only in pools that refer to its
// version; the others replace it on their next apply, and the warning says
// which is which.
func TestNodeClassVersionWarning(t *testing.T) {
	summary, detail := nodeClassVersionWarning("ci", 3, 4)
	if summary != "Node class ci: launch template version 3 → 4" {
		t.Errorf("summary = %q", summary)
	}
	for _, want := range []string{
		"node_class_version = stratos_node_class.<name>.version replace their standby instances built from earlier versions in this apply",
		"Pools that leave node_class_version unset do not replace them now: they replace them on their next apply",
		"version 4",
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("warning does not say %q:\n%s", want, detail)
		}
	}
}

// The node class takes the Bottlerocket release and variant from a public
// Bottlerocket AMI's name; any other AMI (a copy, a custom build) leaves
// both unknown, and the newest model applies.
func TestAMINameReleaseAndVariant(t *testing.T) {
	name := func(s string) *ec2types.Image { return &ec2types.Image{Name: &s} }
	for _, tc := range []struct {
		ami              *ec2types.Image
		release, variant string
	}{
		{nil, "", ""},
		{&ec2types.Image{}, "", ""},
		{name("bottlerocket-aws-k8s-1.32-x86_64-v1.49.2-a1b2c3d4"), "1.49.2", "aws-k8s-1.32"},
		{name("bottlerocket-aws-k8s-1.33-nvidia-arm64-v1.54.0-0a2d6d6b"), "1.54.0", "aws-k8s-1.33-nvidia"},
		{name("bottlerocket-aws-k8s-1.33-nvidia-aarch64-v1.64.0-0a2d6d6b"), "1.64.0", "aws-k8s-1.33-nvidia"},
		{name("my-golden-bottlerocket"), "", ""},
	} {
		if got := amiRelease(tc.ami); got != tc.release {
			t.Errorf("amiRelease(%v) = %q, want %q", tc.ami, got, tc.release)
		}
		if got := amiVariant(tc.ami); got != tc.variant {
			t.Errorf("amiVariant(%v) = %q, want %q", tc.ami, got, tc.variant)
		}
	}
}
