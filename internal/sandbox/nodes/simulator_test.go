package nodes

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const awsNodeImage = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2"

func TestNodeJoins(t *testing.T) {
	needCluster(t)
	inst := newInstance(`max-pods = 42
[settings.kubernetes.node-labels]
"stratos.sh/pool" = "web"
"node.kubernetes.io/lifecycle" = "warm"
[settings.kubernetes.node-taints]
"stratos.sh/warmup" = ["true:NoSchedule", "true:NoExecute"]
"dedicated" = "gpu:PreferNoSchedule"
`)
	send(cloud.InstanceRunning, inst)
	node := waitNodeReady(t, inst.PrivateDNSName, corev1.ConditionTrue)

	if want := "aws:///us-east-1b/" + inst.ID; node.Spec.ProviderID != want {
		t.Errorf("providerID = %q, want %q", node.Spec.ProviderID, want)
	}
	wantTaints := []string{"dedicated=gpu:PreferNoSchedule", "stratos.sh/warmup=true:NoSchedule", "stratos.sh/warmup=true:NoExecute"}
	// The kubelet registers with the cloud provider's uninitialized taint,
	// the cloud controller lifts it.
	eventually(t, "taints from node-taints", func() string {
		var got []string
		for _, taint := range getNode(t, inst.PrivateDNSName).Spec.Taints {
			got = append(got, taint.ToString())
		}
		if strings.Join(got, ",") != strings.Join(wantTaints, ",") {
			return fmt.Sprintf("taints = %v, want %v", got, wantTaints)
		}
		return ""
	})
	node = getNode(t, inst.PrivateDNSName)
	for k, v := range map[string]string{
		"stratos.sh/pool": "web", "node.kubernetes.io/lifecycle": "warm",
		"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type": "m5.large",
		"topology.kubernetes.io/zone": "us-east-1b", "topology.kubernetes.io/region": "us-east-1",
		"kubernetes.io/hostname": inst.PrivateDNSName,
	} {
		if node.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, node.Labels[k], v)
		}
	}
	if got := node.Status.Capacity.Pods().Value(); got != 42 {
		t.Errorf("capacity pods = %d, want max-pods 42", got)
	}
	if got := node.Status.Capacity.Cpu().Value(); got != 2 {
		t.Errorf("capacity cpu = %d, want 2 (m5.large)", got)
	}
	if got := node.Status.Capacity.Memory().Value(); got != 8192<<20 {
		t.Errorf("capacity memory = %d, want 8 GiB", got)
	}
	if a, c := node.Status.Allocatable.Memory(), node.Status.Capacity.Memory(); a.Cmp(*c) >= 0 || a.Sign() <= 0 {
		t.Errorf("allocatable memory %s must be positive and below capacity %s", a, c)
	}
	if node.Status.NodeInfo.OSImage == "" || !strings.HasPrefix(node.Status.NodeInfo.KubeletVersion, "v1.32.") {
		t.Errorf("nodeInfo = %+v", node.Status.NodeInfo)
	}
	if nodeInternalIP(node) != inst.PrivateIP {
		t.Errorf("InternalIP = %q, want %q", nodeInternalIP(node), inst.PrivateIP)
	}

	// VPC CNI: the aws-node pod on the node turns Ready, and its images are then listed.
	waitDaemonPodReady(t, inst.PrivateDNSName, "kube-system", "aws-node", true)
	eventually(t, "aws-node image listed", func() string {
		if !hasImage(getNode(t, inst.PrivateDNSName), awsNodeImage) {
			return "not listed"
		}
		return ""
	})
	if c := world.consoleOf(inst.ID); !strings.Contains(c, "Started Kubelet") {
		t.Errorf("console does not show a successful boot:\n%s", c)
	}
}

// The AMI decides the kubelet and OS the node reports.
func TestNodeReportsItsImage(t *testing.T) {
	needCluster(t)
	inst := newInstance("")
	inst.ImageID = nvidiaImage
	send(cloud.InstanceRunning, inst)
	node := waitNodeReady(t, inst.PrivateDNSName, corev1.ConditionTrue)
	if info := node.Status.NodeInfo; info.OSImage != "Bottlerocket OS 1.29.0 (aws-k8s-1.31-nvidia)" || !strings.HasPrefix(info.KubeletVersion, "v1.31.") {
		t.Errorf("nodeInfo = %+v", info)
	}
}

