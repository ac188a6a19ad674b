package warmpool_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

func runningPool(p warmpool.Pool, running int) warmpool.Pool {
	p.Running = &running
	return p
}

// runningNodes lists the pool's running instances and checks that each
// node takes workloads: no standby taint, not cordoned, state running.
func (f *fixture) runningNodes(pool warmpool.Pool) map[string]*corev1.Node {
	f.t.Helper()
	obs := mustObserve(f.t, f, pool)
	out := map[string]*corev1.Node{}
	for _, i := range obs.Instances {
		if i.Gone() || !i.PoweredOn() {
			continue
		}
		node := obs.Nodes[i.ID]
		if i.State != warmpool.StateRunning || node == nil {
			f.t.Errorf("instance %s is %s/%s with node %v, want running with a node", i.ID, i.State, i.EC2State, node != nil)
			continue
		}
		if node.Spec.Unschedulable || hasTaint(node, keys.TaintStandby, corev1.TaintEffectNoExecute) || node.Labels[keys.State] != "running" {
			f.t.Errorf("node %s not schedulable: unschedulable=%v labels=%v taints=%v", node.Name, node.Spec.Unschedulable, node.Labels, node.Spec.Taints)
		}
		// Re-registered from the user data at start: the pool's labels are back.
		if node.Labels["team"] != "ci" || node.Labels[keys.Pool] != pool.Name || node.Labels[keys.ConfigHash] != pool.Launch.ConfigHash {
			f.t.Errorf("node %s labels %v lack the pool's labels", node.Name, node.Labels)
		}
		out[i.ID] = node
	}
	return out
}

// runPods binds n pods labelled app=<app> to a node directly (spec.nodeName,
// bypassing kube-scheduler: these tests are about drains, not placement) and
// waits until they run.
func runPods(t *testing.T, kube kubernetes.Interface, node, app string, n int) {
	t.Helper()
	ctx := context.Background()
	for k := range n {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d-%s", app, k, node), Namespace: "default", Labels: map[string]string{"app": app}},
			Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "work", Image: "public.ecr.aws/docker/library/busybox:1.36"}}},
		}
		if _, err := kube.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "pods of "+app+" running", func() bool {
		pods, err := kube.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=" + app})
		if err != nil {
			t.Fatal(err)
		}
		running := 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning {
				running++
			}
		}
		return running == n
	})
	t.Cleanup(func() {
		zero := int64(0)
		_ = kube.CoreV1().Pods("default").DeleteCollection(context.Background(), metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{LabelSelector: "app=" + app})
	})
}

func podsOf(t *testing.T, kube kubernetes.Interface, app string) int {
	pods, err := kube.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		t.Fatal(err)
	}
	return len(pods.Items)
}

// standbyCount counts the pool's standby instances (stopped, no Node)
// beside the running ones.
func (f *fixture) standbyCount(pool warmpool.Pool) int {
	f.t.Helper()
	obs := mustObserve(f.t, f, pool)
	n := 0
	for _, i := range obs.Instances {
		if i.State == warmpool.StateStandby && i.EC2State == "stopped" {
			if node := obs.Nodes[i.ID]; node != nil {
				f.t.Errorf("standby instance %s still has Node %s: a stopped instance must be invisible to the cluster", i.ID, node.Name)
			}
			n++
		}
	}
	return n
}

