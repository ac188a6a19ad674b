package cloud_test

import (
	"context"
	"encoding/base64"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

func TestRunInstancesReturnsWhatAWSWould(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	userData := base64.StdEncoding.EncodeToString([]byte("[settings.kubernetes]\ncluster-name = \"sandbox\"\n"))
	subnet := e.world.SubnetIDs()[1]
	insts := e.run(t, 3, func(in *ec2.RunInstancesInput) {
		in.SubnetId = aws.String(subnet)
		in.UserData = aws.String(userData)
		in.ClientToken = aws.String("pool-a-slot-1")
		in.TagSpecifications = []ec2types.TagSpecification{
			{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("stratos.sh/pool"), Value: aws.String("a")}}},
			{ResourceType: ec2types.ResourceTypeVolume, Tags: []ec2types.Tag{{Key: aws.String("stratos.sh/pool"), Value: aws.String("a")}}},
		}
		in.MetadataOptions = &ec2types.InstanceMetadataOptionsRequest{HttpTokens: ec2types.HttpTokensStateRequired, HttpPutResponseHopLimit: aws.Int32(2)}
		in.IamInstanceProfile = &ec2types.IamInstanceProfileSpecification{Name: aws.String("sandbox-node")}
	})
	if len(insts) != 3 {
		t.Fatalf("launched %d instances, want 3", len(insts))
	}
	dns := regexp.MustCompile(`^ip-10-0-\d+-\d+\.ec2\.internal$`)
	prefix := netip.MustParsePrefix("10.0.64.0/18")
	seen := map[string]bool{}
	for i, inst := range insts {
		if inst.State.Name != ec2types.InstanceStateNamePending || aws.ToInt32(inst.State.Code) != 0 {
			t.Errorf("state = %v/%d, want pending/0", inst.State.Name, aws.ToInt32(inst.State.Code))
		}
		if !dns.MatchString(aws.ToString(inst.PrivateDnsName)) {
			t.Errorf("private DNS name %q", aws.ToString(inst.PrivateDnsName))
		}
		ip := netip.MustParseAddr(aws.ToString(inst.PrivateIpAddress))
		if !prefix.Contains(ip) || seen[ip.String()] {
			t.Errorf("private IP %s not unique in subnet %s", ip, prefix)
		}
		seen[ip.String()] = true
		if aws.ToString(inst.Placement.AvailabilityZone) != "us-east-1b" || aws.ToString(inst.SubnetId) != subnet {
			t.Errorf("placement %s/%s", aws.ToString(inst.Placement.AvailabilityZone), aws.ToString(inst.SubnetId))
		}
		if v, _ := tagValue(inst.Tags, "stratos.sh/pool"); v != "a" {
			t.Errorf("tags %v", inst.Tags)
		}
		if aws.ToInt32(inst.AmiLaunchIndex) != int32(i) || aws.ToString(inst.ClientToken) != "pool-a-slot-1" {
			t.Errorf("launch index %d, token %q", aws.ToInt32(inst.AmiLaunchIndex), aws.ToString(inst.ClientToken))
		}
		if inst.Architecture != ec2types.ArchitectureValuesX8664 || inst.InstanceType != ec2types.InstanceTypeM5Large {
			t.Errorf("arch/type %s/%s", inst.Architecture, inst.InstanceType)
		}
		if inst.MetadataOptions.HttpTokens != ec2types.HttpTokensStateRequired || aws.ToInt32(inst.MetadataOptions.HttpPutResponseHopLimit) != 2 {
			t.Errorf("metadata options %+v", inst.MetadataOptions)
		}
		if !strings.HasSuffix(aws.ToString(inst.IamInstanceProfile.Arn), ":instance-profile/sandbox-node") {
			t.Errorf("iam profile %+v", inst.IamInstanceProfile)
		}
		if inst.LaunchTime == nil || time.Since(*inst.LaunchTime) > time.Minute || aws.ToString(inst.VpcId) != e.world.VPCID() || len(inst.SecurityGroups) != 1 {
			t.Errorf("launch time %v, vpc %s, groups %+v", inst.LaunchTime, aws.ToString(inst.VpcId), inst.SecurityGroups)
		}
		if len(inst.BlockDeviceMappings) != 2 || aws.ToString(inst.BlockDeviceMappings[0].DeviceName) != "/dev/xvda" {
			t.Errorf("block devices %+v", inst.BlockDeviceMappings)
		}
		info, _, ok := e.world.Instance(aws.ToString(inst.InstanceId))
		if !ok || info.UserData != userData || info.PrivateDNSName != aws.ToString(inst.PrivateDnsName) || info.Region != "us-east-1" {
			t.Errorf("world view %+v", info)
		}
	}
	waiter := ec2.NewInstanceRunningWaiter(e.ec2, func(o *ec2.InstanceRunningWaiterOptions) {
		o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	})
	if err := waiter.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids(insts)}, 10*time.Second); err != nil {
		t.Fatalf("wait running: %v", err)
	}
}

