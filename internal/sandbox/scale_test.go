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
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestThousandNodes launches 1,000 instances at once and waits for 1,000
// Ready nodes with Ready aws-node pods. It takes a few minutes on a small
// machine, so it runs only with STRATOS_SANDBOX_SCALE=1; it logs how long
// each stage took (informational, never asserted).
func TestThousandNodes(t *testing.T) {
	need(t)
	if os.Getenv("STRATOS_SANDBOX_SCALE") != "1" {
		t.Skip("set STRATOS_SANDBOX_SCALE=1 to launch 1,000 instances")
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
	for i := 0; i < total/250; i++ {
		_, err := client.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(image), InstanceType: ec2types.InstanceTypeM5Large,
			MinCount: aws.Int32(250), MaxCount: aws.Int32(250),
			SubnetId: aws.String(subnets[i%len(subnets)]), UserData: aws.String(userData),
		})
		if err != nil {
			t.Fatalf("RunInstances: %v", err)
		}
	}
	t.Logf("launched %d instances in %s", total, time.Since(start).Round(time.Millisecond))
	deadline := time.Now().Add(2 * time.Minute)
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
			return
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
			t.Fatalf("after 2 minutes: %d/%d nodes Ready, %d aws-node pods Ready", ready, total, podsReady)
		}
		time.Sleep(time.Second)
	}
}