func TestBadUserDataNeverJoins(t *testing.T) {
	needCluster(t)
	good := cluster.Endpoint()
	ca := base64.StdEncoding.EncodeToString(cluster.CACertPEM())
	otherCA := base64.StdEncoding.EncodeToString([]byte("-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUAMBExDzANBgNVBAMMBnVu\n-----END CERTIFICATE-----\n"))
	k8s := func(name, server, cert string) string {
		return fmt.Sprintf("[settings.kubernetes]\ncluster-name = %q\napi-server = %q\ncluster-certificate = %q\n", name, server, cert)
	}
	cases := []struct {
		name     string
		userData string // base64, as RunInstances received it
		console  string
	}{
		{"not base64", "this is not base64!", "not valid base64"},
		{"binary garbage", base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe, 0x00, 0x01}), "not valid UTF-8"},
		{"shell script", base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\necho hi\n")), "TOML parse error"},
		{"no settings root", base64.StdEncoding.EncodeToString([]byte(strings.Replace(k8s("sandbox", good, ca), "[settings.kubernetes]", "[kubernetes]", 1))), "TOML data did not contain 'settings' section"},
		{"gzip without settings root", gzipBase64("[kubernetes]\ncluster-name = \"sandbox\"\n"), "TOML data did not contain 'settings' section"},
		{"corrupt gzip", base64.StdEncoding.EncodeToString([]byte{0x1f, 0x8b, 0x08, 0x00, 0x01}), "Failed to decompress user data"},
		{"unknown setting", base64.StdEncoding.EncodeToString([]byte(k8s("sandbox", good, ca) + "max-pod = 10\n")), "unknown field `max-pod`"},
		{"max-pods as string", base64.StdEncoding.EncodeToString([]byte(k8s("sandbox", good, ca) + "max-pods = \"10\"\n")), "expected u32"},
		{"missing api-server", base64.StdEncoding.EncodeToString([]byte("[settings.kubernetes]\ncluster-name = \"sandbox\"\ncluster-certificate = \"" + ca + "\"\n")), "api-server is not set"},
		{"wrong cluster name", base64.StdEncoding.EncodeToString([]byte(k8s("production", good, ca))), "Unauthorized"},
		{"wrong api server", base64.StdEncoding.EncodeToString([]byte(k8s("sandbox", "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com", ca))), "connection refused"},
		{"wrong certificate", base64.StdEncoding.EncodeToString([]byte(k8s("sandbox", good, otherCA))), "certificate signed by unknown authority"},
		{"restricted label", base64.StdEncoding.EncodeToString([]byte(k8s("sandbox", good, ca) + "[settings.kubernetes.node-labels]\n\"node-role.kubernetes.io/worker\" = \"\"\n")), "unknown 'kubernetes.io' or 'k8s.io' labels"},
		{"unknown taint effect", base64.StdEncoding.EncodeToString([]byte(k8s("sandbox", good, ca) + "[settings.kubernetes.node-taints]\n\"dedicated\" = [\"x:NO_SCHEDULE\"]\n")), "invalid taint effect"},
	}
	type launched struct {
		info cloud.InstanceInfo
		want string
		name string
	}
	var bad []launched
	for _, tc := range cases {
		inst := newInstance("")
		inst.UserData = tc.userData
		send(cloud.InstanceRunning, inst)
		bad = append(bad, launched{inst, tc.console, tc.name})
	}
	// A well-formed gzip'ed user data launched with them joins: gzip is
	// detected by its magic bytes, and once this node is Ready the others
	// have had their chance to join.
	control := newInstance("")
	control.UserData = gzipBase64(goodUserData(""))
	send(cloud.InstanceRunning, control)
	waitNodeReady(t, control.PrivateDNSName, corev1.ConditionTrue)

	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			eventually(t, "console explains the failure", func() string {
				if c := world.consoleOf(b.info.ID); !strings.Contains(c, b.want) {
					return fmt.Sprintf("console lacks %q:\n%s", b.want, c)
				}
				return ""
			})
			if node := getNode(t, b.info.PrivateDNSName); node != nil {
				t.Fatalf("node %s registered despite bad user data", node.Name)
			}
		})
	}
	if c := world.consoleOf(bad[3].info.ID); !strings.Contains(c, "[FAILED] Failed to start Bottlerocket userdata configuration system") {
		t.Errorf("a user data failure must fail early-boot-config:\n%s", c)
	}
}

