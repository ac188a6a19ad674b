package cloud_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

func TestInsufficientCapacity(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	subnets := e.world.SubnetIDs()
	stopped := e.run(t, 2) // us-east-1a, m5.large
	e.waitState(t, cloud.StateRunning, ids(stopped)...)
	if _, err := e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids(stopped)}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateStopped, ids(stopped)...)

	cfg := fastConfig()
	cfg.InsufficientCapacity = []string{"us-east-1a", "c6i.large"}
	if err := e.world.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	e.world.ResetStats()
	runIn := func(subnet string, itype ec2types.InstanceType) error {
		_, err := e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: itype,
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnet),
		})
		return err
	}
	err := runIn(subnets[0], ec2types.InstanceTypeM5Large)
	expectCode(t, err, "InsufficientInstanceCapacity")
	if !strings.Contains(err.Error(), "We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a)") ||
		!strings.Contains(err.Error(), "choosing us-east-1b, us-east-1c") {
		t.Errorf("message %v", err)
	}
	// EC2 reports capacity as a 5xx, so the standard retryer tries 3 times.
	if got := e.world.Stats().Calls["RunInstances"]; got != 3 {
		t.Errorf("RunInstances attempts = %d, want 3", got)
	}
	expectCode(t, runIn(subnets[1], ec2types.InstanceTypeC6iLarge), "InsufficientInstanceCapacity")
	if err := runIn(subnets[1], ec2types.InstanceTypeM5Large); err != nil {
		t.Fatalf("capacity elsewhere: %v", err)
	}
	_, err = e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids(stopped)})
	expectCode(t, err, "InsufficientInstanceCapacity")
	if _, s, _ := e.world.Instance(ids(stopped)[0]); s != cloud.StateStopped {
		t.Fatalf("failed start changed state to %s", s)
	}

	// By instance type: a stopped c6i.large cannot start in any zone.
	cfg.InsufficientCapacity = nil
	if err := e.world.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	c6 := e.run(t, 1, func(in *ec2.RunInstancesInput) {
		in.InstanceType = ec2types.InstanceTypeC6iLarge
		in.SubnetId = aws.String(subnets[2])
	})
	e.waitState(t, cloud.StateRunning, ids(c6)...)
	if _, err := e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids(c6)}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateStopped, ids(c6)...)
	cfg.InsufficientCapacity = []string{"c6i.large"}
	if err := e.world.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	_, err = e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids(c6)})
	expectCode(t, err, "InsufficientInstanceCapacity")
	if _, err := e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids(stopped)}); err != nil {
		t.Fatalf("m5.large in us-east-1a has capacity again: %v", err)
	}
}

func TestThrottleRate(t *testing.T) {
	cfg := fastConfig()
	cfg.ThrottleRate = 1
	e := newEnv(t, cfg)
	ctx := context.Background()
	_, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	expectCode(t, err, "RequestLimitExceeded")
	if got := e.world.Stats().Calls["DescribeInstances"]; got != 3 {
		t.Fatalf("throttled attempts counted = %d, want 3 (the standard retryer's attempts)", got)
	}
	// The adaptive retryer also treats the code as a throttle and gives up.
	adaptive := ec2.NewFromConfig(e.awsCfg, func(o *ec2.Options) {
		o.BaseEndpoint = aws.String(e.ec2URL)
		o.Retryer = retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
			ao.StandardOptions = append(ao.StandardOptions, func(so *retry.StandardOptions) { so.MaxBackoff = 5 * time.Millisecond })
		})
	})
	_, err = adaptive.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	expectCode(t, err, "RequestLimitExceeded")
	if got := e.world.Stats().Calls["StopInstances"]; got != 3 {
		t.Fatalf("adaptive attempts counted = %d, want 3", got)
	}
	// SSM and STS are not throttled by the EC2 fault.
	if _, err := e.sts.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// A fraction throttles some calls; the seeded RNG makes the count repeatable.
	cfg.ThrottleRate = 0.5
	if err := e.world.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	e.world.ResetStats()
	for i := 0; i < 20; i++ {
		if _, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}, func(o *ec2.Options) { o.RetryMaxAttempts = 1 }); err != nil {
			expectCode(t, err, "RequestLimitExceeded")
		}
	}
	if got := e.world.Stats().Calls["DescribeInstances"]; got != 20 {
		t.Fatalf("calls = %d, want 20", got)
	}
}

