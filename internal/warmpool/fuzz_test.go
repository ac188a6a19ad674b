package warmpool

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// The engine trusts nothing it reads from EC2 or Kubernetes: tags and node
// fields can be edited by anyone with access to the account or cluster. These
// targets feed it arbitrary values and check that it neither panics nor
// misreads them. `go test` runs the seeds; `go test -fuzz=<name>` explores.

func FuzzInstanceFromEC2(f *testing.F) {
	f.Add("i-0123456789abcdef0", "stopped", "us-east-1a", "standby", "abc123", "4", "2", "", int64(1700000000))
	f.Add("i-1", "running", "", "warmup", "", "", "", "", int64(0))
	f.Add("", "shutting-down", "us-east-1c", "bogus", "x", "-3", "9999999999999999999999", "warmup-timeout", int64(-1))
	f.Add("i-2", "", "us-east-1b", "", "", "0x10", " 1", "\x00", int64(1<<40))
	f.Add("i-3", "terminated", "a/b", "stopping", "h", "+7", "007", "", int64(1))
	f.Fuzz(func(t *testing.T, id, state, az, stateTag, hash, classVer, round, failure string, launchUnix int64) {
		in := ec2types.Instance{
			InstanceId: aws.String(id),
			State:      &ec2types.InstanceState{Name: ec2types.InstanceStateName(state)},
			Placement:  &ec2types.Placement{AvailabilityZone: aws.String(az)},
			LaunchTime: aws.Time(time.Unix(launchUnix, 0)),
			Tags: []ec2types.Tag{
				{Key: aws.String(keys.State), Value: aws.String(stateTag)},
				{Key: aws.String(keys.ConfigHash), Value: aws.String(hash)},
				{Key: aws.String(keys.NodeClassVersion), Value: aws.String(classVer)},
				{Key: aws.String(keys.LaunchRound), Value: aws.String(round)},
				{Key: aws.String(keys.Failure), Value: aws.String(failure)},
				{Key: nil, Value: nil}, // EC2 never sends one, but the SDK type allows it
			},
		}
		got := instanceFromEC2(in)
		if got.ID != id || got.AvailabilityZone != az || string(got.EC2State) != state || string(got.State) != stateTag ||
			got.ConfigHash != hash || got.Failure != failure {
			t.Fatalf("fields not carried over: %+v", got)
		}
		// Numbers that are not numbers read as 0; out-of-range ones are
		// clamped (strconv's rule), never wrapped around.
		if want, err := strconv.ParseInt(classVer, 10, 64); got.ClassVersion != want || (isSyntaxError(err) && want != 0) {
			t.Fatalf("class version %q read as %d", classVer, got.ClassVersion)
		}
		// A launch round the pool cannot have written reads as 0, so the
		// next round never overflows.
		want, err := strconv.Atoi(round)
		if err != nil || want < 0 || want >= maxLaunchRound {
			want = 0
		}
		if got.LaunchRound != want || got.LaunchRound+1 <= 0 {
			t.Fatalf("launch round %q read as %d", round, got.LaunchRound)
		}
		// An instance is in at most one power phase.
		phases := 0
		for _, b := range []bool{got.Gone(), got.PoweredOn(), got.PoweredOff()} {
			if b {
				phases++
			}
		}
		if phases > 1 {
			t.Fatalf("state %q is in %d phases", state, phases)
		}
		// A node of this instance is found again by its provider id.
		if strings.HasPrefix(id, "i-") && !strings.Contains(id, "/") {
			if back := InstanceIDFromProviderID(got.ProviderID()); back != id {
				t.Fatalf("provider id %q gives back %q, want %q", got.ProviderID(), back, id)
			}
		}
		// A bare instance (no tags, state or placement, as a launch response may be) is read as empty, not a crash.
		_ = instanceFromEC2(ec2types.Instance{InstanceId: aws.String(id)})
	})
}

func FuzzInstanceIDFromProviderID(f *testing.F) {
	for _, s := range []string{
		"aws:///us-east-1a/i-0123456789abcdef0", "aws://us-east-1a/i-1", "aws:///i-2", "aws:///us-east-1a/",
		"kind://docker/kind/node", "aws:///us-east-1a/i-3/", "", "aws://", "i-4", "aws:///us-east-1a/ami-5",
		"AWS:///us-east-1a/i-6", "aws:///us-east-1a/i-7\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, providerID string) {
		id := InstanceIDFromProviderID(providerID)
		if id == "" {
			return
		}
		if !strings.HasPrefix(providerID, "aws://") {
			t.Fatalf("%q is not an AWS provider id but gave %q", providerID, id)
		}
		if !strings.HasPrefix(id, "i-") || strings.Contains(id, "/") || !strings.HasSuffix(providerID, "/"+id) {
			t.Fatalf("%q gave %q, not the last path element naming an instance", providerID, id)
		}
	})
}

func FuzzUnknownIDs(f *testing.F) {
	f.Add("The instance ID 'i-0abc' does not exist", "i-0abc", "i-0def")
	f.Add("The instance IDs 'i-1, i-2' do not exist", "i-1", "i-2")
	f.Add("", "i-1", "")
	f.Add("i-10 is gone", "i-1", "i-10")
	f.Fuzz(func(t *testing.T, message, a, b string) {
		ids := []string{a, b}
		unknown := unknownIDs(message, ids)
		for id := range unknown {
			if id != a && id != b {
				t.Fatalf("unknownIDs invented %q", id)
			}
		}
		rest := without(ids, unknown)
		if len(rest)+countIn(ids, unknown) != len(ids) {
			t.Fatalf("without(%v, %v) = %v loses or duplicates ids", ids, unknown, rest)
		}
		for _, id := range rest {
			if unknown[id] {
				t.Fatalf("without kept unknown id %q", id)
			}
		}
	})
}