func TestRunInstancesValidation(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	x86 := e.image(t, "aws-k8s-1.32", "x86_64")
	base := func() *ec2.RunInstancesInput {
		return &ec2.RunInstancesInput{ImageId: aws.String(x86), InstanceType: ec2types.InstanceTypeM5Large, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}
	}
	cases := []struct {
		name   string
		mutate func(*ec2.RunInstancesInput)
		code   string
	}{
		{"unknown image", func(in *ec2.RunInstancesInput) { in.ImageId = aws.String("ami-0123456789abcdef0") }, "InvalidAMIID.NotFound"},
		{"malformed image", func(in *ec2.RunInstancesInput) { in.ImageId = aws.String("bottlerocket") }, "InvalidAMIID.Malformed"},
		{"unknown type", func(in *ec2.RunInstancesInput) { in.InstanceType = "m9.huge" }, "InvalidParameterValue"},
		{"arch mismatch", func(in *ec2.RunInstancesInput) { in.InstanceType = ec2types.InstanceTypeM6gLarge }, "InvalidParameterValue"},
		{"unknown subnet", func(in *ec2.RunInstancesInput) { in.SubnetId = aws.String("subnet-0123456789abcdef0") }, "InvalidSubnetID.NotFound"},
		{"unknown group", func(in *ec2.RunInstancesInput) { in.SecurityGroupIds = []string{"sg-0123456789abcdef0"} }, "InvalidGroup.NotFound"},
		{"bad user data", func(in *ec2.RunInstancesInput) { in.UserData = aws.String("not base64!") }, "InvalidParameterValue"},
		{"min above max", func(in *ec2.RunInstancesInput) { in.MinCount = aws.Int32(3) }, "InvalidParameterValue"},
		{"reserved tag", func(in *ec2.RunInstancesInput) {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}}
		}, "InvalidParameterValue"},
		{"bad tag resource", func(in *ec2.RunInstancesInput) {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}}
		}, "InvalidParameterValue"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.mutate(in)
			_, err := e.ec2.RunInstances(ctx, in)
			expectCode(t, err, tc.code)
		})
	}
	if n := len(e.world.AllInstances()); n != 0 {
		t.Fatalf("failed launches left %d instances", n)
	}
	// arm64 types run arm64 images.
	e.run(t, 1, func(in *ec2.RunInstancesInput) {
		in.ImageId = aws.String(e.image(t, "aws-k8s-1.33", "arm64"))
		in.InstanceType = ec2types.InstanceTypeC7gLarge
	})
}

