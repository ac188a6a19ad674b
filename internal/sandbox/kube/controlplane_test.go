package kube

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// testControlPlane creates Nodes as kubelets would (no kubelet heartbeats
// them: the test is over long before the 40 s grace period) and checks what
// only a running kube-controller-manager and kube-scheduler do.
func testControlPlane(ctx context.Context, t *testing.T, c *Cluster) {
	client, err := c.Clientset(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Zone a: 2 Ready, 3 NotReady (60 % ≥ 55 %): PartialDisruption.
	// Zone b: 1 NotReady, none Ready: FullDisruption. Zone c: 1 Ready: Normal.
	nodes := []struct {
		zone  string
		ready bool
	}{{"a", true}, {"a", true}, {"a", false}, {"a", false}, {"a", false}, {"b", false}, {"c", true}}
	for i, n := range nodes {
		node := testNode(fmt.Sprintf("node-%d", i), "us-east-1"+n.zone, n.ready)
		if _, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create node: %v", err)
		}
	}
	eventually(t, "zone states from kube-controller-manager", func() string {
		zones, err := c.Zones(ctx)
		if err != nil {
			return err.Error()
		}
		got := make([]string, 0, len(zones))
		for _, z := range zones {
			got = append(got, fmt.Sprintf("%s/%s %d/%d %s", z.Region, z.Name, z.Unhealthy, z.Size, z.State))
		}
		want := "us-east-1/us-east-1a 3/5 PartialDisruption, us-east-1/us-east-1b 1/1 FullDisruption, us-east-1/us-east-1c 0/1 Normal"
		if strings.Join(got, ", ") != want {
			return fmt.Sprintf("zones %v, want %s", got, want)
		}
		return ""
	})

	// The Deployment and ReplicaSet controllers create the pods, the
	// scheduler binds them to a node that is Ready and untainted.
	labels := map[string]string{"app": "web"}
	two := int32(2)
	deploy := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &two,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					NodeSelector: map[string]string{"topology.kubernetes.io/zone": "us-east-1c"},
					Containers:   []corev1.Container{{Name: "web", Image: "nginx:1.27"}},
				},
			},
		},
	}
	if _, err := client.AppsV1().Deployments("default").Create(ctx, deploy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Deployment pods bound by the scheduler", func() string {
		pods, err := client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return err.Error()
		}
		bound := 0
		for _, p := range pods.Items {
			if p.Spec.NodeName == "node-6" {
				bound++
			}
		}
		if bound != 2 {
			return fmt.Sprintf("%d of %d pods bound to node-6", bound, len(pods.Items))
		}
		return ""
	})
	// The node lifecycle controller taints NotReady nodes.
	eventually(t, "not-ready taint on a NotReady node", func() string {
		node, err := client.CoreV1().Nodes().Get(ctx, "node-2", metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		for _, taint := range node.Spec.Taints {
			if taint.Key == corev1.TaintNodeNotReady && taint.Effect == corev1.TaintEffectNoSchedule {
				return ""
			}
		}
		return fmt.Sprintf("taints %v", node.Spec.Taints)
	})
	if err := client.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
}

func testNode(name, zone string, ready bool) *corev1.Node {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	now := metav1.Now()
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"topology.kubernetes.io/zone": zone, "topology.kubernetes.io/region": "us-east-1",
			"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
		}},
		Status: corev1.NodeStatus{
			Capacity:    corev1.ResourceList{corev1.ResourcePods: *resourceQuantity("110"), corev1.ResourceCPU: *resourceQuantity("2"), corev1.ResourceMemory: *resourceQuantity("8Gi")},
			Allocatable: corev1.ResourceList{corev1.ResourcePods: *resourceQuantity("110"), corev1.ResourceCPU: *resourceQuantity("2"), corev1.ResourceMemory: *resourceQuantity("8Gi")},
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status, LastHeartbeatTime: now, LastTransitionTime: now}},
		},
	}
}

// testUserKubeconfig: a client certificate for a user in a group; the
// apiserver authenticates both and RBAC decides.
func testUserKubeconfig(ctx context.Context, t *testing.T, c *Cluster) {
	data, err := c.UserKubeconfig("stratos-test", "stratos-testers")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(data)
	if err != nil {
		t.Fatalf("load user kubeconfig: %v", err)
	}
	user, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	review, err := user.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("self subject review: %v", err)
	}
	if info := review.Status.UserInfo; info.Username != "stratos-test" || !contains(info.Groups, "stratos-testers") || contains(info.Groups, "system:masters") {
		t.Fatalf("authenticated as %+v", info)
	}
	if _, err := user.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("list nodes before any binding: err = %v, want Forbidden", err)
	}
	admin, err := c.Clientset(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "node-reader"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"list"}}},
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "node-reader"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "node-reader"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: "stratos-testers"}},
	}
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "list nodes through the group's binding", func() string {
		if _, err := user.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); err != nil {
			return err.Error()
		}
		return ""
	})
	if err := user.CoreV1().Nodes().Delete(ctx, "any", metav1.DeleteOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("delete a node with a list-only role: err = %v, want Forbidden", err)
	}
}

func eventually(t *testing.T, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		if last = cond(); last == "" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: still not true after 60s: %s", what, last)
}

func resourceQuantity(s string) *resource.Quantity {
	q := resource.MustParse(s)
	return &q
}
