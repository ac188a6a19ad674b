package nodes

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/kube"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// The package shares one real apiserver and one simulator; tests that need
// them run sequentially and use distinct instances.
var (
	cluster *kube.Cluster
	client  kubernetes.Interface
	world   *fakeWorld
	sim     *Simulator
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var err error
	var logw io.Writer
	if path := os.Getenv("STRATOS_SANDBOX_LOG"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer f.Close()
		logw = f
	}
	cluster, err = kube.Start(ctx, kube.Options{Log: logw, NodeMonitorGracePeriod: testGracePeriod})
	if err != nil {
		fmt.Fprintf(os.Stderr, "start apiserver: %v\n", err)
		return 1
	}
	defer cluster.Close()
	if client, err = cluster.Clientset(500, 1000); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	world = newFakeWorld()
	sim = New(Options{Client: client, World: world, Cluster: testCluster(), NodeLeaseDuration: testGracePeriod, Logf: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }})
	if err := sim.Start(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "start simulator: %v\n", err)
		return 1
	}
	defer sim.Close()
	return m.Run()
}

// testGracePeriod shortens the node lifecycle controller's grace period so
// a stopped node turns Unknown within the tests' deadlines.
const testGracePeriod = 8 * time.Second

func testCluster() Cluster {
	return Cluster{Name: "sandbox", Endpoint: cluster.Endpoint(), CACertPEM: cluster.CACertPEM()}
}

func needCluster(t *testing.T) {
	t.Helper()
	if cluster == nil {
		t.Skip("needs etcd and kube-apiserver (not in -short mode)")
	}
}

// fakeWorld stands in for the cloud world: a config, instance types and a
// console per instance.
type fakeWorld struct {
	mu      sync.Mutex
	cfg     cloud.Config
	console map[string]string
}

func newFakeWorld() *fakeWorld {
	cfg := cloud.DefaultConfig()
	ms := cloud.Duration(300 * time.Millisecond)
	cfg.Latency.Boot, cfg.Latency.CNI, cfg.Latency.Start = ms, ms, ms
	return &fakeWorld{cfg: cfg, console: map[string]string{}}
}

func (w *fakeWorld) Config() cloud.Config {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cfg
}

func (w *fakeWorld) setNetwork(t *testing.T, network string) {
	t.Helper()
	w.mu.Lock()
	w.cfg.Network = network
	w.mu.Unlock()
	if err := sim.SyncNetwork(context.Background()); err != nil {
		t.Fatalf("sync network %s: %v", network, err)
	}
}

func (w *fakeWorld) InstanceType(name string) (cloud.InstanceTypeInfo, bool) {
	switch name {
	case "m5.large":
		return cloud.InstanceTypeInfo{Name: name, VCPU: 2, MemoryMiB: 8192, MaxPods: 29, Architecture: "x86_64"}, true
	case "m6g.xlarge":
		return cloud.InstanceTypeInfo{Name: name, VCPU: 4, MemoryMiB: 16384, MaxPods: 58, Architecture: "arm64"}, true
	}
	return cloud.InstanceTypeInfo{}, false
}

// BottlerocketImage knows one 1.31 nvidia image; other AMIs are unknown.
func (w *fakeWorld) BottlerocketImage(id string) (string, string, bool) {
	if id == nvidiaImage {
		return "aws-k8s-1.31-nvidia", "1.29.0", true
	}
	return "", "", false
}

const nvidiaImage = "ami-0000000000000131a"

func (w *fakeWorld) AppendConsoleOutput(id, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.console[id] += text
}

func (w *fakeWorld) consoleOf(id string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.console[id]
}

var instanceSeq atomic.Int64

// newInstance is an instance whose user data joins the test cluster, plus
// the given extra [settings.kubernetes] lines.
func newInstance(extraKubernetesTOML string) cloud.InstanceInfo {
	n := instanceSeq.Add(1)
	ip := fmt.Sprintf("10.0.%d.%d", n/250, 1+n%250)
	return cloud.InstanceInfo{
		ID:               fmt.Sprintf("i-%017x", 0xa000+n),
		Region:           "us-east-1",
		AvailabilityZone: "us-east-1b",
		InstanceType:     "m5.large",
		Architecture:     "x86_64",
		ImageID:          "ami-0123456789abcdef0",
		PrivateDNSName:   "ip-" + strings.ReplaceAll(ip, ".", "-") + ".ec2.internal",
		PrivateIP:        ip,
		UserData:         base64.StdEncoding.EncodeToString([]byte(goodUserData(extraKubernetesTOML))),
		FirstBoot:        true,
	}
}

