package cloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// RunInstances' resource bucket: 1,000 instances at once, then two a second.
func TestRunInstancesResourceBucket(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	cfg := fastConfig()
	limits := cloud.DocumentedRateLimits()
	cfg.RateLimits = &limits
	e := newEnv(t, cfg, withClock(clock))
	ctx := context.Background()
	one := func(o *ec2.Options) { o.RetryMaxAttempts = 1 }
	launch := func(n int32, subnet int) error {
		_, err := e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Large,
			MinCount: aws.Int32(1), MaxCount: aws.Int32(n), SubnetId: aws.String(e.world.SubnetIDs()[subnet]),
		}, one)
		return err
	}
	for subnet := range 4 {
		if err := launch(250, subnet%3); err != nil {
			t.Fatalf("launch %d of the first 1,000: %v", subnet, err)
		}
	}
	expectCode(t, launch(1, 0), "RequestLimitExceeded")
	if got, ok := e.world.ResourceTokens("RunInstances"); !ok || got != 0 {
		t.Fatalf("RunInstances tokens after 1,000 launches = %v, %v; want 0", got, ok)
	}
	clock.Advance(time.Second)
	if got, _ := e.world.ResourceTokens("RunInstances"); got != 2 {
		t.Fatalf("RunInstances tokens a second later = %v, want 2", got)
	}
	expectCode(t, launch(3, 0), "RequestLimitExceeded")
	if err := launch(2, 0); err != nil {
		t.Fatalf("two instances after a second: %v", err)
	}
	if got := e.world.Stats().Throttled["RunInstances"]; got != 2 {
		t.Fatalf("throttled RunInstances = %d, want 2", got)
	}
}

// Each API has its own request bucket: exhausting one leaves the others.
func TestRequestBucketsPerAction(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	cfg := fastConfig()
	cfg.RateLimits = &cloud.RateLimits{Requests: map[string]cloud.Bucket{cloud.NonMutating: {Capacity: 3, Refill: 1}}}
	e := newEnv(t, cfg, withClock(clock))
	ctx := context.Background()
	one := func(o *ec2.Options) { o.RetryMaxAttempts = 1 }
	for range 3 {
		if _, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}, one); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}, one)
	expectCode(t, err, "RequestLimitExceeded")
	if _, err := e.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{}, one); err != nil {
		t.Fatalf("another API's bucket: %v", err)
	}
	clock.Advance(time.Second)
	if _, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}, one); err != nil {
		t.Fatalf("after a refill: %v", err)
	}
}