func TestClientTokenIdempotency(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	withToken := func(in *ec2.RunInstancesInput) { in.ClientToken = aws.String("pool-x-slot-0") }
	first := e.run(t, 4, withToken)
	again := e.run(t, 4, withToken)
	if strings.Join(ids(first), ",") != strings.Join(ids(again), ",") {
		t.Fatalf("replay returned %v, want %v", ids(again), ids(first))
	}
	if n := len(e.world.AllInstances()); n != 4 {
		t.Fatalf("replay launched more instances: %d, want 4", n)
	}
	for _, rec := range e.world.AllInstances() {
		if rec.ClientToken != "pool-x-slot-0" || rec.ReservationID == "" {
			t.Fatalf("record %+v", rec)
		}
	}
	// The replay reports the instances' current state, like AWS.
	e.waitState(t, cloud.StateRunning, ids(first)...)
	replay := e.run(t, 4, withToken)
	if replay[0].State.Name != ec2types.InstanceStateNameRunning {
		t.Fatalf("replay state %s, want running", replay[0].State.Name)
	}
	_, err := e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Xlarge,
		MinCount: aws.Int32(4), MaxCount: aws.Int32(4), SubnetId: aws.String(e.world.SubnetIDs()[0]),
		ClientToken: aws.String("pool-x-slot-0"),
	})
	expectCode(t, err, "IdempotentParameterMismatch")
	// Tags are a set: the same tags in another order are the same request.
	tagged := func(keys ...string) func(*ec2.RunInstancesInput) {
		return func(in *ec2.RunInstancesInput) {
			in.ClientToken = aws.String("pool-y-slot-0")
			spec := ec2types.TagSpecification{ResourceType: ec2types.ResourceTypeInstance}
			for _, k := range keys {
				spec.Tags = append(spec.Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String("v-" + k)})
			}
			in.TagSpecifications = []ec2types.TagSpecification{spec}
		}
	}
	ab := e.run(t, 1, tagged("a", "b"))
	ba := e.run(t, 1, tagged("b", "a"))
	if ids(ab)[0] != ids(ba)[0] {
		t.Fatalf("reordered tags launched a new instance")
	}
	_, err = e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Large,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[0]), ClientToken: aws.String("pool-y-slot-0"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("a"), Value: aws.String("changed")}, {Key: aws.String("b"), Value: aws.String("v-b")}}}},
	})
	expectCode(t, err, "IdempotentParameterMismatch")
	// A failed launch does not consume its token.
	cfg := fastConfig()
	cfg.InsufficientCapacity = []string{"us-east-1a"}
	if err := e.world.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	_, err = e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Large,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[0]), ClientToken: aws.String("slot-9"),
	}, func(o *ec2.Options) { o.RetryMaxAttempts = 1 })
	expectCode(t, err, "InsufficientInstanceCapacity")
	e.run(t, 1, func(in *ec2.RunInstancesInput) {
		in.SubnetId = aws.String(e.world.SubnetIDs()[1])
		in.ClientToken = aws.String("slot-9")
	})
}

func TestDescribeInstancesPagesPast1000(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	pool := func(in *ec2.RunInstancesInput) {
		in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("stratos.sh/pool"), Value: aws.String("big")}}}}
	}
	e.run(t, 1000, pool)
	e.run(t, 203, pool)
	e.run(t, 7) // untagged: filtered out
	e.world.ResetStats()
	for _, tc := range []struct {
		pageSize int32
		pages    int
	}{{1000, 2}, {5, 241}} {
		p := ec2.NewDescribeInstancesPaginator(e.ec2, &ec2.DescribeInstancesInput{
			MaxResults: aws.Int32(tc.pageSize),
			Filters:    []ec2types.Filter{{Name: aws.String("tag:stratos.sh/pool"), Values: []string{"big"}}},
		})
		pages, total := 0, 0
		seen := map[string]bool{}
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("page %d: %v", pages, err)
			}
			pages++
			n := 0
			for _, r := range out.Reservations {
				for _, inst := range r.Instances {
					if seen[aws.ToString(inst.InstanceId)] {
						t.Fatalf("instance %s returned twice", aws.ToString(inst.InstanceId))
					}
					seen[aws.ToString(inst.InstanceId)] = true
					n++
				}
			}
			if n > int(tc.pageSize) {
				t.Fatalf("page of %d instances exceeds MaxResults %d", n, tc.pageSize)
			}
			total += n
		}
		if total != 1203 || pages != tc.pages {
			t.Errorf("page size %d: %d instances in %d pages, want 1203 in %d", tc.pageSize, total, pages, tc.pages)
		}
	}
	if got := e.world.Stats().Calls["DescribeInstances"]; got != 2+241 {
		t.Errorf("DescribeInstances calls = %d, want %d", got, 2+241)
	}
	// Without MaxResults everything comes back in one response, grouped by reservation.
	out, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Reservations) != 3 || len(out.Reservations[0].Instances) != 1000 || out.NextToken != nil {
		t.Fatalf("got %d reservations (first has %d instances), token %v", len(out.Reservations), len(out.Reservations[0].Instances), out.NextToken)
	}
}