func goodUserData(extra string) string {
	return fmt.Sprintf(`[settings.kubernetes]
cluster-name = "sandbox"
api-server = %q
cluster-certificate = %q
%s
`, cluster.Endpoint(), base64.StdEncoding.EncodeToString(cluster.CACertPEM()), extra)
}

func gzipBase64(s string) string {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func send(kind cloud.InstanceEventKind, info cloud.InstanceInfo) {
	sim.InstanceChanged(cloud.InstanceEvent{Kind: kind, Instance: info})
}

// eventually polls cond until it returns "" (done) or the generous deadline
// passes; the last reason is the failure message.
func eventually(t *testing.T, what string, cond func() string) {
	t.Helper()
	eventuallyWithin(t, 60*time.Second, what, cond)
}

func eventuallyWithin(t *testing.T, limit time.Duration, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		if last = cond(); last == "" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: still not true after %s: %s", what, limit, last)
}

func taintStrings(taints []corev1.Taint) string {
	var s []string
	for _, t := range taints {
		s = append(s, t.ToString())
	}
	return strings.Join(s, ",")
}

// unreachableTaint is the node lifecycle controller's taint for a silent node.
const unreachableTaint = corev1.TaintNodeUnreachable

func getNode(t *testing.T, name string) *corev1.Node {
	t.Helper()
	node, err := client.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatalf("get node %s: %v", name, err)
	}
	return node
}

func nodeCondition(node *corev1.Node, typ corev1.NodeConditionType) *corev1.NodeCondition {
	for i := range node.Status.Conditions {
		if node.Status.Conditions[i].Type == typ {
			return &node.Status.Conditions[i]
		}
	}
	return nil
}

func waitNodeReady(t *testing.T, name string, want corev1.ConditionStatus) *corev1.Node {
	t.Helper()
	var node *corev1.Node
	eventually(t, "node "+name+" Ready="+string(want), func() string {
		node = getNode(t, name)
		if node == nil {
			return "not registered"
		}
		c := nodeCondition(node, corev1.NodeReady)
		if c == nil || c.Status != want {
			return fmt.Sprintf("Ready condition %+v", c)
		}
		return ""
	})
	return node
}

func podsOn(t *testing.T, nodeName string) []corev1.Pod {
	t.Helper()
	list, err := client.CoreV1().Pods(metav1.NamespaceAll).List(context.Background(), metav1.ListOptions{FieldSelector: "spec.nodeName=" + nodeName})
	if err != nil {
		t.Fatalf("list pods on %s: %v", nodeName, err)
	}
	return list.Items
}

// daemonPodOn finds the pod of DaemonSet ns/name on the node.
func daemonPodOn(t *testing.T, nodeName, ns, name string) *corev1.Pod {
	t.Helper()
	for _, p := range podsOn(t, nodeName) {
		if daemonSetOwner(&p) == ns+"/"+name {
			return &p
		}
	}
	return nil
}

func waitDaemonPodReady(t *testing.T, nodeName, ns, name string, want bool) *corev1.Pod {
	t.Helper()
	var pod *corev1.Pod
	eventually(t, fmt.Sprintf("pod of %s/%s on %s ready=%v", ns, name, nodeName, want), func() string {
		pod = daemonPodOn(t, nodeName, ns, name)
		if pod == nil {
			return "no pod"
		}
		if pod.Status.Phase != corev1.PodRunning || podReady(pod) != want {
			return fmt.Sprintf("phase %s ready %v", pod.Status.Phase, podReady(pod))
		}
		return ""
	})
	return pod
}

func hasImage(node *corev1.Node, image string) bool {
	for _, img := range node.Status.Images {
		for _, n := range img.Names {
			if n == image {
				return img.SizeBytes > 0
			}
		}
	}
	return false
}