// A stopped instance's kubelet falls silent: the real node lifecycle
// controller marks the Node Unknown and taints it unreachable after its
// grace period, the cloud controller adds the shutdown taint. Started
// again, the kubelet posts Ready and both lift their taints. Terminated,
// the cloud controller deletes the Node and the pod garbage collector its pods.
func TestStopStartTerminate(t *testing.T) {
	needCluster(t)
	inst := newInstance("")
	send(cloud.InstanceRunning, inst)
	name := inst.PrivateDNSName
	waitNodeReady(t, name, corev1.ConditionTrue)
	waitDaemonPodReady(t, name, "kube-system", "aws-node", true)
	eventually(t, "the kubelet's Lease, owned by its Node", func() string {
		lease, err := client.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		if len(lease.OwnerReferences) != 1 || lease.OwnerReferences[0].Kind != "Node" || lease.OwnerReferences[0].Name != name {
			return fmt.Sprintf("lease owners = %+v", lease.OwnerReferences)
		}
		return ""
	})

	send(cloud.InstanceStopping, inst)
	node := waitNodeReady(t, name, corev1.ConditionUnknown)
	if c := nodeCondition(node, corev1.NodeReady); c.Reason != "NodeStatusUnknown" || c.Message != "Kubelet stopped posting node status." {
		t.Errorf("Ready condition on a stopped node = %+v", c)
	}
	eventually(t, "unreachable and shutdown taints", func() string {
		got := taintStrings(getNode(t, name).Spec.Taints)
		for _, want := range []string{"node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute", "node.cloudprovider.kubernetes.io/shutdown:NoSchedule"} {
			if !strings.Contains(got, want) {
				return "taints " + got
			}
		}
		return ""
	})
	eventually(t, "aws-node pod not Ready on a stopped node", func() string {
		if p := daemonPodOn(t, name, "kube-system", "aws-node"); p == nil || podReady(p) {
			return "still ready"
		}
		return ""
	})

	restarted := inst
	restarted.FirstBoot = false
	send(cloud.InstanceRunning, restarted)
	waitNodeReady(t, name, corev1.ConditionTrue)
	eventually(t, "unreachable and shutdown taints lifted", func() string {
		if got := taintStrings(getNode(t, name).Spec.Taints); strings.Contains(got, unreachableTaint) || strings.Contains(got, shutdownTaint) {
			return "still tainted: " + got
		}
		return ""
	})
	waitDaemonPodReady(t, name, "kube-system", "aws-node", true)

	send(cloud.InstanceTerminated, restarted)
	eventually(t, "node deleted", func() string {
		if getNode(t, name) != nil {
			return "node still exists"
		}
		return ""
	})
	// The pod garbage collector quarantines orphaned pods for 40 s after
	// its 20 s check period (pkg/controller/podgc/gc_controller.go).
	eventuallyWithin(t, 3*time.Minute, "pods of the deleted node collected", func() string {
		if pods := podsOn(t, name); len(pods) > 0 {
			return fmt.Sprintf("%d pods left", len(pods))
		}
		return ""
	})
}

// A kubelet registers with the external cloud provider's uninitialized
// taint and without zone labels; the cloud controller initializes the Node.
func TestCloudControllerInitializesNode(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	inst := newInstance("")
	w, err := client.CoreV1().Nodes().Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + inst.PrivateDNSName})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	send(cloud.InstanceRunning, inst)
	var first *corev1.Node
	timeout := time.After(60 * time.Second)
	for {
		var node *corev1.Node
		select {
		case ev := <-w.ResultChan():
			var ok bool
			if node, ok = ev.Object.(*corev1.Node); !ok {
				t.Fatalf("watch event %v", ev.Type)
			}
		case <-timeout:
			t.Fatal("node not initialized after 60s")
		}
		if first == nil {
			first = node
			if !strings.Contains(taintStrings(node.Spec.Taints), "node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule") {
				t.Errorf("registered without the uninitialized taint: %s", taintStrings(node.Spec.Taints))
			}
			if _, ok := node.Labels["topology.kubernetes.io/zone"]; ok {
				t.Errorf("the kubelet set the zone label itself")
			}
		}
		if strings.Contains(taintStrings(node.Spec.Taints), uninitializedTaint) {
			continue
		}
		for k, v := range map[string]string{
			"topology.kubernetes.io/zone": "us-east-1b", "topology.kubernetes.io/region": "us-east-1",
			"node.kubernetes.io/instance-type": "m5.large", "failure-domain.beta.kubernetes.io/zone": "us-east-1b",
		} {
			if node.Labels[k] != v {
				t.Errorf("initialized node: label %s = %q, want %q", k, node.Labels[k], v)
			}
		}
		return
	}
}