func TestDescribeInstancesFilters(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	subnets := e.world.SubnetIDs()
	tagged := func(pool string) func(*ec2.RunInstancesInput) {
		return func(in *ec2.RunInstancesInput) {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{
				{Key: aws.String("stratos.sh/pool"), Value: aws.String(pool)}, {Key: aws.String("team"), Value: aws.String("infra")}}}}
		}
	}
	a := e.run(t, 2, tagged("alpha"))
	b := e.run(t, 3, tagged("beta"), func(in *ec2.RunInstancesInput) { in.SubnetId = aws.String(subnets[2]) })
	c := e.run(t, 1)
	e.waitState(t, cloud.StateRunning, append(append(ids(a), ids(b)...), ids(c)...)...)
	if _, err := e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids(b)[:1]}); err != nil {
		t.Fatal(err)
	}
	count := func(filters ...ec2types.Filter) int {
		t.Helper()
		out, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: filters})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range out.Reservations {
			n += len(r.Instances)
		}
		return n
	}
	f := func(name string, values ...string) ec2types.Filter {
		return ec2types.Filter{Name: aws.String(name), Values: values}
	}
	for _, tc := range []struct {
		name    string
		filters []ec2types.Filter
		want    int
	}{
		{"tag value", []ec2types.Filter{f("tag:stratos.sh/pool", "alpha")}, 2},
		{"tag values OR", []ec2types.Filter{f("tag:stratos.sh/pool", "alpha", "beta")}, 5},
		{"tag wildcard", []ec2types.Filter{f("tag:stratos.sh/pool", "b*")}, 3},
		{"tag-key", []ec2types.Filter{f("tag-key", "team")}, 5},
		{"filters AND", []ec2types.Filter{f("tag:stratos.sh/pool", "beta"), f("instance-state-name", "running")}, 2},
		{"state", []ec2types.Filter{f("instance-state-name", "stopping", "stopped")}, 1},
		{"subnet", []ec2types.Filter{f("subnet-id", subnets[2])}, 3},
		{"az", []ec2types.Filter{f("availability-zone", "us-east-1a")}, 3},
		{"instance-id", []ec2types.Filter{f("instance-id", ids(c)[0])}, 1},
		{"instance-type", []ec2types.Filter{f("instance-type", "m5.large")}, 6},
	} {
		if got := count(tc.filters...); got != tc.want {
			t.Errorf("%s: %d instances, want %d", tc.name, got, tc.want)
		}
	}
	_, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{f("colour", "red")}})
	expectCode(t, err, "InvalidParameterValue")
}

func TestDescribeInstancesByID(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	insts := e.run(t, 2)
	out, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids(insts)})
	if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 2 {
		t.Fatalf("describe by id: %v %+v", err, out)
	}
	_, err = e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{ids(insts)[0], "i-0123456789abcdef0"}})
	expectCode(t, err, "InvalidInstanceID.NotFound")
	_, err = e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-nope"}})
	expectCode(t, err, "InvalidInstanceID.Malformed")
	_, err = e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids(insts), MaxResults: aws.Int32(5)})
	expectCode(t, err, "InvalidParameterCombination")
	_, err = e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(4)})
	expectCode(t, err, "InvalidParameterValue")
	_, err = e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5), NextToken: aws.String("garbage")})
	expectCode(t, err, "InvalidPaginationToken")
}

