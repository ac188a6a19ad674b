package warmpool

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// capacityFailsFast keeps the SDK from retrying capacity errors: EC2 answers
// InsufficientInstanceCapacity with a 5xx status, which retryers treat as
// transient, but the engine's answer is another zone or instance type now,
// not the same request after a back-off.
func capacityFailsFast(o *ec2.Options) {
	if o.Retryer != nil {
		o.Retryer = capacityRetryer{o.Retryer}
	}
}

type capacityRetryer struct{ aws.Retryer }

func (r capacityRetryer) IsErrorRetryable(err error) bool {
	if isCapacityError(err) {
		return false
	}
	return r.Retryer.IsErrorRetryable(err)
}

// GetAttemptToken keeps the wrapped retryer's context-aware token, which
// adaptive mode uses to rate-limit the client.
func (r capacityRetryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.Retryer.GetInitialToken(), nil
}
