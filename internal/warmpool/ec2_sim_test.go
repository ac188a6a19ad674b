package warmpool

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/awshttp"
	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// simEC2 is the engine's EC2 side against the sandbox's simulated account,
// in process and over the real wire protocol, without a cluster: launches,
// starts, stops, terminations, tokens and fallbacks run in plain go test.
type simEC2 struct {
	world  *cloud.World
	engine *Engine
	ec2    *ec2.Client
}

// simLatency keeps simulated transitions short; the engine polls every few
// milliseconds, so waits end in test time without changing their logic.
const simLatency = 20 * time.Millisecond

func simConfig() cloud.Config {
	c := cloud.DefaultConfig()
	d := cloud.Duration(simLatency)
	c.Latency = cloud.Latency{Launch: d, Boot: d, CNI: d, Stop: d, Start: d, Terminate: d}
	return c
}

func newSimEC2(t *testing.T, cfg cloud.Config, clock cloud.Clock) *simEC2 {
	t.Helper()
	w := cloud.NewWorld(cloud.Options{Region: "us-east-1", Config: &cfg, Seed: 11, Clock: clock})
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(func() {
		srv.Close()
		w.Close()
	})
	ec2URL, _, _ := w.Endpoints(srv.URL)
	client := ec2.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		HTTPClient:  awshttp.Wrap(&http.Client{Transport: &http.Transport{}}),
		Credentials: credentials.NewStaticCredentialsProvider("AKIASANDBOX", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 2 * time.Millisecond })
		},
	}, func(o *ec2.Options) { o.BaseEndpoint = aws.String(ec2URL) })
	e := &Engine{EC2: client, Options: Options{
		PollInterval: 5 * time.Millisecond, MaxPollInterval: 20 * time.Millisecond, SteadyPolling: time.Second,
	}, Logf: t.Logf}
	return &simEC2{world: w, engine: e, ec2: client}
}

// pool is a pool of size instances launched from a fresh launch template
// of the sandbox's Bottlerocket image, in every sandbox subnet.
func (s *simEC2) pool(t *testing.T, name string, size int) Pool {
	t.Helper()
	image, ok := s.world.ImageID("aws-k8s-1.32", "x86_64")
	if !ok {
		t.Fatal("sandbox has no aws-k8s-1.32 image")
	}
	out, err := s.ec2.CreateLaunchTemplate(context.Background(), &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String("stratos-" + name),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(image)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var subnets []nodeclass.Subnet
	for i, id := range s.world.SubnetIDs() {
		subnets = append(subnets, nodeclass.Subnet{ID: id, AvailabilityZone: s.world.AvailabilityZones()[i]})
	}
	return Pool{
		Name: name, Cluster: "sandbox", Size: size,
		Launch: LaunchSpec{
			LaunchTemplateID: aws.ToString(out.LaunchTemplate.LaunchTemplateId), Version: 1, NodeClass: name,
			InstanceTypes: []string{"m5.large", "m6i.large"}, Subnets: subnets, ConfigHash: "hash-1",
		},
		Warmup: WarmupSpec{Timeout: time.Minute, TimeoutAction: TimeoutTerminate},
	}
}

// states is the world's view of every instance ever launched for pool, by state.
func (s *simEC2) states(pool Pool) map[string]int {
	out := map[string]int{}
	for _, r := range s.world.AllInstances() {
		if r.Tags[keys.PoolID] == pool.ID() {
			out[r.State]++
		}
	}
	return out
}

func (s *simEC2) setConfig(t *testing.T, mutate func(*cloud.Config)) {
	t.Helper()
	cfg := s.world.Config()
	mutate(&cfg)
	if err := s.world.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
}
