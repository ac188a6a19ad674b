package sandbox

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/kube"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestThousandNodes launches 1,000 instances at once, waits for 1,000
// Ready nodes with Ready aws-node pods, stops them all (nodes unreachable)
// and terminates them all (nodes gone). A few minutes on two cores, most
// of it the node lifecycle controller's 40 s grace period and its
// rate-limited passes; STRATOS_SANDBOX_SCALE=0 skips it. It logs how long
// each stage took (informational, never asserted; the deadlines are
// generous timeouts for a loaded machine).
func TestThousandNodes(t *testing.T) {
	need(t)
	if os.Getenv("STRATOS_SANDBOX_SCALE") == "0" {
		t.Skip("STRATOS_SANDBOX_SCALE=0")
	}
	const total = 1000
	ctx := context.Background()
	env := sb.Env()
	userData := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(
		"[settings.kubernetes]\ncluster-name = %q\napi-server = %q\ncluster-certificate = %q\n[settings.kubernetes.node-labels]\n\"scale\" = \"yes\"\n",
		env["STRATOS_SANDBOX_CLUSTER_NAME"], env["STRATOS_SANDBOX_CLUSTER_ENDPOINT"], env["STRATOS_SANDBOX_CLUSTER_CA"])))
	image, _ := sb.World().ImageID("aws-k8s-1.32", "x86_64")
	client := ec2Client(t)
	start := time.Now()
	subnets := strings.Split(env["STRATOS_SANDBOX_SUBNET_IDS"], ",")
	var ids []string
	for i := 0; i < total/250; i++ {
		out, err := client.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(image), InstanceType: ec2types.InstanceTypeM5Large,
			MinCount: aws.Int32(250), MaxCount: aws.Int32(250),
			SubnetId: aws.String(subnets[i%len(subnets)]), UserData: aws.String(userData),
		})
		if err != nil {
			t.Fatalf("RunInstances: %v", err)
		}
		for _, inst := range out.Instances {
			ids = append(ids, aws.ToString(inst.InstanceId))
		}
	}
	t.Logf("launched %d instances in %s", total, time.Since(start).Round(time.Millisecond))
	deadline := time.Now().Add(5 * time.Minute)
	nodesReadyLogged := false
	for {
		nodes, err := sb.Kubernetes().CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "scale=yes"})
		if err != nil {
			t.Fatal(err)
		}
		ready := 0
		for i := range nodes.Items {
			if readyTrue(&nodes.Items[i]) {
				ready++
			}
		}
		pods, err := sb.Kubernetes().CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{LabelSelector: "k8s-app=aws-node"})
		if err != nil {
			t.Fatal(err)
		}
		podsReady := 0
		for _, p := range pods.Items {
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
					podsReady++
				}
			}
		}
		if ready == total && !nodesReadyLogged {
			t.Logf("%d nodes Ready after %s", total, time.Since(start).Round(time.Millisecond))
			nodesReadyLogged = true
		}
		if ready == total && podsReady >= total {
			t.Logf("%d aws-node pods Ready after %s", podsReady, time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			onNode := map[string]bool{}
			for _, p := range pods.Items {
				onNode[p.Spec.NodeName] = true
				if p.Status.Phase != corev1.PodRunning {
					t.Logf("pod %s on %s: phase %s conditions %+v", p.Name, p.Spec.NodeName, p.Status.Phase, p.Status.Conditions)
				}
			}
			for _, n := range nodes.Items {
				if !onNode[n.Name] {
					t.Logf("node %s has no aws-node pod; taints %v", n.Name, n.Spec.Taints)
				}
			}
			t.Fatalf("after 5 minutes: %d/%d nodes Ready, %d aws-node pods Ready", ready, total, podsReady)
		}
		time.Sleep(time.Second)
	}

	stopStart := time.Now()
	for i := 0; i < len(ids); i += 250 {
		if _, err := client.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids[i : i+250]}); err != nil {
			t.Fatalf("StopInstances: %v", err)
		}
	}
	waitNodes(t, "Ready=Unknown and unreachable", func(nodes []corev1.Node) bool {
		for i := range nodes {
			if !readyUnknown(&nodes[i]) {
				return false
			}
		}
		return len(nodes) == total
	})
	t.Logf("%d nodes Ready=Unknown %s after StopInstances", total, time.Since(stopStart).Round(time.Millisecond))
	logControlPlane(t)
	// The harm a standby pool must not do: kube-controller-manager puts
	// every zone of the stopped Nodes into (full or partial) disruption.
	// Only those zones: the package's other tests leave Nodes of their own
	// (some without zone labels) in the shared sandbox.
	stoppedZones := map[string]bool{}
	nodes, err := sb.Kubernetes().CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "scale=yes"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes.Items {
		stoppedZones[n.Labels[corev1.LabelTopologyZone]] = true
	}
	zoneDeadline := time.Now().Add(time.Minute)
	for {
		zones, err := sb.Cluster().Zones(ctx)
		if err != nil {
			t.Fatal(err)
		}
		disrupted := 0
		for _, z := range zones {
			if stoppedZones[z.Name] && z.State != kube.ZoneNormal {
				disrupted++
			}
		}
		if disrupted == len(stoppedZones) {
			t.Logf("zones after the stop: %+v", zones)
			break
		}
		if time.Now().After(zoneDeadline) {
			t.Fatalf("zones of stopped nodes not all disrupted: %+v", zones)
		}
		time.Sleep(time.Second)
	}

	terminateStart := time.Now()
	for i := 0; i < len(ids); i += 250 {
		if _, err := client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids[i : i+250]}); err != nil {
			t.Fatalf("TerminateInstances: %v", err)
		}
	}
	waitNodes(t, "no node left", func(nodes []corev1.Node) bool { return len(nodes) == 0 })
	t.Logf("%d nodes deleted %s after TerminateInstances", total, time.Since(terminateStart).Round(time.Millisecond))
	logControlPlane(t)
}

// logControlPlane logs what each control-plane process has cost so far
// (informational: what running the real controllers costs at this scale).
func logControlPlane(t *testing.T) {
	for _, st := range sb.Cluster().ProcessStats() {
		t.Logf("%s: CPU %s, RSS %d MB, peak RSS %d MB", st.Name, st.CPU.Round(time.Millisecond), st.RSS>>20, st.PeakRSS>>20)
	}
}

func waitNodes(t *testing.T, what string, done func([]corev1.Node) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		nodes, err := sb.Kubernetes().CoreV1().Nodes().List(context.Background(), metav1.ListOptions{LabelSelector: "scale=yes"})
		if err != nil {
			t.Fatal(err)
		}
		if done(nodes.Items) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached after 5 minutes (%d nodes)", what, len(nodes.Items))
		}
		time.Sleep(time.Second)
	}
}

func readyUnknown(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady && c.Status != corev1.ConditionUnknown {
			return false
		}
	}
	for _, taint := range n.Spec.Taints {
		if taint.Key == "node.kubernetes.io/unreachable" {
			return true
		}
	}
	return false
}
