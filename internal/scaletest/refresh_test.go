package scaletest

import (
	"context"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest/kubecount"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// planCost runs `terraform plan -detailed-exitcode` (which fails on any
// change) and returns the EC2 calls and the provider's Kubernetes requests.
func planCost(t *testing.T, w *tfWorkspace) (Calls, kubecount.Counts, time.Duration) {
	t.Helper()
	sb := sandboxtest.Get(t)
	sb.World().ResetStats()
	w.proxy.Reset()
	res, err := w.Run(context.Background(), "plan", "-detailed-exitcode", "-lock=false")
	if err != nil {
		t.Fatalf("plan with nothing to change: %v", err)
	}
	return Calls(sb.World().Stats().Calls), w.proxy.Counts(), res.Duration
}

// The refresh of a 1,000-instance pool (`terraform plan` with nothing to
// change) costs the pool at most 3 EC2 calls and 2 Kubernetes lists: one
// page of DescribeInstances and one node list, whatever the size. The pool's
// share is the plan's cost minus that of a plan of its node class alone.
func TestBudget_refreshOfThousandInstances(t *testing.T) {
	timed(t)
	if testing.Short() {
		t.Skip("-short: skips the 1,000-instance pool")
	}
	// Fast transitions: the create is setup here, not what is measured.
	sandboxtest.Configure(t, `{"latency": {"launch": "200ms", "boot": "500ms", "cni": "200ms", "stop": "200ms", "start": "200ms", "terminate": "200ms"}}`)
	const size = warmpool.MaxSize

	alone := newTFWorkspace(t)
	alone.apply(t, PoolConfig{Name: "refresh-nc", Size: -1})
	t.Cleanup(func() { _, _ = alone.Run(context.Background(), "destroy", "-auto-approve", "-lock=false") })
	ncCalls, ncKube, _ := planCost(t, alone)

	w := newTFWorkspace(t)
	cfg := PoolConfig{Name: "refresh", Size: size}
	res := w.apply(t, cfg)
	t.Logf("create of %d: %s", size, res.Duration.Round(time.Second))
	t.Cleanup(func() {
		if _, err := w.Run(context.Background(), "destroy", "-auto-approve", "-lock=false"); err != nil {
			t.Errorf("destroy: %v", err)
		}
	})
	poolID, inState := w.poolInState(t)
	if len(inState) != size {
		t.Fatalf("state records %d instances, want %d", len(inState), size)
	}

	calls, kube, wall := planCost(t, w)
	poolCalls := calls.Sub(ncCalls)
	t.Logf("plan of a %d-instance pool: %s; EC2 %s (node class alone: %s); Kubernetes %s (node class alone: %s)",
		size, wall.Round(10*time.Millisecond), calls, ncCalls, kube, ncKube)
	if poolCalls.Total() > 3 {
		t.Errorf("the pool's refresh made %d EC2 calls (%s), want ≤ 3", poolCalls.Total(), poolCalls)
	}
	if n := calls["DescribeInstances"]; n != 1 {
		t.Errorf("refresh made %d DescribeInstances calls, want 1 (1,000 instances fit one page)", n)
	}
	if n := kube.Of("LIST", ""); n > 2 {
		t.Errorf("refresh made %d Kubernetes list requests (%s), want ≤ 2", n, kube)
	}
	for _, verb := range []string{"GET", "WATCH", "PATCH", "UPDATE", "DELETE"} {
		if n := kube.Of(verb, "nodes") + kube.Of(verb, "pods"); n > 0 {
			t.Errorf("refresh made %d %s requests on nodes or pods (%s): a plan only lists", n, verb, kube)
		}
	}

	sb := sandboxtest.Get(t)
	a, err := AuditPool(context.Background(), sb.World(), sb.Kubernetes(), poolID, inState)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range a.Problems(size) {
		t.Errorf("pool: %s", p)
	}
}
