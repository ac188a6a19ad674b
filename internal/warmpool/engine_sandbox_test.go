package warmpool_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/stratos-sh/terraform-provider-stratos/internal/awshttp"
	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

var poolSeq atomic.Int64

type fixture struct {
	t      *testing.T
	ec2    *ec2.Client
	engine *warmpool.Engine
	lt     string
	tmpl   string
	image  string
}

func newFixture(t *testing.T) *fixture {
	sb := sandboxtest.Get(t)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTPClient = awshttp.Wrap(cfg.HTTPClient)
	client := ec2.NewFromConfig(cfg)
	images, err := client.DescribeImages(context.Background(), &ec2.DescribeImagesInput{
		Filters: []ec2types.Filter{{Name: aws.String("name"), Values: []string{"bottlerocket-aws-k8s-1.32-x86_64-*"}}},
	})
	if err != nil || len(images.Images) == 0 {
		t.Fatalf("no sandbox image: %v", err)
	}
	f := &fixture{t: t, ec2: client, image: aws.ToString(images.Images[0].ImageId)}
	f.engine = &warmpool.Engine{EC2: client, Kube: sb.Kubernetes(), Logf: t.Logf,
		Options: warmpool.Options{PollInterval: 200 * time.Millisecond, MaxPollInterval: time.Second}}
	f.tmpl = fmt.Sprintf("engine-test-%d-%d", os.Getpid(), poolSeq.Add(1))
	out, err := client.CreateLaunchTemplate(context.Background(), &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String(f.tmpl),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(f.image), InstanceType: ec2types.InstanceTypeM5Large},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.lt = aws.ToString(out.LaunchTemplate.LaunchTemplateId)
	return f
}

// asProvider makes the engine's Kubernetes client the provider's under test:
// bound to the documented ClusterRole only (sandboxtest.ProviderKubeconfig),
// so the real apiserver refuses anything the docs do not grant.
func (f *fixture) asProvider() {
	f.t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", sandboxtest.ProviderKubeconfig(f.t))
	if err != nil {
		f.t.Fatal(err)
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	f.engine.Kube = kube
}

// nodeClassTOML is a node class's rendered user data for the sandbox cluster.
func nodeClassTOML(t *testing.T, clusterName string) string {
	doc, problems := bottlerocket.Render(bottlerocket.Input{
		ClusterName:        clusterName,
		APIServer:          os.Getenv("STRATOS_SANDBOX_CLUSTER_ENDPOINT"),
		ClusterCertificate: os.Getenv("STRATOS_SANDBOX_CLUSTER_CA"),
		ServiceCIDR:        os.Getenv("STRATOS_SANDBOX_SERVICE_CIDR"),
		Strict:             true,
	})
	if doc == nil {
		t.Fatalf("render: %+v", problems)
	}
	return doc.TOML
}

func (f *fixture) pool(name string, size int, mods ...func(*warmpool.Pool, *nodeclass.Info)) warmpool.Pool {
	f.t.Helper()
	subnets, err := f.ec2.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:stratos.sh/discovery"), Values: []string{"sandbox"}}},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	pool := warmpool.Pool{
		Name: fmt.Sprintf("%s-%d", name, poolSeq.Add(1)), Cluster: "sandbox", Size: size,
		Launch: warmpool.LaunchSpec{LaunchTemplateID: f.lt, Version: 1, NodeClass: f.tmpl, InstanceTypes: []string{"m5.large"}},
		Warmup: warmpool.WarmupSpec{Timeout: time.Minute, TimeoutAction: warmpool.TimeoutTerminate, Network: warmpool.NetworkAuto, WaitForDaemonSets: true},
		Labels: map[string]string{"team": "ci"},
	}
	for _, s := range subnets.Subnets {
		pool.Launch.Subnets = append(pool.Launch.Subnets, nodeclass.Subnet{ID: aws.ToString(s.SubnetId), AvailabilityZone: aws.ToString(s.AvailabilityZone)})
	}
	nc := nodeclass.Info{Name: f.tmpl, LaunchTemplateID: f.lt, Version: 1, TOML: nodeClassTOML(f.t, "sandbox")}
	for _, m := range mods {
		m(&pool, &nc)
	}
	f.render(&pool, nc)
	f.t.Cleanup(func() {
		if err := f.engine.Destroy(context.Background(), pool.ID(), nil); err != nil {
			f.t.Errorf("cleanup: %v", err)
		}
	})
	return pool
}

