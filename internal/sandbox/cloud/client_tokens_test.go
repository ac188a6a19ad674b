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

// A client token outlives the terminated instances it launched: they leave
// DescribeInstances after TerminatedVisibility, the token is remembered
// for ClientTokenMemory after that, and only then may it name a new launch.
func TestClientTokenOutlivesTerminatedInstances(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	e := newEnv(t, fastConfig(), withClock(clock))
	ctx := context.Background()
	token := func(in *ec2.RunInstancesInput) { in.ClientToken = aws.String("pool-a-round-1") }
	first := e.run(t, 1, token)
	if _, err := e.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(first)}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateTerminated, ids(first)...)

	clock.Advance(2 * time.Hour)
	out, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Reservations) != 0 {
		t.Fatalf("terminated instance still visible after two hours: %+v", out.Reservations)
	}
	otherType := func(in *ec2.RunInstancesInput) { in.InstanceType = ec2types.InstanceTypeM5Xlarge }
	_, err = e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Xlarge,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[0]), ClientToken: aws.String("pool-a-round-1"),
	})
	expectCode(t, err, "IdempotentParameterMismatch")
	// The same parameters still replay the old, terminated launch.
	if again := e.run(t, 1, token); ids(again)[0] != ids(first)[0] || again[0].State.Name != ec2types.InstanceStateNameTerminated {
		t.Fatalf("replay returned %s in %s, want %s terminated", ids(again)[0], again[0].State.Name, ids(first)[0])
	}

	clock.Advance(cloud.DefaultClientTokenMemory)
	fresh := e.run(t, 1, token, otherType)
	if ids(fresh)[0] == ids(first)[0] {
		t.Fatal("a token past its memory window replayed the old launch")
	}
}

func TestClientTokenMemoryIsConfigurable(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	cfg := fastConfig()
	cfg.ClientTokenMemory = cloud.Duration(time.Minute)
	e := newEnv(t, cfg, withClock(clock))
	token := func(in *ec2.RunInstancesInput) { in.ClientToken = aws.String("t") }
	first := e.run(t, 1, token)
	if _, err := e.ec2.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: ids(first)}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateTerminated, ids(first)...)
	clock.Advance(2 * time.Minute)
	if fresh := e.run(t, 1, token); ids(fresh)[0] == ids(first)[0] {
		t.Fatal("token remembered past a one-minute window")
	}
}