// Deleted while stopped (as a standby node may be), the Node comes back when
// the instance starts: the kubelet registers it again from its user data.
func TestNodeReregistersAfterDeletion(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	inst := newInstance(`[settings.kubernetes.node-labels]
"stratos.sh/pool" = "web"
[settings.kubernetes.node-taints]
"stratos.sh/warmup" = "true:NoSchedule"
`)
	send(cloud.InstanceRunning, inst)
	name := inst.PrivateDNSName
	old := waitNodeReady(t, name, corev1.ConditionTrue)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "before-stop-" + inst.ID, Namespace: "default"},
		Spec:       corev1.PodSpec{NodeName: name, Containers: []corev1.Container{{Name: "c", Image: "busybox:1.37"}}},
	}
	if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = client.CoreV1().Pods("default").Delete(context.Background(), pod.Name, metav1.DeleteOptions{})
	})
	eventually(t, "pod Ready before the stop", func() string {
		if p, err := client.CoreV1().Pods("default").Get(ctx, pod.Name, metav1.GetOptions{}); err != nil || !podReady(p) {
			return fmt.Sprintf("not Ready (%v)", err)
		}
		return ""
	})
	send(cloud.InstanceStopping, inst)
	if err := client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "node deleted", func() string {
		if getNode(t, name) != nil {
			return "still there"
		}
		return ""
	})
	restarted := inst
	restarted.FirstBoot = false
	// Pod conditions carry whole seconds: restart in a later second than
	// the pod's first Ready.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	restartedAt := time.Now().Truncate(time.Second)
	// With the network up at once, the kubelet's first look at the pod
	// finds the CNI ready: the pod must still be posted again, not kept
	// with its Ready from the previous boot.
	world.mu.Lock()
	cni := world.cfg.Latency.CNI
	world.cfg.Latency.CNI = 0
	world.mu.Unlock()
	t.Cleanup(func() { world.mu.Lock(); world.cfg.Latency.CNI = cni; world.mu.Unlock() })
	send(cloud.InstanceRunning, restarted)
	node := waitNodeReady(t, name, corev1.ConditionTrue)
	if node.UID == old.UID {
		t.Fatal("the old Node is back, not a new registration")
	}
	// The pod of the previous boot (spared by the pod garbage collector's
	// quarantine) is Ready again only through the restarted kubelet: a
	// new Ready transition, never the one from before the stop.
	eventually(t, "the previous boot's pod Ready again since the restart", func() string {
		p, err := client.CoreV1().Pods("default").Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		if since := readySince(p); !podReady(p) || since.Before(restartedAt) {
			return fmt.Sprintf("ready %v since %s, restarted at %s", podReady(p), since, restartedAt)
		}
		return ""
	})
	if node.Labels["stratos.sh/pool"] != "web" {
		t.Errorf("labels of the re-registered node: %v", node.Labels)
	}
	eventually(t, "warmup taint from the user data, cloud controller initialized", func() string {
		if got := taintStrings(getNode(t, name).Spec.Taints); got != "stratos.sh/warmup=true:NoSchedule" {
			return "taints " + got
		}
		return ""
	})
}

func TestNetworkModes(t *testing.T) {
	needCluster(t)
	defer world.setNetwork(t, "vpc-cni")
	for _, tc := range []struct{ network, reason, namespace, daemonSet string }{
		{"cilium", "CiliumIsUp", "kube-system", "cilium"},
		{"calico", "CalicoIsUp", "calico-system", "calico-node"},
	} {
		t.Run(tc.network, func(t *testing.T) {
			world.setNetwork(t, tc.network)
			inst := newInstance("")
			send(cloud.InstanceRunning, inst)
			eventually(t, "NetworkUnavailable=False", func() string {
				node := getNode(t, inst.PrivateDNSName)
				if node == nil {
					return "not registered"
				}
				c := nodeCondition(node, corev1.NodeNetworkUnavailable)
				if c == nil || c.Status != corev1.ConditionFalse || c.Reason != tc.reason {
					return fmt.Sprintf("NetworkUnavailable = %+v", c)
				}
				return ""
			})
			waitDaemonPodReady(t, inst.PrivateDNSName, tc.namespace, tc.daemonSet, true)
			if p := daemonPodOn(t, inst.PrivateDNSName, "kube-system", "aws-node"); p != nil {
				t.Errorf("aws-node pod %s runs in %s mode", p.Name, tc.network)
			}
		})
	}
}