func TestInstanceLifecycleWithWaiters(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	insts := e.run(t, 3)
	in := &ec2.DescribeInstancesInput{InstanceIds: ids(insts)}
	fast := func(min, max *time.Duration) { *min, *max = 5*time.Millisecond, 20*time.Millisecond }
	if err := ec2.NewInstanceRunningWaiter(e.ec2, func(o *ec2.InstanceRunningWaiterOptions) { fast(&o.MinDelay, &o.MaxDelay) }).Wait(ctx, in, 10*time.Second); err != nil {
		t.Fatalf("running: %v", err)
	}
	stop, err := e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids(insts), Force: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range stop.StoppingInstances {
		if sc.PreviousState.Name != ec2types.InstanceStateNameRunning || sc.CurrentState.Name != ec2types.InstanceStateNameStopping || aws.ToInt32(sc.CurrentState.Code) != 64 {
			t.Errorf("stop change %s: %s → %s", aws.ToString(sc.InstanceId), sc.PreviousState.Name, sc.CurrentState.Name)
		}
	}
	if err := ec2.NewInstanceStoppedWaiter(e.ec2, func(o *ec2.InstanceStoppedWaiterOptions) { fast(&o.MinDelay, &o.MaxDelay) }).Wait(ctx, in, 10*time.Second); err != nil {
		t.Fatalf("stopped: %v", err)
	}
	// Stopping a stopped instance is a no-op that succeeds.
	again, err := e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids(insts)[:1]})
	if err != nil || again.StoppingInstances[0].CurrentState.Name != ec2types.InstanceStateNameStopped {
		t.Fatalf("stop stopped: %v %+v", err, again)
	}
	start, err := e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids(insts)})
	if err != nil || start.StartingInstances[0].CurrentState.Name != ec2types.InstanceStateNamePending || start.StartingInstances[0].PreviousState.Name != ec2types.InstanceStateNameStopped {
		t.Fatalf("start: %v %+v", err, start)
	}
	if err := ec2.NewInstanceRunningWaiter(e.ec2, func(o *ec2.InstanceRunningWaiterOptions) { fast(&o.MinDelay, &o.MaxDelay) }).Wait(ctx, in, 10*time.Second); err != nil {
		t.Fatalf("running again: %v", err)
	}
	term, err := e.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(insts)})
	if err != nil || term.TerminatingInstances[0].CurrentState.Name != ec2types.InstanceStateNameShuttingDown {
		t.Fatalf("terminate: %v %+v", err, term)
	}
	if err := ec2.NewInstanceTerminatedWaiter(e.ec2, func(o *ec2.InstanceTerminatedWaiterOptions) { fast(&o.MinDelay, &o.MaxDelay) }).Wait(ctx, in, 10*time.Second); err != nil {
		t.Fatalf("terminated: %v", err)
	}
	// Terminating again succeeds and reports terminated → terminated.
	term, err = e.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(insts)[:1]})
	if err != nil || term.TerminatingInstances[0].PreviousState.Name != ec2types.InstanceStateNameTerminated {
		t.Fatalf("terminate terminated: %v %+v", err, term)
	}
}

func TestIncorrectInstanceState(t *testing.T) {
	cfg := fastConfig()
	cfg.Latency.Stop = cloud.Duration(time.Hour) // hold instances in "stopping"
	e := newEnv(t, cfg)
	ctx := context.Background()
	cfg.Latency.Launch = cloud.Duration(time.Hour)
	insts := e.run(t, 3)
	e.waitState(t, cloud.StateRunning, ids(insts)...)
	if err := e.world.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	pending := e.run(t, 1)
	_, err := e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids(pending)})
	expectCode(t, err, "IncorrectInstanceState")

	a, b, c := ids(insts)[0], ids(insts)[1], ids(insts)[2]
	if _, err := e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{a}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{a}})
	expectCode(t, err, "IncorrectInstanceState")
	if _, err := e.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{b}}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateTerminated, b)
	_, err = e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{b}})
	expectCode(t, err, "IncorrectInstanceState")
	// One bad id fails the whole batch: c stays running.
	_, err = e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{c, b}})
	expectCode(t, err, "IncorrectInstanceState")
	if _, s, _ := e.world.Instance(c); s != cloud.StateRunning {
		t.Fatalf("instance in failed batch changed state to %s", s)
	}
	// Starting a running instance is a no-op.
	out, err := e.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{c}})
	if err != nil || out.StartingInstances[0].CurrentState.Name != ec2types.InstanceStateNameRunning {
		t.Fatalf("start running: %v %+v", err, out)
	}
	_, err = e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	expectCode(t, err, "InvalidInstanceID.NotFound")
}

