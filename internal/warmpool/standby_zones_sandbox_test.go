package warmpool_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/kube"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// nodeMonitorPeriod is kube-controller-manager's default
// --node-monitor-period (v1.32), which the sandbox does not change: how often
// the node lifecycle controller checks nodes and recomputes zone states.
const nodeMonitorPeriod = 5 * time.Second

// A standby pool larger than the rest of the cluster leaves every zone
// Normal, as the real kube-controller-manager's node lifecycle controller
// sees it, because a verified-stopped instance has no Node.
//
// Zones a and b each hold one running node that is not the pool's and three
// of the pool's standby instances. Had the pool kept their Nodes, each zone
// would count 3 NotReady of 4 (75 %, more than 2): PartialDisruption. Zone c
// holds one more running node, the witness, which the test stops behind
// everyone's back once the pool is in standby: its Node stays (the cloud
// controller keeps the Node of a stopped instance), so within the window
// the node lifecycle controller must mark it NotReady and zone c
// FullDisruption. That proves the window and the metric readings can see
// what a kept standby Node would have done (TestThousandNodes in
// internal/sandbox shows it at 1,000 nodes).
func TestEngine_StandbyLeavesZonesNormal(t *testing.T) {
	f := newFixture(t)
	f.asProvider()
	sb := sandboxtest.Get(t)
	ctx := context.Background()

	const poolZoneA, poolZoneB, witnessZone = "us-east-1a", "us-east-1b", "us-east-1c"
	label := fmt.Sprintf("zones-%d-%d", os.Getpid(), poolSeq.Add(1))
	bystanders := f.runBystanders(label, poolZoneA, poolZoneB, witnessZone)
	witness := bystanders[witnessZone]

	pool := f.pool("zones", 6, func(p *warmpool.Pool, _ *nodeclass.Info) {
		p.Launch.Subnets = slices.DeleteFunc(p.Launch.Subnets, func(s nodeclass.Subnet) bool { return s.AvailabilityZone == witnessZone })
	})
	f.converge(pool)
	perZone := map[string]int{}
	for _, i := range f.standby(pool) {
		perZone[i.AvailabilityZone]++
	}
	if perZone[poolZoneA] < 3 || perZone[poolZoneB] < 3 {
		t.Fatalf("standby per zone %v: want at least 3 in each of %s and %s (more than the zone's other node)", perZone, poolZoneA, poolZoneB)
	}

	if _, err := f.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{witness}}); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	// The pool's instances stopped before the converge returned, the witness
	// after it: by the end of the window every one of them is past the
	// grace period and a few monitor passes.
	window := sb.Cluster().NodeMonitorGracePeriod() + 3*nodeMonitorPeriod
	t.Logf("watching zones for %s (grace period %s + 3 monitor passes)", window, sb.Cluster().NodeMonitorGracePeriod())
	var witnessState kube.ZoneState
	for end := time.Now().Add(window); time.Now().Before(end); time.Sleep(2 * time.Second) {
		zones, err := sb.Cluster().Zones(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{poolZoneA, poolZoneB, witnessZone} {
			z, ok := zoneNamed(zones, want)
			if !ok {
				t.Fatalf("kube-controller-manager reports no zone %s (it has a running node): %+v", want, zones)
			}
			if want == witnessZone {
				if z.State != witnessState {
					t.Logf("witness zone %s: %s (%d of %d unhealthy), %s after its stop", want, z.State, z.Unhealthy, z.Size, time.Since(stopped).Round(time.Second))
				}
				witnessState = z.State
			} else if z.State != kube.ZoneNormal {
				t.Fatalf("zone %s is %s (%d of %d nodes unhealthy) with the pool in standby: %+v", want, z.State, z.Unhealthy, z.Size, zones)
			}
		}
		if nodes := poolNodesOf(t, sb.Kubernetes(), pool); len(nodes) != 0 {
			t.Fatalf("the standby pool has %d Nodes (first %s, Ready %s): a stopped instance must have none", len(nodes), nodes[0].Name, readyCondition(&nodes[0]))
		}
	}
	zones, err := sb.Cluster().Zones(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("zones at the end of the window: %+v", zones)
	if witnessState != kube.ZoneFullDisruption {
		t.Fatalf("the witness zone %s is %q after the window, want FullDisruption: the window is too short to show what a kept standby Node would do", witnessZone, witnessState)
	}
}

// runBystanders launches one running instance, not the pool's, in each of
// zones, and waits until their Nodes are Ready and initialized by the cloud
// controller (zone label set). It returns their ids by zone; they are
// terminated, and their Nodes gone, when the test ends.
func (f *fixture) runBystanders(label string, zones ...string) map[string]string {
	f.t.Helper()
	ctx := context.Background()
	doc, problems := bottlerocket.Render(bottlerocket.Input{
		ClusterName:        "sandbox",
		APIServer:          os.Getenv("STRATOS_SANDBOX_CLUSTER_ENDPOINT"),
		ClusterCertificate: os.Getenv("STRATOS_SANDBOX_CLUSTER_CA"),
		ServiceCIDR:        os.Getenv("STRATOS_SANDBOX_SERVICE_CIDR"),
		NodeLabels:         map[string]string{bystanderLabel: label},
		Strict:             true,
	})
	if doc == nil {
		f.t.Fatalf("render: %+v", problems)
	}
	subnets, err := f.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("availability-zone"), Values: zones}},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	ids := map[string]string{}
	for _, s := range subnets.Subnets {
		zone := aws.ToString(s.AvailabilityZone)
		if ids[zone] != "" {
			continue
		}
		out, err := f.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(f.image), InstanceType: ec2types.InstanceTypeM5Large,
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: s.SubnetId,
			UserData: aws.String(base64.StdEncoding.EncodeToString([]byte(doc.TOML))),
		})
		if err != nil {
			f.t.Fatal(err)
		}
		ids[zone] = aws.ToString(out.Instances[0].InstanceId)
	}
	client := sandboxtest.Get(f.t).Kubernetes()
	selector := metav1.ListOptions{LabelSelector: bystanderLabel + "=" + label}
	f.t.Cleanup(func() {
		var all []string
		for _, id := range ids {
			all = append(all, id)
		}
		if _, err := f.ec2.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: all}); err != nil {
			f.t.Errorf("terminate bystanders: %v", err)
			return
		}
		// The cloud controller deletes the Nodes of terminated instances;
		// later tests must not find them in their zones.
		waitFor(f.t, "bystander Nodes deleted", func() bool {
			nodes, err := client.CoreV1().Nodes().List(context.Background(), selector)
			return err == nil && len(nodes.Items) == 0
		})
	})
	if len(ids) != len(zones) {
		f.t.Fatalf("bystanders in %v, want one in each of %v", ids, zones)
	}
	waitFor(f.t, "bystander Nodes Ready", func() bool {
		nodes, err := client.CoreV1().Nodes().List(ctx, selector)
		if err != nil {
			f.t.Fatal(err)
		}
		ready := 0
		for i := range nodes.Items {
			n := &nodes.Items[i]
			if readyCondition(n) == corev1.ConditionTrue && n.Labels[corev1.LabelTopologyZone] != "" {
				ready++
			}
		}
		return ready == len(zones)
	})
	return ids
}

// bystanderLabel marks the test's nodes that are not the pool's.
const bystanderLabel = "example.com/bystander"

func zoneNamed(zones []kube.Zone, name string) (kube.Zone, bool) {
	for _, z := range zones {
		if z.Name == name {
			return z, true
		}
	}
	return kube.Zone{}, false
}

func poolNodesOf(t *testing.T, client kubernetes.Interface, pool warmpool.Pool) []corev1.Node {
	t.Helper()
	nodes, err := client.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{LabelSelector: keys.PoolID + "=" + pool.ID()})
	if err != nil {
		t.Fatal(err)
	}
	return nodes.Items
}

func readyCondition(n *corev1.Node) corev1.ConditionStatus {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status
		}
	}
	return corev1.ConditionUnknown
}
