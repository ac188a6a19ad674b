package cloud_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/awshttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// fastConfig keeps transitions to a few milliseconds.
func fastConfig() cloud.Config {
	c := cloud.DefaultConfig()
	ms := cloud.Duration(2 * time.Millisecond)
	c.Latency = cloud.Latency{Launch: ms, Boot: ms, CNI: ms, Stop: ms, Start: ms, Terminate: ms}
	return c
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	world  *cloud.World
	ec2    *ec2.Client
	ssm    *ssm.Client
	sts    *sts.Client
	awsCfg aws.Config
	ec2URL string
}

type envOption func(*cloud.Options)

func withClock(c cloud.Clock) envOption { return func(o *cloud.Options) { o.Clock = c } }

// newEnv serves a world over HTTP and points unmodified SDK clients at it.
func newEnv(t testing.TB, cfg cloud.Config, opts ...envOption) *env {
	t.Helper()
	o := cloud.Options{Region: "us-east-1", Config: &cfg, Seed: 42}
	for _, f := range opts {
		f(&o)
	}
	w := cloud.NewWorld(o)
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(func() {
		srv.Close()
		w.Close()
	})
	ec2URL, ssmURL, stsURL := w.Endpoints(srv.URL)
	awsCfg := aws.Config{
		Region:      "us-east-1",
		HTTPClient:  awshttp.Wrap(&http.Client{Transport: &http.Transport{}}),
		Credentials: credentials.NewStaticCredentialsProvider("AKIASANDBOX", "secret", ""),
		// Retries show in the log of a failing test: call counts depend on them.
		ClientLogMode: aws.LogRetries,
		Logger:        logging.LoggerFunc(func(_ logging.Classification, f string, v ...any) { t.Logf(f, v...) }),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 5 * time.Millisecond })
		},
	}
	return &env{
		world:  w,
		awsCfg: awsCfg,
		ec2URL: ec2URL,
		ec2:    ec2.NewFromConfig(awsCfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(ec2URL) }),
		ssm:    ssm.NewFromConfig(awsCfg, func(o *ssm.Options) { o.BaseEndpoint = aws.String(ssmURL) }),
		sts:    sts.NewFromConfig(awsCfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(stsURL) }),
	}
}

func (e *env) image(t testing.TB, variant, arch string) string {
	t.Helper()
	id, ok := e.world.ImageID(variant, arch)
	if !ok {
		t.Fatalf("no image for %s/%s", variant, arch)
	}
	return id
}

// run launches n instances of m5.large in the first subnet.
func (e *env) run(t testing.TB, n int32, mutate ...func(*ec2.RunInstancesInput)) []ec2types.Instance {
	t.Helper()
	in := &ec2.RunInstancesInput{
		ImageId:      aws.String(e.image(t, "aws-k8s-1.32", "x86_64")),
		InstanceType: ec2types.InstanceTypeM5Large,
		MinCount:     aws.Int32(n),
		MaxCount:     aws.Int32(n),
		SubnetId:     aws.String(e.world.SubnetIDs()[0]),
	}
	for _, m := range mutate {
		m(in)
	}
	out, err := e.ec2.RunInstances(context.Background(), in)
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	return out.Instances
}

func ids(insts []ec2types.Instance) []string {
	out := make([]string, len(insts))
	for i, inst := range insts {
		out[i] = aws.ToString(inst.InstanceId)
	}
	return out
}

func apiCode(t testing.TB, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("expected an AWS API error, got %v", err)
	}
	return ae.ErrorCode()
}

func expectCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected %s, got success", code)
	}
	if got := apiCode(t, err); got != code {
		t.Fatalf("expected error code %s, got %s (%v)", code, got, err)
	}
}

// eventually polls cond until it holds; transitions run on real timers of a
// few milliseconds, so the bound is generous and never asserted on.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (e *env) waitState(t testing.TB, state string, ids ...string) {
	t.Helper()
	eventually(t, "instances "+state, func() bool {
		for _, id := range ids {
			if _, s, _ := e.world.Instance(id); s != state {
				return false
			}
		}
		return true
	})
}

func tagValue(tags []ec2types.Tag, key string) (string, bool) {
	for _, tg := range tags {
		if aws.ToString(tg.Key) == key {
			return aws.ToString(tg.Value), true
		}
	}
	return "", false
}
