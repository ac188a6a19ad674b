package cloud_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

type recorder struct {
	mu     sync.Mutex
	events []cloud.InstanceEvent
}

func (r *recorder) InstanceChanged(ev cloud.InstanceEvent) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

func (r *recorder) forInstance(id string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		if ev.Instance.ID == id {
			s := string(ev.Kind)
			if ev.Kind == cloud.InstanceRunning && ev.Instance.FirstBoot {
				s += "(first)"
			}
			out = append(out, s)
		}
	}
	return out
}

// slowObserver blocks until released, to prove it holds up nobody else.
type slowObserver struct{ release chan struct{} }

func (s slowObserver) InstanceChanged(cloud.InstanceEvent) { <-s.release }

func TestEventsArriveInOrderPerInstance(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	slow := slowObserver{release: make(chan struct{})}
	e.world.Subscribe(slow)
	rec := &recorder{}
	e.world.Subscribe(rec)
	insts := ids(e.run(t, 20))
	e.waitState(t, cloud.StateRunning, insts...)
	if _, err := e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: insts}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateStopped, insts...)
	if _, err := e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: insts}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateRunning, insts...)
	if _, err := e.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: insts}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateTerminated, insts...)
	want := "running(first),stopping,running,terminated"
	eventually(t, "events delivered", func() bool {
		for _, id := range insts {
			if strings.Join(rec.forInstance(id), ",") != want {
				return false
			}
		}
		return true
	})
	rec.mu.Lock()
	if len(rec.events) != 4*len(insts) {
		t.Errorf("%d events, want %d", len(rec.events), 4*len(insts))
	}
	ev := rec.events[0]
	rec.mu.Unlock()
	if ev.Instance.PrivateDNSName == "" || ev.Instance.AvailabilityZone == "" || ev.Instance.InstanceType != "m5.large" || ev.Instance.Architecture != "x86_64" {
		t.Errorf("event instance info %+v", ev.Instance)
	}
	close(slow.release)
}