func isSyntaxError(err error) bool {
	var numErr *strconv.NumError
	return errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrSyntax)
}

func countIn(ids []string, set map[string]bool) int {
	n := 0
	for _, id := range ids {
		if set[id] {
			n++
		}
	}
	return n
}

func FuzzConsoleTail(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString([]byte("line 1\nline 2\nkubelet: node not ready\n")), 2)
	f.Add("not base64 at all\n", 5)
	f.Add("", 1)
	f.Add(base64.StdEncoding.EncodeToString([]byte("\n\n\n")), 0)
	f.Add(base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe, '\n', 0}), 3)
	f.Fuzz(func(t *testing.T, output string, n int) {
		if n < 1 || n > 100 {
			n = 5
		}
		text := decodeConsole(output)
		if raw, err := base64.StdEncoding.DecodeString(output); err == nil && text != string(raw) {
			t.Fatalf("valid base64 not decoded")
		}
		tail := lastLines(text, n)
		if got := strings.Count(tail, "\n") + 1; got > n {
			t.Fatalf("lastLines(_, %d) returned %d lines", n, got)
		}
		if !strings.HasSuffix(strings.TrimRight(text, "\n"), tail) {
			t.Fatalf("tail %q is not the end of %q", tail, text)
		}
	})
}

func FuzzEvaluateNode(f *testing.F) {
	f.Add("True", "KubeletReady", "kubelet is posting ready status", "True", "CiliumIsUp", "Running", "True", "vpc-cni", "registry/app:1", true)
	f.Add("False", "", "", "", "", "Pending", "False", "cilium", "", false)
	f.Add("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", "False", "CalicoIsUp", "", "", "calico", "x", true)
	f.Add("True", "", "", "", "", "Running", "True", "none", "", true)
	f.Fuzz(func(t *testing.T, readyStatus, readyReason, readyMessage, netStatus, netReason, podPhase, podReady, network, image string, waitDS bool) {
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: "ip-10-0-0-1.ec2.internal", Labels: map[string]string{"kubernetes.io/os": "linux"}},
			Spec:       corev1.NodeSpec{ProviderID: "aws:///us-east-1a/i-1"},
			Status: corev1.NodeStatus{
				Conditions: []corev1.NodeCondition{
					{Type: corev1.NodeReady, Status: corev1.ConditionStatus(readyStatus), Reason: readyReason, Message: readyMessage},
					{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionStatus(netStatus), Reason: netReason},
					{Type: conditionNetworkingReady, Status: corev1.ConditionStatus(netStatus)},
				},
				Images: []corev1.ContainerImage{{Names: []string{image}}},
			},
		}
		ds := &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "aws-node"},
			Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: image}}},
			}},
		}
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "aws-node-x", Labels: map[string]string{awsNodeLabel: awsNodeValue},
				OwnerReferences: []metav1.OwnerReference{{Kind: "DaemonSet", Name: "aws-node", Controller: aws.Bool(true)}}},
			Spec: corev1.PodSpec{NodeName: node.Name},
			Status: corev1.PodStatus{Phase: corev1.PodPhase(podPhase),
				Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionStatus(podReady)}}},
		}
		spec := WarmupSpec{WaitForDaemonSets: waitDS, Images: []string{image}}
		view := ClusterView{PodsOnNode: []*corev1.Pod{pod}, DaemonSets: []*appsv1.DaemonSet{ds}}
		net := Network(network)
		if net == NetworkAuto {
			net = DetectNetwork(view.DaemonSets)
		}
		r := EvaluateNode(node, view, spec, net)
		if r.Ready && readyStatus != string(corev1.ConditionTrue) {
			t.Fatalf("ready with Ready=%q", readyStatus)
		}
		if !r.Ready && r.WaitingFor == "" {
			t.Fatalf("not ready and waiting for nothing")
		}
		if r.Ready && r.WaitingFor != "" {
			t.Fatalf("ready but waiting for %q", r.WaitingFor)
		}
		if EvaluateNode(nil, view, spec, net).Ready {
			t.Fatalf("no node is never ready")
		}
	})
}

func FuzzPoolIdentity(f *testing.F) {
	f.Add("sandbox", "web")
	f.Add("", "")
	f.Add("a\x00b", "c")
	f.Add("prod/eu", "pool-1")
	f.Fuzz(func(t *testing.T, cluster, name string) {
		id := PoolID(cluster, name)
		// The id is a label value and a tag value: short and plain.
		if len(id) > 63 || !strings.HasPrefix(id, "wp-") || strings.Trim(id[3:], "0123456789abcdef") != "" {
			t.Fatalf("PoolID(%q, %q) = %q is not a valid label value", cluster, name, id)
		}
		if cluster != name && PoolID(name, cluster) == id {
			t.Fatalf("cluster and name are interchangeable in %q", id)
		}
		if err := nodeclass.ValidateName(name); err == nil {
			if len(name) == 0 || len(name) > 63 || strings.ToLower(name) != name || strings.ContainsAny(name, "/_. ") {
				t.Fatalf("ValidateNodeClassName accepted %q", name)
			}
		}
	})
}
