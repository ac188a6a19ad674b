package warmpool_test

import (
	"context"
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// Capacity served from standby takes real workloads: a Deployment that can
// run only on the pool's nodes (the pool's label as node selector, a
// toleration for the pool's own taint, as the warm pool docs' "Scheduling
// onto served nodes" shows) waits Pending while the pool is all standby, and once running
// is raised the real deployment and replica set controllers' pods are bound
// by the real kube-scheduler to the served nodes only (never to the refill
// instances still warming up behind the warmup taint) and run there.
func TestEngineRunning_DeploymentLandsOnServedNodes(t *testing.T) {
	f := newFixture(t)
	f.asProvider()
	client := sandboxtest.Get(t).Kubernetes()
	dedicated := bottlerocket.Taint{Key: "example.com/dedicated", Value: "ci", Effect: string(corev1.TaintEffectNoSchedule)}
	pool := f.pool("serve", 2, func(p *warmpool.Pool, _ *nodeclass.Info) {
		p.Taints = []bottlerocket.Taint{dedicated}
	})
	f.converge(pool)
	if n := len(f.standby(pool)); n != 2 {
		t.Fatalf("%d standby, want 2", n)
	}

	const replicas = 4
	app := fmt.Sprintf("served-%d", poolSeq.Add(1))
	createDeployment(t, client, app, replicas, corev1.PodSpec{
		NodeSelector: map[string]string{keys.Pool: pool.Name},
		Tolerations: []corev1.Toleration{{
			Key: dedicated.Key, Operator: corev1.TolerationOpEqual, Value: dedicated.Value, Effect: corev1.TaintEffectNoSchedule,
		}},
		Containers: []corev1.Container{{Name: "work", Image: "public.ecr.aws/docker/library/busybox:1.36"}},
	})
	// Standby has no Nodes: the scheduler finds nowhere to put the pods.
	waitFor(t, "the scheduler to find no node for "+app, func() bool {
		pods := podsOfApp(t, client, app)
		unschedulable := 0
		for _, p := range pods {
			if p.Spec.NodeName != "" {
				t.Fatalf("pod %s bound to %s while the pool is all standby", p.Name, p.Spec.NodeName)
			}
			if scheduledReason(&p) == corev1.PodReasonUnschedulable {
				unschedulable++
			}
		}
		return unschedulable == replicas
	})

	res := f.converge(runningPool(pool, 2))
	if res.Started != 2 {
		t.Fatalf("started %d, want 2 from standby", res.Started)
	}
	served := map[string]bool{}
	for _, n := range f.runningNodes(pool) {
		served[n.Name] = true
	}
	if len(served) != 2 {
		t.Fatalf("%d served nodes, want 2", len(served))
	}
	waitFor(t, "the pods of "+app+" to run on the served nodes", func() bool {
		ready := 0
		for _, p := range podsOfApp(t, client, app) {
			if p.Spec.NodeName != "" && !served[p.Spec.NodeName] {
				t.Fatalf("pod %s bound to %s, which the pool did not serve (served: %v)", p.Name, p.Spec.NodeName, served)
			}
			if p.Status.Phase == corev1.PodRunning && podIsReady(&p) {
				ready++
			}
		}
		return ready == replicas
	})
	waitFor(t, "deployment "+app+" available", func() bool {
		d, err := client.AppsV1().Deployments("default").Get(context.Background(), app, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d.Status.AvailableReplicas == replicas
	})
	perNode := map[string]int{}
	for _, p := range podsOfApp(t, client, app) {
		perNode[p.Spec.NodeName]++
	}
	t.Logf("pods of %s per served node: %v", app, perNode)
}

// createDeployment creates a Deployment of replicas pods labelled app=<app>
// in the default namespace, deleted (with its pods) when the test ends.
func createDeployment(t testing.TB, client kubernetes.Interface, app string, replicas int32, spec corev1.PodSpec) {
	t.Helper()
	labels := map[string]string{"app": app}
	_, err := client.AppsV1().Deployments("default").Create(context.Background(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: app, Namespace: "default"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		background := metav1.DeletePropagationBackground
		if err := client.AppsV1().Deployments("default").Delete(context.Background(), app, metav1.DeleteOptions{PropagationPolicy: &background}); err != nil {
			t.Errorf("delete deployment %s: %v", app, err)
		}
	})
}

func podsOfApp(t testing.TB, client kubernetes.Interface, app string) []corev1.Pod {
	t.Helper()
	pods, err := client.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		t.Fatal(err)
	}
	return pods.Items
}

// scheduledReason is the reason of a pod's PodScheduled condition, which
// kube-scheduler sets to Unschedulable when no node fits.
func scheduledReason(p *corev1.Pod) string {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled {
			return c.Reason
		}
	}
	return ""
}

func podIsReady(p *corev1.Pod) bool { return podCondition(p, corev1.PodReady) == corev1.ConditionTrue }

func podCondition(p *corev1.Pod, t corev1.PodConditionType) corev1.ConditionStatus {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c.Status
		}
	}
	return corev1.ConditionUnknown
}