func (f *fixture) render(pool *warmpool.Pool, nc nodeclass.Info) {
	f.t.Helper()
	pool.Launch.ConfigHash = warmpool.PoolConfigHash(nc.Name, pool.Launch.Version, pool.Labels, pool.Taints)
	doc, problems := warmpool.PoolUserData(*pool, nc)
	if doc == nil {
		f.t.Fatalf("pool user data: %+v", problems)
	}
	pool.Launch.UserData = warmpool.EncodeUserData(doc)
}

func (f *fixture) converge(pool warmpool.Pool) *warmpool.Result {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := f.engine.Converge(ctx, pool)
	if err != nil {
		f.t.Fatalf("converge %s: %v", pool.Name, err)
	}
	return res
}

// standby lists the pool's verified standby instances and checks that
// none has a Node.
func (f *fixture) standby(pool warmpool.Pool) []warmpool.Instance {
	f.t.Helper()
	obs, err := f.engine.Observe(context.Background(), pool.ID())
	if err != nil {
		f.t.Fatal(err)
	}
	var out []warmpool.Instance
	for _, i := range obs.Instances {
		if i.Gone() {
			continue
		}
		if i.State != warmpool.StateStandby || i.EC2State != ec2types.InstanceStateNameStopped {
			f.t.Errorf("instance %s is %s/%s, want standby/stopped", i.ID, i.State, i.EC2State)
			continue
		}
		// A stopped instance's Node would be NotReady to the cluster: the
		// pool deletes it; the kubelet registers it again on start.
		if node := obs.Nodes[i.ID]; node != nil {
			f.t.Errorf("standby instance %s still has Node %s (labels %v, taints %v)", i.ID, node.Name, node.Labels, node.Spec.Taints)
		}
		out = append(out, i)
	}
	return out
}

func hasTaint(n *corev1.Node, key string, effect corev1.TaintEffect) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key && t.Effect == effect {
			return true
		}
	}
	return false
}

// launchedFor lists every instance the sandbox ever launched for a pool.
func launchedFor(t *testing.T, pool warmpool.Pool) (live, terminated int) {
	for _, r := range sandboxtest.Get(t).World().AllInstances() {
		if r.Tags[keys.PoolID] != pool.ID() {
			continue
		}
		if r.State == "terminated" || r.State == "shutting-down" {
			terminated++
		} else {
			live++
		}
	}
	return live, terminated
}