func TestThrottleDrawsAreRepeatable(t *testing.T) {
	outcomes := func() string {
		cfg := fastConfig()
		cfg.ThrottleRate = 0.5
		e := newEnv(t, cfg)
		var b strings.Builder
		for i := 0; i < 30; i++ {
			_, err := e.ec2.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{}, func(o *ec2.Options) { o.RetryMaxAttempts = 1 })
			if err != nil {
				b.WriteByte('T')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b := outcomes(), outcomes()
	if a != b || !strings.Contains(a, "T") || !strings.Contains(a, ".") {
		t.Fatalf("throttle outcomes %q and %q", a, b)
	}
}

func TestConsistencyDelay(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	cfg := fastConfig()
	cfg.ConsistencyDelay = cloud.Duration(2 * time.Second)
	e := newEnv(t, cfg, withClock(clock))
	ctx := context.Background()
	insts := e.run(t, 2, func(in *ec2.RunInstancesInput) {
		in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("pool"), Value: aws.String("p")}}}}
	})
	_, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids(insts)})
	expectCode(t, err, "InvalidInstanceID.NotFound")
	filtered := func() int {
		out, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:pool"), Values: []string{"p"}}}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range out.Reservations {
			n += len(r.Instances)
		}
		return n
	}
	if n := filtered(); n != 0 {
		t.Fatalf("%d instances visible inside the consistency window", n)
	}
	// Actions on the ids are as stale as reads.
	one := func(o *ec2.Options) { o.RetryMaxAttempts = 1 }
	_, err = e.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids(insts), Tags: []ec2types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}, one)
	expectCode(t, err, "InvalidInstanceID.NotFound")
	_, err = e.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(insts)}, one)
	expectCode(t, err, "InvalidInstanceID.NotFound")
	clock.Advance(2 * time.Second)
	if _, err := e.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids(insts), Tags: []ec2types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}); err != nil {
		t.Fatal(err)
	}
	if n := filtered(); n != 2 {
		t.Fatalf("%d instances visible after the consistency window, want 2", n)
	}
	if _, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids(insts)}); err != nil {
		t.Fatal(err)
	}
}

func TestNeverReadyRate(t *testing.T) {
	cfg := fastConfig()
	cfg.NeverReadyRate = 1
	e := newEnv(t, cfg)
	for _, id := range ids(e.run(t, 5)) {
		if info, _, _ := e.world.Instance(id); !info.NeverReady {
			t.Errorf("%s not marked never-ready at rate 1", id)
		}
	}
	cfg.NeverReadyRate = 0
	if err := e.world.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids(e.run(t, 5)) {
		if info, _, _ := e.world.Instance(id); info.NeverReady {
			t.Errorf("%s marked never-ready at rate 0", id)
		}
	}
}

func TestAPILatencyAppliesToEveryCall(t *testing.T) {
	cfg := fastConfig()
	cfg.Latency.API = cloud.Duration(30 * time.Millisecond)
	e := newEnv(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	// A call that cannot outlast the configured latency times out.
	if _, err := e.sts.GetCallerIdentity(ctx, nil, func(o *sts.Options) { o.RetryMaxAttempts = 1 }); err == nil {
		t.Fatal("call returned before the API latency elapsed")
	}
}

func TestCapacityLimitsMinMaxCount(t *testing.T) {
	cfg := fastConfig()
	cfg.Capacity = map[string]int{"us-east-1a": 5, "m5.xlarge": 2}
	e := newEnv(t, cfg)
	ctx := context.Background()
	run := func(min, max int32, mutate ...func(*ec2.RunInstancesInput)) ([]ec2types.Instance, error) {
		in := &ec2.RunInstancesInput{
			ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Large,
			MinCount: aws.Int32(min), MaxCount: aws.Int32(max), SubnetId: aws.String(e.world.SubnetIDs()[0]),
		}
		for _, m := range mutate {
			m(in)
		}
		out, err := e.ec2.RunInstances(ctx, in, func(o *ec2.Options) { o.RetryMaxAttempts = 1 })
		if err != nil {
			return nil, err
		}
		return out.Instances, nil
	}
	// MaxCount 8 with room for 5: EC2 launches the 5 that fit.
	got, err := run(3, 8)
	if err != nil || len(got) != 5 {
		t.Fatalf("partial launch: %v, %d instances", err, len(got))
	}
	_, err = run(1, 1)
	expectCode(t, err, "InsufficientInstanceCapacity")
	// Other zones are unaffected; the type cap applies everywhere.
	other := func(in *ec2.RunInstancesInput) { in.SubnetId = aws.String(e.world.SubnetIDs()[1]) }
	xl := func(in *ec2.RunInstancesInput) { in.InstanceType = ec2types.InstanceTypeM5Xlarge }
	if _, err := run(4, 4, other); err != nil {
		t.Fatal(err)
	}
	_, err = run(3, 3, other, xl)
	expectCode(t, err, "InsufficientInstanceCapacity")
	if two, err := run(1, 3, other, xl); err != nil || len(two) != 2 {
		t.Fatalf("type cap: %v, %d instances", err, len(two))
	}
	// Stopped instances free their room; starting them takes it back.
	e.waitState(t, cloud.StateRunning, ids(got)...)
	if _, err := e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids(got)}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateStopped, ids(got)...)
	filler, err := run(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids(got)}, func(o *ec2.Options) { o.RetryMaxAttempts = 1 })
	expectCode(t, err, "InsufficientInstanceCapacity")
	if _, err := e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids(got)[:3]}); err != nil {
		t.Fatalf("start what fits: %v", err)
	}
	if _, err := e.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(filler)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids(got)[3:]}); err != nil {
		t.Fatalf("start after room was freed: %v", err)
	}
	cfg.Capacity = map[string]int{"us-east-1z": 1}
	if err := e.world.SetConfig(cfg); err == nil {
		t.Fatal("unknown capacity key accepted")
	}
}
