package scaletest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/stratos-sh/terraform-provider-stratos/internal/awshttp"
	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest/kubecount"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// One sandbox for the package: the tests here change its config and count
// its calls, so none of them runs in parallel with another.
func TestMain(m *testing.M) { sandboxtest.Main(m) }

var seq atomic.Int64

// providerRetryer retries as the provider's EC2 client does (adaptive mode,
// 10 retries, no retry quota), so throttling is met as in an apply.
func providerRetryer() aws.Retryer {
	return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = 11
			so.RateLimiter = ratelimit.None
		})
	})
}

// engineFixture drives the pool engine directly against the sandbox, its
// Kubernetes requests going through a counting proxy.
type engineFixture struct {
	t      *testing.T
	ec2    *ec2.Client
	proxy  *kubecount.Proxy
	engine *warmpool.Engine
	lt     string
	ltName string
}

// newEngineFixture makes a launch template and an engine with the given
// options (the same ones for every measurement that is compared).
func newEngineFixture(t *testing.T, opts warmpool.Options) *engineFixture {
	t.Helper()
	sb := sandboxtest.Get(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryer(providerRetryer))
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTPClient = awshttp.Wrap(cfg.HTTPClient)
	client := ec2.NewFromConfig(cfg)
	proxy, err := kubecount.StartProxy(providerRESTConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	kube, err := kubernetes.NewForConfig(proxy.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	image, ok := sb.World().ImageID("aws-k8s-1.32", "x86_64")
	if !ok {
		t.Fatal("no sandbox image")
	}
	f := &engineFixture{t: t, ec2: client, proxy: proxy, ltName: fmt.Sprintf("scale-%d-%d", os.Getpid(), seq.Add(1))}
	out, err := client.CreateLaunchTemplate(context.Background(), &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String(f.ltName),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(image), InstanceType: ec2types.InstanceTypeM5Large},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.lt = aws.ToString(out.LaunchTemplate.LaunchTemplateId)
	f.engine = &warmpool.Engine{EC2: client, Kube: kube, Options: opts, Logf: t.Logf}
	return f
}

// pool is a pool of size on the fixture's launch template across the
// sandbox's subnets, destroyed when the test ends.
func (f *engineFixture) pool(name string, size int, types ...string) warmpool.Pool {
	f.t.Helper()
	if len(types) == 0 {
		types = []string{"m5.large", "m6i.large"}
	}
	subnets, err := f.ec2.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:stratos.sh/discovery"), Values: []string{"sandbox"}}},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	pool := warmpool.Pool{
		Name: fmt.Sprintf("%s-%d", name, seq.Add(1)), Cluster: "sandbox", Size: size,
		Launch: warmpool.LaunchSpec{LaunchTemplateID: f.lt, Version: 1, NodeClass: f.ltName, InstanceTypes: types},
		Warmup: warmpool.WarmupSpec{Timeout: 5 * time.Minute, TimeoutAction: warmpool.TimeoutTerminate, Network: warmpool.NetworkAuto, WaitForDaemonSets: true},
	}
	for _, s := range subnets.Subnets {
		pool.Launch.Subnets = append(pool.Launch.Subnets, nodeclass.Subnet{ID: aws.ToString(s.SubnetId), AvailabilityZone: aws.ToString(s.AvailabilityZone)})
	}
	doc, problems := bottlerocket.Render(bottlerocket.Input{
		ClusterName:        "sandbox",
		APIServer:          os.Getenv("STRATOS_SANDBOX_CLUSTER_ENDPOINT"),
		ClusterCertificate: os.Getenv("STRATOS_SANDBOX_CLUSTER_CA"),
		ServiceCIDR:        os.Getenv("STRATOS_SANDBOX_SERVICE_CIDR"),
		Strict:             true,
	})
	if doc == nil {
		f.t.Fatalf("render: %+v", problems)
	}
	nc := nodeclass.Info{Name: f.ltName, LaunchTemplateID: f.lt, Version: 1, TOML: doc.TOML}
	pool.Launch.ConfigHash = warmpool.PoolConfigHash(nc.Name, 1, pool.Labels, pool.Taints)
	ud, problems := warmpool.PoolUserData(pool, nc)
	if ud == nil {
		f.t.Fatalf("pool user data: %+v", problems)
	}
	pool.Launch.UserData = warmpool.EncodeUserData(ud)
	f.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if err := f.engine.Destroy(ctx, pool.ID(), nil); err != nil {
			f.t.Errorf("destroy pool %s: %v", pool.Name, err)
		}
	})
	return pool
}

// audit checks the pool against the sandbox: exactly size verified
// standby instances, each recorded in obs, nothing leaked or duplicated.
func (f *engineFixture) audit(pool warmpool.Pool, obs *warmpool.Observation) Audit {
	f.t.Helper()
	var inState []string
	if obs != nil {
		for _, i := range obs.Instances {
			if !i.Gone() {
				inState = append(inState, i.ID)
			}
		}
	}
	sb := sandboxtest.Get(f.t)
	a, err := AuditPool(context.Background(), sb.World(), sb.Kubernetes(), pool.ID(), inState)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range a.Problems(pool.Size) {
		f.t.Errorf("pool %s: %s", pool.Name, p)
	}
	return a
}

// providerRESTConfig authenticates as the provider does in the tests: bound
// to the documented ClusterRole only, never cluster-admin.
func providerRESTConfig(t *testing.T) *rest.Config {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", sandboxtest.ProviderKubeconfig(t))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// timed logs how long a test took, for the runtime budget of `make test`
// (reported, never asserted).
func timed(t *testing.T) {
	start := time.Now()
	t.Cleanup(func() { t.Logf("%s took %s", t.Name(), time.Since(start).Round(time.Second)) })
}