// The real DaemonSet controller and scheduler place DaemonSet pods on the
// simulated nodes, which run them.
func TestDaemonSets(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	inst := newInstance(`[settings.kubernetes.node-labels]
"role" = "worker"
[settings.kubernetes.node-taints]
"stratos.sh/warmup" = "true:NoSchedule"
`)
	mk := func(name string, selector map[string]string, tolerations []corev1.Toleration) *appsv1.DaemonSet {
		labels := map[string]string{"app": name}
		return &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system"},
			Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{
						NodeSelector: selector,
						Tolerations:  tolerations,
						Containers:   []corev1.Container{{Name: name, Image: "registry.example/" + name + ":v1"}},
					},
				},
			},
		}
	}
	tolerateAll := []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
	for _, ds := range []*appsv1.DaemonSet{
		mk("kube-proxy", map[string]string{"kubernetes.io/os": "linux"}, tolerateAll),
		mk("gpu-only", map[string]string{"role": "gpu"}, tolerateAll),
		mk("no-toleration", nil, nil),
		mk("warmup-tolerant", nil, []corev1.Toleration{{Key: "stratos.sh/warmup", Operator: corev1.TolerationOpExists}}),
	} {
		if _, err := client.AppsV1().DaemonSets("kube-system").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create daemonset %s: %v", ds.Name, err)
		}
		t.Cleanup(func() { _ = client.AppsV1().DaemonSets("kube-system").Delete(ctx, ds.Name, metav1.DeleteOptions{}) })
	}
	send(cloud.InstanceRunning, inst)
	name := inst.PrivateDNSName
	waitNodeReady(t, name, corev1.ConditionTrue)
	waitDaemonPodReady(t, name, "kube-system", "kube-proxy", true)
	eventually(t, "kube-proxy image listed", func() string {
		if !hasImage(getNode(t, name), "registry.example/kube-proxy:v1") {
			return "not listed"
		}
		return ""
	})
	// Both kube-proxy and aws-node are Ready, so the DaemonSet controller
	// has passed the point where it would have created the other pods.
	waitDaemonPodReady(t, name, "kube-system", "aws-node", true)
	if p := daemonPodOn(t, name, "kube-system", "gpu-only"); p != nil {
		t.Errorf("pod %s created on a node its nodeSelector excludes", p.Name)
	}
	if p := daemonPodOn(t, name, "kube-system", "no-toleration"); p != nil {
		t.Errorf("pod %s created despite an untolerated NoSchedule taint", p.Name)
	}
	waitDaemonPodReady(t, name, "kube-system", "warmup-tolerant", true)
	// Status as the DaemonSet controller reports it: this node (and the
	// other tests' nodes) counted, none missing.
	eventually(t, "kube-proxy status counts the node", func() string {
		ds, err := client.AppsV1().DaemonSets("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		st := ds.Status
		if st.DesiredNumberScheduled == 0 || st.NumberReady != st.DesiredNumberScheduled || st.NumberUnavailable != 0 || st.ObservedGeneration != ds.Generation {
			return fmt.Sprintf("status %+v", st)
		}
		return ""
	})
	// no-toleration runs on the other tests' untainted nodes but not on this
	// one: fewer desired than kube-proxy, which runs everywhere.
	eventually(t, "no-toleration status excludes the tainted node", func() string {
		ds, err := client.AppsV1().DaemonSets("kube-system").Get(ctx, "no-toleration", metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		proxy, err := client.AppsV1().DaemonSets("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		if ds.Status.ObservedGeneration != ds.Generation || ds.Status.DesiredNumberScheduled >= proxy.Status.DesiredNumberScheduled {
			return fmt.Sprintf("no-toleration %+v, kube-proxy %+v", ds.Status, proxy.Status)
		}
		return ""
	})
	if n := len(podsOn(t, name)); n != 3 {
		t.Errorf("%d pods on the node, want 3 (aws-node, kube-proxy, warmup-tolerant)", n)
	}

	// An untolerated NoExecute taint evicts a DaemonSet pod, as the
	// DaemonSet controller does; pods tolerating everything stay.
	node := getNode(t, name)
	node.Spec.Taints = append(node.Spec.Taints, corev1.Taint{Key: "maintenance", Value: "true", Effect: corev1.TaintEffectNoExecute})
	if _, err := client.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("taint node: %v", err)
	}
	eventually(t, "warmup-tolerant pod evicted by a NoExecute taint", func() string {
		if p := daemonPodOn(t, name, "kube-system", "warmup-tolerant"); p != nil {
			return "still there"
		}
		return ""
	})
	if p := daemonPodOn(t, name, "kube-system", "kube-proxy"); p == nil {
		t.Errorf("kube-proxy (tolerates everything) evicted")
	}

	// Deleting a DaemonSet removes its pods (the garbage collector's job).
	proxy := daemonPodOn(t, name, "kube-system", "kube-proxy")
	if err := client.AppsV1().DaemonSets("kube-system").Delete(ctx, "kube-proxy", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "pods of a deleted DaemonSet are collected", func() string {
		if p := daemonPodOn(t, name, "kube-system", "kube-proxy"); p != nil && p.UID == proxy.UID {
			return "kube-proxy pod still there"
		}
		return ""
	})
}

