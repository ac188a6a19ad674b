package warmpool

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// A pool launched right after its instance profile was created: EC2
// answers "Invalid IAM Instance Profile name" until the profile has
// propagated, and the launch waits that out instead of failing.
func TestLaunchWaitsForInstanceProfilePropagation(t *testing.T) {
	cfg := simConfig()
	cfg.InstanceProfilePropagation = cloud.Duration(200 * time.Millisecond)
	s := newSimEC2(t, cfg, nil)
	ctx := context.Background()
	pool := s.pool(t, "fresh-profile", 2)
	if _, err := s.ec2.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId: aws.String(pool.Launch.LaunchTemplateID), SourceVersion: aws.String("1"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{
			IamInstanceProfile: &ec2types.LaunchTemplateIamInstanceProfileSpecificationRequest{Name: aws.String("fresh-nodes")},
		},
	}); err != nil {
		t.Fatal(err)
	}
	pool.Launch.Version = 2
	if err := s.world.CreateInstanceProfile("fresh-nodes", ""); err != nil {
		t.Fatal(err)
	}
	launched, err := s.engine.launch(ctx, pool, 2, 1, nil)
	if err != nil || len(launched) != 2 {
		t.Fatalf("launched %d: %v", len(launched), err)
	}
	// Two slots (one per zone) made it; every other call was refused while
	// the profile propagated.
	if calls := s.world.Stats().Calls["RunInstances"]; calls <= 2 {
		t.Fatalf("%d RunInstances calls: the profile was usable at once, so the test proves nothing", calls)
	}
}

// Other errors are not retried as propagation.
func TestLaunchDoesNotRetryOtherInvalidParameterValues(t *testing.T) {
	s := newSimEC2(t, simConfig(), nil)
	pool := s.pool(t, "bad-type", 1)
	pool.Launch.InstanceTypes = []string{"m5.nosuch"}
	if _, err := s.engine.launch(context.Background(), pool, 1, 1, nil); err == nil || isInstanceProfilePropagation(err) {
		t.Fatalf("launch of an unknown type: %v", err)
	}
	if calls := s.world.Stats().Calls["RunInstances"]; calls != 1 {
		t.Fatalf("%d RunInstances calls for a request EC2 refuses outright, want 1", calls)
	}
}

// A type not offered in a zone is a placement error like a capacity
// shortage (the launch moves on), but it is named for what it is.
func TestLaunchNamesUnofferedTypesAsSuch(t *testing.T) {
	s := newSimEC2(t, simConfig(), nil)
	ctx := context.Background()
	pool := s.pool(t, "unoffered", 2)
	zones := s.world.AvailabilityZones()
	s.setConfig(t, func(c *cloud.Config) {
		c.UnofferedInstanceTypes = []cloud.ZoneInstanceType{{Zone: zones[0], InstanceType: "m5.large"}}
	})
	launched, err := s.engine.launch(ctx, pool, 2, 1, nil)
	if err != nil || len(launched) != 2 {
		t.Fatalf("launched %d: %v", len(launched), err)
	}
	for _, i := range launched {
		if i.AvailabilityZone == zones[0] && i.InstanceType == "m5.large" {
			t.Fatalf("%s launched as m5.large in %s, which does not offer it", i.ID, zones[0])
		}
	}

	s.setConfig(t, func(c *cloud.Config) {
		c.UnofferedInstanceTypes = nil
		for _, z := range zones {
			c.UnofferedInstanceTypes = append(c.UnofferedInstanceTypes, cloud.ZoneInstanceType{Zone: z, InstanceType: "m5.large"})
		}
		c.InsufficientCapacity = []string{"m6i.large"}
	})
	_, err = s.engine.launch(ctx, pool, 1, 2, nil)
	var placement *PlacementError
	if !errors.As(err, &placement) {
		t.Fatalf("want a PlacementError, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		zones[0] + "/m5.large: instance type not offered in this zone (Unsupported)",
		zones[0] + "/m6i.large: insufficient capacity (InsufficientInstanceCapacity)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "m5.large: insufficient capacity") {
		t.Errorf("error %q calls an unoffered type a capacity shortage", msg)
	}
}

// The node class's plan-time tag limit counts keys.InstanceTags as the
// provider's share of an instance's 50 tags: every tag a launch sets beyond
// the user's must be among them.
func TestLaunchTagsAreCountedByTheNodeClassLimit(t *testing.T) {
	pool := Pool{Name: "p", Cluster: "c", Tags: map[string]string{"team": "x"}, Launch: LaunchSpec{NodeClass: "n", Version: 1, ConfigHash: "h"}}
	for _, tag := range pool.instanceTags(1) {
		k := aws.ToString(tag.Key)
		if _, user := pool.Tags[k]; !user && !slices.Contains(keys.InstanceTags, k) {
			t.Errorf("launch tag %s is not in keys.InstanceTags", k)
		}
	}
}
