package warmpool

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// maxLaunchRound bounds the launch-round tag the engine trusts.
const maxLaunchRound = 1 << 30

// Instance is one EC2 instance of a pool as the engine sees it.
type Instance struct {
	ID               string
	EC2State         ec2types.InstanceStateName
	State            State
	AvailabilityZone string
	SubnetID         string
	InstanceType     string
	PrivateDNSName   string
	LaunchedAt       time.Time
	ConfigHash       string
	ClassVersion     int64
	LaunchRound      int
	Failure          string
	// StateReason is EC2's reason for the last state change ("Code:
	// message"), e.g. why an accepted launch ended terminated.
	StateReason string
	// ZoneDisrupted marks an instance in an Availability Zone whose
	// DescribeInstances fails: what is shown is what was last known.
	ZoneDisrupted bool
	// NodeName is the registered Node's name, "" when none was found.
	NodeName string
}

// Gone reports an instance that is terminated or on its way there.
func (i Instance) Gone() bool {
	return i.EC2State == ec2types.InstanceStateNameTerminated || i.EC2State == ec2types.InstanceStateNameShuttingDown
}

// PoweredOn reports an instance that is pending or running.
func (i Instance) PoweredOn() bool {
	return i.EC2State == ec2types.InstanceStateNamePending || i.EC2State == ec2types.InstanceStateNameRunning
}

// PoweredOff reports an instance that is stopping or stopped.
func (i Instance) PoweredOff() bool {
	return i.EC2State == ec2types.InstanceStateNameStopping || i.EC2State == ec2types.InstanceStateNameStopped
}

func instanceFromEC2(in ec2types.Instance) Instance {
	tags := nodeclass.TagMap(in.Tags)
	out := Instance{
		ID:             aws.ToString(in.InstanceId),
		State:          State(tags[keys.State]),
		SubnetID:       aws.ToString(in.SubnetId),
		InstanceType:   string(in.InstanceType),
		PrivateDNSName: aws.ToString(in.PrivateDnsName),
		LaunchedAt:     aws.ToTime(in.LaunchTime),
		ConfigHash:     tags[keys.ConfigHash],
		Failure:        tags[keys.Failure],
	}
	if in.State != nil {
		out.EC2State = in.State.Name
	}
	if r := in.StateReason; r != nil {
		out.StateReason = aws.ToString(r.Message)
		if out.StateReason == "" {
			out.StateReason = aws.ToString(r.Code)
		}
	}
	if in.Placement != nil {
		out.AvailabilityZone = aws.ToString(in.Placement.AvailabilityZone)
	}
	out.ClassVersion, _ = strconv.ParseInt(tags[keys.NodeClassVersion], 10, 64)
	// A round the pool cannot have written (not a number, or absurdly large)
	// counts as 0 rather than overflowing the next round.
	if round, err := strconv.Atoi(tags[keys.LaunchRound]); err == nil && round >= 0 && round < maxLaunchRound {
		out.LaunchRound = round
	}
	return out
}

// ProviderID is the spec.providerID a node of this instance registers with.
func (i Instance) ProviderID() string {
	return "aws:///" + i.AvailabilityZone + "/" + i.ID
}

// failedAfterAcceptance is the state reason of an instance EC2 accepted a
// launch or start for and then stopped or terminated on its own — "" for
// one a user (or this pool) stopped or terminated. EC2 reports such
// failures only in the instance's StateReason (EC2 API reference,
// StateReason: Server.InsufficientInstanceCapacity, Client.InternalError —
// e.g. no permission to create KMS grants for an encrypted volume —, …;
// EC2 User Guide, "Troubleshoot Amazon EC2 instance launch issues", whose
// EBS volume limit example has the code Server.InternalError and the
// message "Client.VolumeLimitExceeded: Volume limit exceeded"). The
// message names the cause, so it is what the engine quotes.
func (i Instance) failedAfterAcceptance() string {
	if i.StateReason == "" || strings.HasPrefix(i.StateReason, "Client.UserInitiated") {
		return ""
	}
	return i.StateReason
}