func liveCount(t *testing.T, f *fixture, pool warmpool.Pool) int {
	n := 0
	for _, i := range mustObserve(t, f, pool).Instances {
		if !i.Gone() {
			n++
		}
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestEngineRunning_UpFromStandbyThenDrainBack(t *testing.T) {
	f := newFixture(t)
	kube := sandboxtest.Get(t).Kubernetes()
	pool := f.pool("running", 2)
	f.converge(pool)

	res := f.converge(runningPool(pool, 2))
	if res.Started != 2 || res.Launched != 2 || res.ServedAt.IsZero() {
		t.Fatalf("started %d, launched %d (served %v), want 2 started from standby and 2 launched to refill", res.Started, res.Launched, res.ServedAt)
	}
	nodes := f.runningNodes(pool)
	if len(nodes) != 2 || f.standbyCount(pool) != 2 {
		t.Fatalf("%d running, %d standby; want 2 and 2", len(nodes), f.standbyCount(pool))
	}

	// Work on one node: lowering running returns the idle node first.
	var busyID, busy string
	for id, n := range nodes {
		busyID, busy = id, n.Name
		break
	}
	runPods(t, kube, busy, "work", 3)
	res = f.converge(runningPool(pool, 1))
	if res.Drained != 1 || res.Evicted != 0 {
		t.Fatalf("drained %d evicting %d pods, want the idle node drained", res.Drained, res.Evicted)
	}
	if nodes = f.runningNodes(pool); len(nodes) != 1 || nodes[busyID] == nil {
		t.Fatalf("running %v, want only the busy node %s", nodes, busy)
	}
	if got := f.standbyCount(pool); got != 2 {
		t.Fatalf("%d standby after the drain, want 2 (the excess terminated)", got)
	}

	res = f.converge(runningPool(pool, 0))
	if res.Drained != 1 || res.Evicted != 3 || podsOf(t, kube, "work") != 0 {
		t.Fatalf("drained %d, evicted %d, %d pods left; want 1, 3, 0", res.Drained, res.Evicted, podsOf(t, kube, "work"))
	}
	if len(f.runningNodes(pool)) != 0 || f.standbyCount(pool) != 2 {
		t.Fatal("want no running node and 2 standby")
	}
}

func TestEngineRunning_DrainTimeout(t *testing.T) {
	for _, action := range []warmpool.DrainAction{warmpool.DrainFail, warmpool.DrainStop} {
		t.Run(string(action), func(t *testing.T) {
			f := newFixture(t)
			kube := sandboxtest.Get(t).Kubernetes()
			pool := f.pool("drain-"+string(action), 0, func(p *warmpool.Pool, _ *nodeclass.Info) {
				p.Drain = warmpool.DrainSpec{Timeout: 3 * time.Second, TimeoutAction: action}
			})
			f.converge(runningPool(pool, 1))
			var node string
			for _, n := range f.runningNodes(pool) {
				node = n.Name
			}
			app := "guarded-" + string(action)
			runPods(t, kube, node, app, 1)
			sandboxtest.BlockingBudget(t, kube, app)

			res, err := f.engine.Converge(context.Background(), runningPool(pool, 0))
			var drainErr *warmpool.DrainError
			switch action {
			case warmpool.DrainFail:
				if !errors.As(err, &drainErr) || len(drainErr.Blocked[node]) != 1 {
					t.Fatalf("want a DrainError naming the guarded pod on %s, got %v", node, err)
				}
				if podsOf(t, kube, app) != 1 {
					t.Fatal("the budget's pod was evicted")
				}
				obs := mustObserve(t, f, pool)
				for _, i := range obs.Instances {
					if n := obs.Nodes[i.ID]; n != nil && (i.State != warmpool.StateDraining || !i.PoweredOn() || !n.Spec.Unschedulable) {
						t.Errorf("instance %s %s/%s unschedulable=%v, want running, cordoned, draining", i.ID, i.State, i.EC2State, n.Spec.Unschedulable)
					}
				}
				// Running raised back: the cordoned node serves again, its pod untouched.
				if res := f.converge(runningPool(pool, 1)); res.Started != 0 || len(f.runningNodes(pool)) != 1 || podsOf(t, kube, app) != 1 {
					t.Fatalf("started %d; want the draining node uncordoned with its pod", res.Started)
				}
			case warmpool.DrainStop:
				if err != nil || res.Drained != 1 {
					t.Fatalf("want the node stopped anyway, got drained %d, %v", res.Drained, err)
				}
				if f.standbyCount(pool) != 0 || liveCount(t, f, pool) != 0 {
					t.Fatal("want the stopped node terminated as standby beyond size 0")
				}
			}
		})
	}
}

func TestEngineRunning_StartFallsBackToOtherZones(t *testing.T) {
	f := newFixture(t)
	pool := f.pool("startice", 6)
	f.converge(pool)
	zones := map[string]int{}
	for _, i := range f.standby(pool) {
		zones[i.AvailabilityZone]++
	}
	if zones["us-east-1a"] == 0 {
		t.Fatalf("no standby instance in us-east-1a to test with: %v", zones)
	}
	sandboxtest.Configure(t, `{"insufficient_capacity": ["us-east-1a"]}`)
	res := f.converge(runningPool(pool, 3))
	if res.Started != 3 {
		t.Fatalf("started %d, want 3", res.Started)
	}
	obs := mustObserve(t, f, pool)
	for id := range f.runningNodes(pool) {
		for _, i := range obs.Instances {
			if i.ID == id && i.AvailabilityZone == "us-east-1a" {
				t.Errorf("instance %s started in us-east-1a, which has no capacity", id)
			}
		}
	}
}

func TestEngineRunning_MaxSizeCapsStandby(t *testing.T) {
	f := newFixture(t)
	pool := f.pool("capped", 3)
	pool.MaxSize = 4
	f.converge(runningPool(pool, 2))
	if r, s := len(f.runningNodes(pool)), f.standbyCount(pool); r != 2 || s != 2 {
		t.Fatalf("%d running and %d standby, want 2 and 2 (max_size 4)", r, s)
	}
}

func TestEngineRunning_ShortfallLaunchesAndStarts(t *testing.T) {
	f := newFixture(t)
	pool := f.pool("cold", 1)
	res := f.converge(runningPool(pool, 2))
	if r, s := len(f.runningNodes(pool)), f.standbyCount(pool); r != 2 || s != 1 {
		t.Fatalf("%d running and %d standby, want 2 and 1", r, s)
	}
	// No standby to start: two launches are served once verified, without
	// a stop and start; the third refills standby.
	if res.Launched != 3 || res.Started != 0 || res.Served != 2 {
		t.Fatalf("launched %d, started %d, served %d; want 3, 0, 2", res.Launched, res.Started, res.Served)
	}
}

// With running set, an instance started by someone else counts as running
// and is served (untainted, uncordoned) instead of being left alone.
func TestEngineRunning_AdoptsExternalStart(t *testing.T) {
	f := newFixture(t)
	pool := f.pool("adopt", 2)
	f.converge(pool)
	standby := f.standby(pool)
	if _, err := f.ec2.StartInstances(context.Background(), &ec2.StartInstancesInput{InstanceIds: []string{standby[0].ID}}); err != nil {
		t.Fatal(err)
	}
	res := f.converge(runningPool(pool, 1))
	nodes := f.runningNodes(pool)
	if res.Started != 0 || len(nodes) != 1 || nodes[standby[0].ID] == nil {
		t.Fatalf("started %d, running %v; want the externally started %s served", res.Started, nodes, standby[0].ID)
	}
	if n := f.standbyCount(pool); n != 2 {
		t.Fatalf("%d standby, want 2", n)
	}
}
