package nodeclass_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"

	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
)

// laggingAPI answers "not found" for the first describes after a create,
// as EC2 may while it is eventually consistent.
type laggingAPI struct {
	nodeclass.LaunchTemplateAPI
	lag      int32
	describe atomic.Int32
	fail     error
}

func (a *laggingAPI) DescribeLaunchTemplates(ctx context.Context, in *ec2.DescribeLaunchTemplatesInput, o ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplatesOutput, error) {
	if n := a.describe.Add(1); n <= a.lag {
		if a.fail != nil {
			return nil, a.fail
		}
		return nil, &smithy.GenericAPIError{Code: "InvalidLaunchTemplateName.NotFoundException", Message: "not yet"}
	}
	return a.LaunchTemplateAPI.DescribeLaunchTemplates(ctx, in, o...)
}

func TestWaitNodeClassVersion_retriesNotFoundOnly(t *testing.T) {
	fast := func(timeout time.Duration) poll.Options {
		o := nodeclass.VersionWait(timeout)
		o.Schedule = poll.Schedule{Interval: time.Millisecond, Max: time.Millisecond}
		return o
	}
	ctx := context.Background()
	c := newNCCloud(t)
	nc := c.nodeClass(t, "lagging")
	if _, err := nodeclass.Create(ctx, c.api, nc); err != nil {
		t.Fatal(err)
	}

	lagging := &laggingAPI{LaunchTemplateAPI: c.api, lag: 3}
	info, err := nodeclass.WaitVersion(ctx, lagging, "lagging", 1, fast(time.Minute))
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	if info.Version != 1 || lagging.describe.Load() != 4 {
		t.Errorf("version %d after %d describes, want version 1 after 4 (3 not found)", info.Version, lagging.describe.Load())
	}

	throttled := &laggingAPI{LaunchTemplateAPI: c.api, lag: 5, fail: &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "no"}}
	if _, err := nodeclass.WaitVersion(ctx, throttled, "lagging", 1, fast(time.Minute)); err == nil || throttled.describe.Load() != 1 {
		t.Errorf("other error: %v after %d describes, want it returned after 1", err, throttled.describe.Load())
	}

	never := &laggingAPI{LaunchTemplateAPI: c.api, lag: 1 << 30}
	_, err = nodeclass.WaitVersion(ctx, never, "lagging", 1, fast(20*time.Millisecond))
	if !nodeclass.IsNotFound(err) {
		t.Errorf("never visible: %v, want a NotFoundError after the timeout", err)
	}
}