func TestStats(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	insts := ids(e.run(t, 3))
	e.waitState(t, cloud.StateRunning, insts...)
	if _, err := e.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: insts[:1]}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateTerminated, insts[0])
	_, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	expectCode(t, err, "InvalidInstanceID.NotFound")
	if _, err := e.sts.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(e.world.Stats())
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Calls     map[string]int `json:"calls"`
		Instances map[string]int `json:"instances"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	wantCalls := map[string]int{"RunInstances": 1, "TerminateInstances": 1, "DescribeInstances": 1, "GetCallerIdentity": 1}
	for k, v := range wantCalls {
		if got.Calls[k] != v {
			t.Errorf("calls[%s] = %d, want %d (all: %s)", k, got.Calls[k], v, raw)
		}
	}
	if got.Instances["running"] != 2 || got.Instances["terminated"] != 1 {
		t.Errorf("instances %v", got.Instances)
	}
	e.world.ResetStats()
	if st := e.world.Stats(); len(st.Calls) != 0 || st.Instances["running"] != 2 {
		t.Errorf("after reset: %+v", st)
	}
}

func TestSetConfigValidates(t *testing.T) {
	w := cloud.NewWorld(cloud.Options{})
	defer w.Close()
	for name, mutate := range map[string]func(*cloud.Config){
		"negative latency": func(c *cloud.Config) { c.Latency.Stop = -1 },
		"network":          func(c *cloud.Config) { c.Network = "flannel" },
		"throttle rate":    func(c *cloud.Config) { c.ThrottleRate = 1.5 },
		"never ready rate": func(c *cloud.Config) { c.NeverReadyRate = -0.1 },
		"capacity entry":   func(c *cloud.Config) { c.InsufficientCapacity = []string{"us-west-2a"} },
	} {
		c := cloud.DefaultConfig()
		mutate(&c)
		if err := w.SetConfig(c); err == nil {
			t.Errorf("%s: accepted %+v", name, c)
		}
	}
	c := cloud.DefaultConfig()
	c.Network = "cilium"
	c.InsufficientCapacity = []string{"us-east-1b", "g5.xlarge"}
	if err := w.SetConfig(c); err != nil {
		t.Fatal(err)
	}
	if got := w.Config(); got.Network != "cilium" || len(got.InsufficientCapacity) != 2 {
		t.Fatalf("config %+v", got)
	}
	// Config round-trips through JSON with Go duration strings.
	raw, _ := json.Marshal(w.Config())
	if !strings.Contains(string(raw), `"launch":"1s"`) {
		t.Fatalf("config JSON %s", raw)
	}
}

func TestRoutesByCredentialScopeWithoutPathPrefix(t *testing.T) {
	cfg := fastConfig()
	w := cloud.NewWorld(cloud.Options{Config: &cfg})
	srv := httptest.NewServer(w.Handler())
	defer func() { srv.Close(); w.Close() }()
	e := newEnv(t, cfg)
	stsClient := sts.NewFromConfig(e.awsCfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	if _, err := stsClient.GetCallerIdentity(context.Background(), nil); err != nil {
		t.Fatalf("sts at the root path: %v", err)
	}
	ec2Client := ec2.NewFromConfig(e.awsCfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(srv.URL + "/") })
	if _, err := ec2Client.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{}); err != nil {
		t.Fatalf("ec2 at the root path: %v", err)
	}
	// Unknown actions get EC2's error shape.
	resp, err := http.PostForm(srv.URL+"/ec2", url.Values{"Action": {"FlyToTheMoon"}, "Version": {"2016-11-15"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || w.Stats().Calls["FlyToTheMoon"] != 1 {
		t.Fatalf("unknown action: %d, stats %v", resp.StatusCode, w.Stats().Calls)
	}
}

func TestNetworkAndImages(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	discovery := ec2types.Filter{Name: aws.String("tag:stratos.sh/discovery"), Values: []string{"sandbox"}}
	subnets, err := e.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{discovery}})
	if err != nil || len(subnets.Subnets) != 3 {
		t.Fatalf("subnets: %v %+v", err, subnets)
	}
	azs := map[string]bool{}
	for _, s := range subnets.Subnets {
		azs[aws.ToString(s.AvailabilityZone)] = true
		if aws.ToString(s.VpcId) != e.world.VPCID() || aws.ToInt32(s.AvailableIpAddressCount) < 1000 {
			t.Errorf("subnet %+v", s)
		}
	}
	if len(azs) != 3 {
		t.Errorf("zones %v", azs)
	}
	one, err := e.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{discovery, {Name: aws.String("availability-zone"), Values: []string{"us-east-1b"}}}})
	if err != nil || len(one.Subnets) != 1 {
		t.Fatalf("subnet by zone: %v %+v", err, one)
	}
	_, err = e.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-0123456789abcdef0"}})
	expectCode(t, err, "InvalidSubnetID.NotFound")

	groups, err := e.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{discovery}})
	if err != nil || len(groups.SecurityGroups) != 1 || aws.ToString(groups.SecurityGroups[0].GroupId) != e.world.SecurityGroupIDs()[0] {
		t.Fatalf("groups: %v %+v", err, groups)
	}
	_, err = e.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-0123456789abcdef0"}})
	expectCode(t, err, "InvalidGroup.NotFound")

	images, err := e.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}, Filters: []ec2types.Filter{
		{Name: aws.String("name"), Values: []string{"bottlerocket-aws-k8s-1.32-x86_64-v1.30.0-*"}}}})
	if err != nil || len(images.Images) != 1 {
		t.Fatalf("images by name: %v %+v", err, images)
	}
	img := images.Images[0]
	want, _ := e.world.ImageIDOfRelease("aws-k8s-1.32", "x86_64", "1.30.0")
	if aws.ToString(img.ImageId) != want || img.Architecture != ec2types.ArchitectureValuesX8664 || img.State != ec2types.ImageStateAvailable || len(img.Tags) == 0 {
		t.Fatalf("image %+v", img)
	}
	arm, err := e.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{Filters: []ec2types.Filter{
		{Name: aws.String("architecture"), Values: []string{"arm64"}}, {Name: aws.String("tag:bottlerocket.io/variant"), Values: []string{"aws-k8s-1.33-nvidia"}}}})
	if err != nil || len(arm.Images) != 3 {
		t.Fatalf("arm64 nvidia images: %v %d", err, len(arm.Images))
	}
	self, err := e.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil || len(self.Images) != 0 {
		t.Fatalf("self-owned images: %v %+v", err, self)
	}
	_, err = e.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ami-0123456789abcdef0"}})
	expectCode(t, err, "InvalidAMIID.NotFound")
	if it, ok := e.world.InstanceType("g5.xlarge"); !ok || it.GPUs != 1 || it.VCPU != 4 || it.MaxPods != 58 {
		t.Fatalf("g5.xlarge %+v", it)
	}
	if len(e.world.InstanceTypes()) < 30 {
		t.Fatalf("%d instance types", len(e.world.InstanceTypes()))
	}
}

func TestCloseStopsPendingTransitions(t *testing.T) {
	cfg := fastConfig()
	cfg.Latency.Launch = cloud.Duration(50 * time.Millisecond)
	e := newEnv(t, cfg)
	id := ids(e.run(t, 1))[0]
	e.world.Close()
	time.Sleep(100 * time.Millisecond)
	if _, s, _ := e.world.Instance(id); s != cloud.StatePending {
		t.Fatalf("state after Close = %s, want pending", s)
	}
}

func TestDescribeInstanceTypesAndZones(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	out, err := e.ec2.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []ec2types.InstanceType{ec2types.InstanceTypeG512xlarge, ec2types.InstanceTypeM6gLarge}})
	if err != nil || len(out.InstanceTypes) != 2 {
		t.Fatalf("describe types: %v %+v", err, out)
	}
	g5 := out.InstanceTypes[0]
	if g5.InstanceType != ec2types.InstanceTypeG512xlarge || aws.ToInt32(g5.VCpuInfo.DefaultVCpus) != 48 || aws.ToInt64(g5.MemoryInfo.SizeInMiB) != 196608 ||
		g5.GpuInfo == nil || aws.ToInt32(g5.GpuInfo.Gpus[0].Count) != 4 || g5.ProcessorInfo.SupportedArchitectures[0] != ec2types.ArchitectureTypeX8664 {
		t.Errorf("g5.12xlarge %+v", g5)
	}
	if out.InstanceTypes[1].ProcessorInfo.SupportedArchitectures[0] != ec2types.ArchitectureTypeArm64 || out.InstanceTypes[1].GpuInfo != nil {
		t.Errorf("m6g.large %+v", out.InstanceTypes[1])
	}
	p := ec2.NewDescribeInstanceTypesPaginator(e.ec2, &ec2.DescribeInstanceTypesInput{MaxResults: aws.Int32(5), Filters: []ec2types.Filter{
		{Name: aws.String("processor-info.supported-architecture"), Values: []string{"arm64"}}}})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.InstanceTypes)
	}
	if n != 8 {
		t.Errorf("%d arm64 types, want 8", n)
	}
	_, err = e.ec2.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []ec2types.InstanceType{"m9.huge"}})
	expectCode(t, err, "InvalidInstanceType")
	zones, err := e.ec2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil || len(zones.AvailabilityZones) != 3 || aws.ToString(zones.AvailabilityZones[0].ZoneName) != "us-east-1a" || zones.AvailabilityZones[0].State != ec2types.AvailabilityZoneStateAvailable {
		t.Fatalf("zones: %v %+v", err, zones)
	}
}