func TestTerminatedInstancesStayVisibleForAWhile(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	e := newEnv(t, fastConfig(), withClock(clock))
	ctx := context.Background()
	insts := e.run(t, 2)
	if _, err := e.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(insts)}); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cloud.StateTerminated, ids(insts)...)
	clock.Advance(59 * time.Minute)
	out, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"terminated"}}}})
	if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 2 {
		t.Fatalf("terminated instances not visible after 59m: %v %+v", err, out)
	}
	if r := out.Reservations[0].Instances[0].StateReason; r == nil || aws.ToString(r.Code) != "Client.UserInitiatedShutdown" {
		t.Errorf("state reason %+v", r)
	}
	clock.Advance(2 * time.Minute)
	out, err = e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil || len(out.Reservations) != 0 {
		t.Fatalf("terminated instances still visible after 61m: %v %+v", err, out)
	}
	_, err = e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids(insts)})
	expectCode(t, err, "InvalidInstanceID.NotFound")
	if n := len(e.world.AllInstances()); n != 2 {
		t.Fatalf("AllInstances lists %d, want 2", n)
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	insts := e.run(t, 3)
	_, err := e.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids(insts), Tags: []ec2types.Tag{
		{Key: aws.String("stratos.sh/state"), Value: aws.String("standby")}, {Key: aws.String("keep"), Value: aws.String("1")}, {Key: aws.String("empty"), Value: aws.String("")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ec2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: ids(insts)[:2], Tags: []ec2types.Tag{
		{Key: aws.String("stratos.sh/state")}, {Key: aws.String("keep"), Value: aws.String("other")}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids(insts)})
	if err != nil {
		t.Fatal(err)
	}
	for i, inst := range out.Reservations[0].Instances {
		_, hasState := tagValue(inst.Tags, "stratos.sh/state")
		keep, hasKeep := tagValue(inst.Tags, "keep")
		empty, hasEmpty := tagValue(inst.Tags, "empty")
		if hasState != (i == 2) || !hasKeep || keep != "1" || !hasEmpty || empty != "" {
			t.Errorf("instance %d tags %+v", i, inst.Tags)
		}
	}
	_, err = e.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"i-0123456789abcdef0"}, Tags: []ec2types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	expectCode(t, err, "InvalidInstanceID.NotFound")
	_, err = e.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids(insts), Tags: []ec2types.Tag{{Key: aws.String("aws:reserved"), Value: aws.String("b")}}})
	expectCode(t, err, "InvalidParameterValue")
}

func TestGetConsoleOutput(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	id := ids(e.run(t, 1))[0]
	out, err := e.ec2.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String(id)})
	if err != nil || out.Output != nil {
		t.Fatalf("empty console: %v %v", err, out.Output)
	}
	var w cloud.ConsoleWriter = e.world
	w.AppendConsoleOutput(id, "Welcome to Bottlerocket\n")
	w.AppendConsoleOutput(id, "settings.kubernetes.cluster-name is missing\n")
	out, err = e.ec2.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String(id), Latest: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	text, _ := base64.StdEncoding.DecodeString(aws.ToString(out.Output))
	if string(text) != "Welcome to Bottlerocket\nsettings.kubernetes.cluster-name is missing\n" || aws.ToString(out.InstanceId) != id || out.Timestamp == nil {
		t.Fatalf("console output %q %+v", text, out)
	}
	// Like AWS, only the most recent 64 KiB are kept.
	w.AppendConsoleOutput(id, strings.Repeat("x", 70<<10)+"last line\n")
	out, err = e.ec2.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	text, _ = base64.StdEncoding.DecodeString(aws.ToString(out.Output))
	if len(text) != 64<<10 || !strings.HasSuffix(string(text), "last line\n") {
		t.Fatalf("console output of %d bytes", len(text))
	}
	_, err = e.ec2.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String("i-0123456789abcdef0")})
	expectCode(t, err, "InvalidInstanceID.NotFound")
}
