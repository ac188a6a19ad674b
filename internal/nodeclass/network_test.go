package nodeclass_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

var sandboxSelector = map[string]string{cloud.DiscoveryTagKey: cloud.DiscoveryTagValue}

func TestResolveSubnets(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	ids, zones := c.world.SubnetIDs(), c.world.AvailabilityZones()

	reversed := []string{ids[2], ids[0]}
	got, err := nodeclass.ResolveSubnets(ctx, c.api, reversed, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []nodeclass.Subnet{{ID: ids[2], AvailabilityZone: zones[2]}, {ID: ids[0], AvailabilityZone: zones[0]}}
	if !slices.Equal(got, want) {
		t.Errorf("by ids: %v, want %v in the order given", got, want)
	}

	got, err = nodeclass.ResolveSubnets(ctx, c.api, nil, sandboxSelector)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].AvailabilityZone != zones[0] || got[2].AvailabilityZone != zones[2] {
		t.Errorf("by selector: %v, want the 3 sandbox subnets ordered by zone", got)
	}
	got, err = nodeclass.ResolveSubnets(ctx, c.api, nil, map[string]string{cloud.DiscoveryTagKey: "*"})
	if err != nil || len(got) != 3 {
		t.Errorf("selector on the tag's presence: %v %v, want 3 subnets", got, err)
	}

	_, err = nodeclass.ResolveSubnets(ctx, c.api, nil, map[string]string{cloud.DiscoveryTagKey: "nowhere"})
	var none *nodeclass.SelectorMatchedNothingError
	if !errors.As(err, &none) || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("empty selector match: %v, want a SelectorMatchedNothingError naming the tags", err)
	}
	if _, err := nodeclass.ResolveSubnets(ctx, c.api, []string{"subnet-0000000000000dead"}, nil); err == nil || !strings.Contains(err.Error(), "subnet-0000000000000dead") {
		t.Errorf("unknown subnet id: %v, want an error naming it", err)
	}
	if _, err := nodeclass.ResolveSubnets(ctx, c.api, []string{ids[0], ids[0]}, nil); err == nil {
		t.Error("a subnet listed twice was accepted")
	}
}

func TestResolveSecurityGroups(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	groups := c.world.SecurityGroupIDs()

	got, err := nodeclass.ResolveSecurityGroups(ctx, c.api, groups, nil)
	if err != nil || !slices.Equal(got, groups) {
		t.Errorf("by ids: %v %v, want %v", got, err, groups)
	}
	got, err = nodeclass.ResolveSecurityGroups(ctx, c.api, nil, sandboxSelector)
	if err != nil || !slices.Equal(got, groups) {
		t.Errorf("by selector: %v %v, want %v", got, err, groups)
	}
	_, err = nodeclass.ResolveSecurityGroups(ctx, c.api, nil, map[string]string{"team": "nobody"})
	var none *nodeclass.SelectorMatchedNothingError
	if !errors.As(err, &none) || none.Kind != "security group" {
		t.Errorf("empty selector match: %v, want a SelectorMatchedNothingError", err)
	}
	if _, err := nodeclass.ResolveSecurityGroups(ctx, c.api, []string{"sg-0000000000000dead"}, nil); err == nil || !strings.Contains(err.Error(), "sg-0000000000000dead") {
		t.Errorf("unknown group: %v, want an error naming it", err)
	}
}

func TestImageArchitecture(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	for _, arch := range []string{"x86_64", "arm64"} {
		got, err := nodeclass.ImageArchitecture(ctx, c.api, c.image(t, "aws-k8s-1.32", arch))
		if err != nil || got != arch {
			t.Errorf("%s image: %q %v", arch, got, err)
		}
	}
	if _, err := nodeclass.ImageArchitecture(ctx, c.api, "ami-0000000000000dead"); err == nil || !strings.Contains(err.Error(), "ami-0000000000000dead") {
		t.Errorf("unknown AMI: %v, want an error naming it", err)
	}
}

func TestInstanceTypeArchitecture(t *testing.T) {
	for typ, want := range map[string]string{
		"m5.large": "x86_64", "m6i.xlarge": "x86_64", "c7a.large": "x86_64", "g5.xlarge": "x86_64", "g4dn.xlarge": "x86_64",
		"p5.48xlarge": "x86_64", "inf2.xlarge": "x86_64", "m7i-flex.large": "x86_64", "t3.micro": "x86_64",
		"m6g.large": "arm64", "c7g.large": "arm64", "r6gd.xlarge": "arm64", "t4g.small": "arm64", "c7gn.large": "arm64",
		"im4gn.large": "arm64", "is4gen.large": "arm64", "g5g.xlarge": "arm64", "a1.large": "arm64", "x2gd.large": "arm64",
	} {
		if got, ok := nodeclass.InstanceTypeArchitecture(typ); !ok || got != want {
			t.Errorf("%s: %q %v, want %s", typ, got, ok, want)
		}
	}
	for _, bad := range []string{"", "large", "m5", ".large"} {
		if _, ok := nodeclass.InstanceTypeArchitecture(bad); ok {
			t.Errorf("%q read as an instance type", bad)
		}
	}
}

func TestCheckArchitectures(t *testing.T) {
	got := nodeclass.CheckArchitectures("ami-1", "x86_64", []string{"m5.large", "m6g.large", "c6i.large", "t4g.small"})
	if len(got) != 2 || got[0].Index != 1 || got[1].Index != 3 {
		t.Fatalf("mismatches %+v, want m6g.large (1) and t4g.small (3)", got)
	}
	msg := got[0].Error()
	for _, part := range []string{"m6g.large", "arm64", "ami-1", "x86_64"} {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q does not name %s", msg, part)
		}
	}
	if got := nodeclass.CheckArchitectures("ami-2", "arm64", []string{"m6g.large", "c7g.large"}); len(got) != 0 {
		t.Errorf("matching types reported: %+v", got)
	}
}
