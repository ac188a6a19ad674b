package warmpool

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// liveStates are the instance states a pool's refresh reads; terminated
// instances only matter when launching (see findPoolInstances).
var liveStates = []string{"pending", "running", "stopping", "stopped", "shutting-down"}

// findPoolInstances lists every instance tagged with the pool id, one
// paginated DescribeInstances for the whole pool (1,000 per page).
func (e *Engine) findPoolInstances(ctx context.Context, poolID string, includeTerminated bool) ([]Instance, error) {
	filters := []ec2types.Filter{{Name: aws.String("tag:" + keys.PoolID), Values: []string{poolID}}}
	if !includeTerminated {
		filters = append(filters, ec2types.Filter{Name: aws.String("instance-state-name"), Values: liveStates})
	}
	found, err := e.describe(ctx, &ec2.DescribeInstancesInput{Filters: filters, MaxResults: aws.Int32(e.Options.withDefaults().DescribePageSize)},
		e.zones.filteredCallOptions()...)
	e.zones.filteredCallFailed(isZoneDisruption(err))
	if isZoneDisruption(err) {
		return e.describeKnown(ctx, poolID, includeTerminated, err)
	}
	if err == nil {
		e.zones.remember(found)
	}
	return found, err
}

func (e *Engine) describe(ctx context.Context, in *ec2.DescribeInstancesInput, opts ...func(*ec2.Options)) ([]Instance, error) {
	raw, err := e.describeRaw(ctx, in, opts...)
	if err != nil {
		return nil, err
	}
	out := make([]Instance, 0, len(raw))
	for _, i := range raw {
		out = append(out, instanceFromEC2(i))
	}
	return out, nil
}
