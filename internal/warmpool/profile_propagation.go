package warmpool

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
)

// instanceProfilePropagationTimeout bounds the wait for a new instance
// profile to reach EC2: terraform-provider-aws waits as long
// (iamPropagationTimeout, 2 minutes) around RunInstances in
// internal/service/ec2/ec2_instance.go.
const instanceProfilePropagationTimeout = 2 * time.Minute

// runInstancesAwaitingProfile is RunInstances retried on the poll schedule,
// for at most instanceProfilePropagationTimeout, while EC2 answers that the
// instance profile does not exist yet; any other answer ends it. The
// request (and its ClientToken) stays the same, so a retry never launches
// twice.
func (e *Engine) runInstancesAwaitingProfile(ctx context.Context, in *ec2.RunInstancesInput) (*ec2.RunInstancesOutput, error) {
	var out *ec2.RunInstancesOutput
	var propagating error
	o := e.pollOptions()
	o.Timeout = instanceProfilePropagationTimeout
	err := poll.Until(ctx, o, func(ctx context.Context, r *poll.Round) (bool, error) {
		var err error
		out, err = e.EC2.RunInstances(ctx, in, capacityFailsFast)
		if isInstanceProfilePropagation(err) {
			if propagating == nil {
				e.logf("RunInstances: %v; waiting up to %s for the instance profile to reach EC2", err, instanceProfilePropagationTimeout)
			}
			propagating = err
			return false, nil
		}
		return err == nil, err
	})
	if err != nil && propagating != nil && !isAPIError(err) {
		return nil, fmt.Errorf("the instance profile did not reach EC2 (IAM propagation) %w; last answer: %w", err, propagating)
	}
	return out, err
}
