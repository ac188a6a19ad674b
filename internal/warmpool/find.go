package warmpool

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// liveStates are the instance states a pool's refresh reads; terminated
// instances only matter when launching (see findPoolInstances).
var liveStates = []string{"pending", "running", "stopping", "stopped", "shutting-down"}

// findPoolInstances lists every instance tagged with the pool id, one
// paginated DescribeInstances for the whole pool (1,000 per page).
func (e *Engine) findPoolInstances(ctx context.Context, poolID string, includeTerminated bool) ([]Instance, error) {
	filters := []ec2types.Filter{{Name: aws.String("tag:" + KeyPoolID), Values: []string{poolID}}}
	if !includeTerminated {
		filters = append(filters, ec2types.Filter{Name: aws.String("instance-state-name"), Values: liveStates})
	}
	return e.describe(ctx, &ec2.DescribeInstancesInput{Filters: filters, MaxResults: aws.Int32(e.Options.withDefaults().DescribePageSize)})
}

func (e *Engine) describe(ctx context.Context, in *ec2.DescribeInstancesInput) ([]Instance, error) {
	var out []Instance
	pages := ec2.NewDescribeInstancesPaginator(e.EC2, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe instances: %w", err)
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				out = append(out, instanceFromEC2(i))
			}
		}
	}
	return out, nil
}