func TestEngine_CreateResizeDestroy(t *testing.T) {
	f := newFixture(t)
	pool := f.pool("basic", 4)
	sb := sandboxtest.Get(t)
	sb.World().ResetStats()

	res := f.converge(pool)
	if res.Launched != 4 || len(f.standby(pool)) != 4 {
		t.Fatalf("launched %d, want 4 verified standby", res.Launched)
	}
	calls := sb.World().Stats().Calls
	if calls["RunInstances"] > 3 || calls["StopInstances"] > 2 {
		t.Errorf("launch/stop not batched: %v", calls)
	}
	azs := map[string]int{}
	for _, i := range f.standby(pool) {
		azs[i.AvailabilityZone]++
	}
	if len(azs) != 3 {
		t.Errorf("instances not spread across the three AZs: %v", azs)
	}

	sb.World().ResetStats()
	obs, err := f.engine.Observe(context.Background(), pool.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got := sb.World().Stats().Calls; got["DescribeInstances"] != 1 || len(got) != 1 {
		t.Errorf("observe made %v, want one DescribeInstances", got)
	}
	oldest := obs.Instances[0]
	for _, i := range obs.Instances {
		if i.LaunchedAt.Before(oldest.LaunchedAt) {
			oldest = i
		}
	}

	pool.Size = 6
	if res := f.converge(pool); res.Launched != 2 {
		t.Errorf("size up launched %d, want 2", res.Launched)
	}
	if n := len(f.standby(pool)); n != 6 {
		t.Fatalf("after size up: %d standby", n)
	}

	pool.Size = 2
	if res := f.converge(pool); res.Terminated != 4 || res.Launched != 0 {
		t.Errorf("size down: terminated %d launched %d, want 4 and 0", res.Terminated, res.Launched)
	}
	left := f.standby(pool)
	if len(left) != 2 {
		t.Fatalf("after size down: %d standby", len(left))
	}
	for _, i := range left {
		if i.ID == oldest.ID {
			t.Errorf("size down kept the oldest instance %s", i.ID)
		}
	}

	if err := f.engine.Destroy(context.Background(), pool.ID(), nil); err != nil {
		t.Fatal(err)
	}
	if live, _ := launchedFor(t, pool); live != 0 {
		t.Errorf("%d instances left after destroy", live)
	}
	nodes, err := sb.Kubernetes().CoreV1().Nodes().List(context.Background(), metav1.ListOptions{LabelSelector: keys.PoolID + "=" + pool.ID()})
	if err != nil || len(nodes.Items) != 0 {
		t.Errorf("nodes left after destroy: %d (%v)", len(nodes.Items), err)
	}
}

func TestEngine_InterruptedConvergeIsAdopted(t *testing.T) {
	f := newFixture(t)
	pool := f.pool("interrupted", 5)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Interrupt once the launch happened, in the middle of the warmup.
		for {
			if live, _ := launchedFor(t, pool); live > 0 {
				time.Sleep(500 * time.Millisecond)
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if _, err := f.engine.Converge(ctx, pool); err == nil {
		t.Fatal("interrupted converge reported success")
	}
	res := f.converge(pool)
	if res.Launched != 0 {
		t.Errorf("second converge launched %d instead of adopting", res.Launched)
	}
	if n := len(f.standby(pool)); n != 5 {
		t.Errorf("%d standby, want 5", n)
	}
	if live, terminated := launchedFor(t, pool); live != 5 || terminated != 0 {
		t.Errorf("sandbox launched %d live + %d terminated for the pool, want exactly 5", live, terminated)
	}
}

func TestEngine_ReplacesOutdatedStandby(t *testing.T) {
	f := newFixture(t)
	pool := f.pool("outdated", 4)
	f.converge(pool)
	before := map[string]bool{}
	for _, i := range f.standby(pool) {
		before[i.ID] = true
	}
	if _, err := f.ec2.CreateLaunchTemplateVersion(context.Background(), &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId:   aws.String(f.lt),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(f.image), InstanceType: ec2types.InstanceTypeM5Xlarge},
	}); err != nil {
		t.Fatal(err)
	}
	pool.Launch.Version = 2
	f.render(&pool, nodeclass.Info{Name: f.tmpl, LaunchTemplateID: f.lt, Version: 2, TOML: nodeClassTOML(t, "sandbox")})
	lines := warmpool.Narrate(pool, mustObserve(t, f, pool).Instances)
	if len(lines) != 1 || !strings.Contains(lines[0], "4 standby instances run node class version 1 (now 2)") {
		t.Errorf("narrate: %q", lines)
	}
	res := f.converge(pool)
	if res.Launched != 4 || res.Terminated != 4 {
		t.Errorf("launched %d terminated %d, want 4 and 4", res.Launched, res.Terminated)
	}
	for _, i := range f.standby(pool) {
		if before[i.ID] || i.ClassVersion != 2 {
			t.Errorf("instance %s (version %d) was not replaced", i.ID, i.ClassVersion)
		}
	}
}

func mustObserve(t *testing.T, f *fixture, pool warmpool.Pool) *warmpool.Observation {
	obs, err := f.engine.Observe(context.Background(), pool.ID())
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

func TestEngine_CapacityFallback(t *testing.T) {
	f := newFixture(t)
	sandboxtest.Configure(t, `{"insufficient_capacity": ["us-east-1a", "m5.large"]}`)
	pool := f.pool("capacity", 3, func(p *warmpool.Pool, _ *nodeclass.Info) {
		p.Launch.InstanceTypes = []string{"m5.large", "m6i.large"}
	})
	f.converge(pool)
	for _, i := range f.standby(pool) {
		if i.AvailabilityZone == "us-east-1a" || i.InstanceType != "m6i.large" {
			t.Errorf("instance %s in %s as %s: capacity fallback ignored", i.ID, i.AvailabilityZone, i.InstanceType)
		}
	}
}

func TestEngine_CapacityExhausted(t *testing.T) {
	f := newFixture(t)
	sandboxtest.Configure(t, `{"insufficient_capacity": ["m5.large"]}`)
	pool := f.pool("nocapacity", 2)
	_, err := f.engine.Converge(context.Background(), pool)
	var placement *warmpool.PlacementError
	if !errors.As(err, &placement) || placement.Launched != 0 {
		t.Fatalf("want a PlacementError, got %v", err)
	}
}

func TestEngine_WarmupTimeout(t *testing.T) {
	for _, action := range []warmpool.TimeoutAction{warmpool.TimeoutTerminate, warmpool.TimeoutStop} {
		t.Run(string(action), func(t *testing.T) {
			f := newFixture(t)
			sandboxtest.Configure(t, `{"never_ready_rate": 1}`)
			f.engine.Options.ReplacementRounds = 1
			pool := f.pool("timeout", 2, func(p *warmpool.Pool, _ *nodeclass.Info) {
				p.Warmup.Timeout = 4 * time.Second
				p.Warmup.TimeoutAction = action
			})
			res, err := f.engine.Converge(context.Background(), pool)
			var warm *warmpool.WarmupError
			if !errors.As(err, &warm) {
				t.Fatalf("want a WarmupError, got %v", err)
			}
			if len(warm.Failures) != 4 || !strings.Contains(err.Error(), "node NotReady") {
				t.Errorf("failures: %v", err)
			}
			live, _ := launchedFor(t, pool)
			switch action {
			case warmpool.TimeoutTerminate:
				if live != 0 {
					t.Errorf("%d instances left running after terminate", live)
				}
			case warmpool.TimeoutStop:
				if live != 4 {
					t.Errorf("%d instances kept, want 4 stopped for inspection", live)
				}
				for _, i := range res.Observation.Instances {
					if i.State != warmpool.StateFailed {
						t.Errorf("instance %s state %s, want failed", i.ID, i.State)
					}
				}
			}
		})
	}
}

func TestEngine_BadUserDataNeverJoins(t *testing.T) {
	f := newFixture(t)
	f.engine.Options.ReplacementRounds = 1
	pool := f.pool("baduserdata", 1, func(p *warmpool.Pool, nc *nodeclass.Info) {
		p.Warmup.Timeout = 4 * time.Second
		nc.TOML = nodeClassTOML(t, "some-other-cluster")
	})
	_, err := f.engine.Converge(context.Background(), pool)
	if err == nil || !strings.Contains(err.Error(), "node never registered") || !strings.Contains(err.Error(), "console") {
		t.Fatalf("want node never registered with console output, got %v", err)
	}
	t.Log(err)
}

func TestEngine_UserDataMarkers(t *testing.T) {
	f := newFixture(t)
	pool := f.pool("markers", 0)
	raw, err := base64.StdEncoding.DecodeString(pool.Launch.UserData)
	if err != nil {
		t.Fatal(err)
	}
	text, err := bottlerocket.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"stratos.sh/pool-id" = "` + pool.ID() + `"`, `"stratos.sh/warmup" = ["true:NoSchedule"]`, `team = "ci"`} {
		if !strings.Contains(text, want) {
			t.Errorf("user data lacks %s:\n%s", want, text)
		}
	}
}
