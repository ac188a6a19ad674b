package scaletest

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// A pool costs the same in a busy cluster as in an empty one: with 2,000
// pods on 20 other nodes (held by the real apiserver), a create reads pods
// only per node of the pool (no list or watch of pods without a
// spec.nodeName selector of one of its nodes), stays within the per-pool
// request budget, and reads about as many pod and node objects as in an
// empty cluster, far fewer than the cluster's pods. A cluster-wide pod
// informer would read every one of them. (`make bench` measures the same
// with 20,000 pods: memory and wall time.)
func TestBudget_busyClusterCostsAsAnEmptyOne(t *testing.T) {
	timed(t)
	sb := sandboxtest.Get(t)
	const n, backgroundPods = 10, 2000
	f := newEngineFixture(t, warmpool.Options{})
	empty := measureCreate(t, f, n)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	admin, err := sb.Cluster().Clientset(2000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	bg, err := StartBackground(ctx, admin, backgroundPods, sb.World().AvailabilityZones())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := bg.Close(context.Background()); err != nil {
			t.Errorf("remove the background: %v", err)
		}
	})
	pods, err := admin.CoreV1().Pods(BackgroundNamespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, p := range pods.Items {
		if p.Status.Phase == corev1.PodRunning && p.Spec.NodeName != "" {
			running++
		}
	}
	if running != backgroundPods {
		t.Fatalf("the apiserver holds %d running background pods, want %d", running, backgroundPods)
	}

	busy := measureCreate(t, f, n) // checks that every pod read is scoped to a node of the pool
	checkCreateKubeBudget(t, n, busy.kube)
	for _, kind := range []string{"pods", "nodes"} {
		// Watch events follow timing (a pod listed after it turned Ready
		// needs no update event), so the two creates are compared with
		// room for that; a read of the background's objects is hundreds
		// or thousands more.
		e, b := empty.objects.Of("", kind), busy.objects.Of("", kind)
		if limit := 2*e + 2*n; b > limit {
			t.Errorf("create of %d with %d pods on %d other nodes read %d %s objects, in an empty cluster %d; want ≤ %d",
				n, bg.Pods(), bg.Nodes(), b, kind, e, limit)
		}
	}
	if got, want := busy.kube.Of("", "pods"), 3*n; got > want {
		t.Errorf("create of %d with %d background pods made %d pod requests, want ≤ %d (bounded by the pool's size)", n, bg.Pods(), got, want)
	}
}
