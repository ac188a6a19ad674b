package cloud_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

func TestAcceptedLaunchFailsWithStateReason(t *testing.T) {
	cfg := fastConfig()
	cfg.AcceptedFailures = []cloud.AcceptedFailure{{Action: cloud.FailLaunch, Code: "Client.InternalError", Match: "us-east-1a"}}
	e := newEnv(t, cfg)
	failing := e.run(t, 2) // the first subnet is in us-east-1a
	healthy := e.run(t, 1, func(in *ec2.RunInstancesInput) { in.SubnetId = aws.String(e.world.SubnetIDs()[1]) })
	if failing[0].State.Name != ec2types.InstanceStateNamePending {
		t.Fatalf("RunInstances answered %s, want pending: the failure comes after acceptance", failing[0].State.Name)
	}
	e.waitState(t, cloud.StateTerminated, ids(failing)...)
	e.waitState(t, cloud.StateRunning, ids(healthy)...)
	reason := describeOne(t, e, ids(failing)[0]).StateReason
	if reason == nil || aws.ToString(reason.Code) != "Client.InternalError" || aws.ToString(reason.Message) != "Client.InternalError: Client error on launch" {
		t.Fatalf("state reason %+v", reason)
	}
}

// Each failure shows the StateReason EC2 shows for it; an EBS volume limit
// has the code Server.InternalError and names the limit in the message
// (EC2 User Guide, "Troubleshoot Amazon EC2 instance launch issues").
func TestAcceptedLaunchFailureStateReasons(t *testing.T) {
	for fault, want := range map[string][2]string{
		"Client.InternalError":                {"Client.InternalError", "Client.InternalError: Client error on launch"},
		"Client.VolumeLimitExceeded":          {"Server.InternalError", "Client.VolumeLimitExceeded: Volume limit exceeded"},
		"Server.InsufficientInstanceCapacity": {"Server.InsufficientInstanceCapacity", "Server.InsufficientInstanceCapacity: Insufficient capacity."},
		"Server.InternalError":                {"Server.InternalError", "Server.InternalError: Internal error on launch"},
	} {
		t.Run(fault, func(t *testing.T) {
			cfg := fastConfig()
			cfg.AcceptedFailures = []cloud.AcceptedFailure{{Action: cloud.FailLaunch, Code: fault}}
			e := newEnv(t, cfg)
			failing := e.run(t, 1)
			e.waitState(t, cloud.StateTerminated, ids(failing)...)
			r := describeOne(t, e, ids(failing)[0]).StateReason
			if r == nil || aws.ToString(r.Code) != want[0] || aws.ToString(r.Message) != want[1] {
				t.Fatalf("state reason %+v, want code %q, message %q", r, want[0], want[1])
			}
		})
	}
}

func TestAcceptedStartFailsWithStateReason(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	insts := e.run(t, 1)
	e.waitState(t, cloud.StateRunning, ids(insts)...)
	if _, err := e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids(insts)}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateStopped, ids(insts)...)
	cfg := fastConfig()
	cfg.AcceptedFailures = []cloud.AcceptedFailure{{Action: cloud.FailStart, Code: "Server.InsufficientInstanceCapacity"}}
	if err := e.world.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	out, err := e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids(insts)})
	if err != nil {
		t.Fatal(err)
	}
	if s := out.StartingInstances[0].CurrentState.Name; s != ec2types.InstanceStateNamePending {
		t.Fatalf("StartInstances answered %s, want pending", s)
	}
	e.waitState(t, cloud.StateStopped, ids(insts)...)
	if reason := describeOne(t, e, ids(insts)[0]).StateReason; reason == nil || aws.ToString(reason.Code) != "Server.InsufficientInstanceCapacity" {
		t.Fatalf("state reason %+v", reason)
	}
}

func TestAcceptedFailuresValidate(t *testing.T) {
	w := cloud.NewWorld(cloud.Options{})
	defer w.Close()
	for _, f := range []cloud.AcceptedFailure{
		{Action: "reboot", Code: "Client.InternalError"},
		{Action: cloud.FailLaunch, Code: "Client.Whatever"},
		{Action: cloud.FailLaunch, Code: "Client.InternalError", Match: "mars-1a"},
	} {
		cfg := cloud.DefaultConfig()
		cfg.AcceptedFailures = []cloud.AcceptedFailure{f}
		if err := w.SetConfig(cfg); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
}

func describeOne(t *testing.T, e *env, id string) ec2types.Instance {
	t.Helper()
	out, err := e.ec2.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Reservations[0].Instances[0]
}