func TestNeverReady(t *testing.T) {
	needCluster(t)
	inst := newInstance("")
	inst.NeverReady = true
	send(cloud.InstanceRunning, inst)
	node := waitNodeReady(t, inst.PrivateDNSName, corev1.ConditionFalse)
	if c := nodeCondition(node, corev1.NodeReady); c.Reason != "KubeletNotReady" || !strings.Contains(c.Message, "cni plugin not initialized") {
		t.Errorf("Ready condition of a never-ready node = %+v", c)
	}
	pod := waitDaemonPodReady(t, inst.PrivateDNSName, "kube-system", "aws-node", false)
	if pod.Status.Phase != corev1.PodRunning {
		t.Errorf("aws-node phase = %s, want Running (not Ready)", pod.Status.Phase)
	}
	// A control node launched afterwards turning Ready shows time has passed.
	control := newInstance("")
	send(cloud.InstanceRunning, control)
	waitNodeReady(t, control.PrivateDNSName, corev1.ConditionTrue)
	waitDaemonPodReady(t, control.PrivateDNSName, "kube-system", "aws-node", true)
	if c := nodeCondition(getNode(t, inst.PrivateDNSName), corev1.NodeReady); c.Status != corev1.ConditionFalse {
		t.Errorf("never-ready node turned %s", c.Status)
	}
}

func TestBoundPods(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	inst := newInstance("")
	send(cloud.InstanceRunning, inst)
	name := inst.PrivateDNSName
	waitNodeReady(t, name, corev1.ConditionTrue)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-" + inst.ID, Namespace: "default"},
		Spec:       corev1.PodSpec{NodeName: name, Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
	}
	if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "bound pod runs", func() string {
		p, err := client.CoreV1().Pods("default").Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		if p.Status.Phase != corev1.PodRunning || !podReady(p) {
			return fmt.Sprintf("phase %s ready %v", p.Status.Phase, podReady(p))
		}
		return ""
	})
	// A graceful delete (as an eviction does) completes because the
	// simulated kubelet confirms it.
	if err := client.CoreV1().Pods("default").Delete(ctx, pod.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "deleted pod goes away", func() string {
		_, err := client.CoreV1().Pods("default").Get(ctx, pod.Name, metav1.GetOptions{})
		if err == nil {
			return "still there"
		}
		return ""
	})

	// A NoExecute taint the pod does not tolerate evicts it (the taint
	// manager's job); a pod that tolerates it stays.
	tolerant := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "tolerant-" + inst.ID, Namespace: "default"},
		Spec: corev1.PodSpec{NodeName: name, Containers: []corev1.Container{{Name: "c", Image: "busybox:1.37"}},
			Tolerations: []corev1.Toleration{{Key: "stratos.sh/standby", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}}},
	}
	victim := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "victim-" + inst.ID, Namespace: "default"},
		Spec:       corev1.PodSpec{NodeName: name, Containers: []corev1.Container{{Name: "c", Image: "busybox:1.37"}}},
	}
	for _, p := range []*corev1.Pod{tolerant, victim} {
		if _, err := client.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "standby taint", func() string {
		node := getNode(t, name)
		node.Spec.Taints = append(node.Spec.Taints, corev1.Taint{Key: "stratos.sh/standby", Value: "true", Effect: corev1.TaintEffectNoExecute})
		if _, err := client.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{}); err != nil {
			return err.Error()
		}
		return ""
	})
	eventually(t, "untolerating pod evicted", func() string {
		if _, err := client.CoreV1().Pods("default").Get(ctx, victim.Name, metav1.GetOptions{}); err == nil {
			return "still there"
		}
		return ""
	})
	if _, err := client.CoreV1().Pods("default").Get(ctx, tolerant.Name, metav1.GetOptions{}); err != nil {
		t.Errorf("tolerating pod: %v", err)
	}
}
