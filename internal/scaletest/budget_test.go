package scaletest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest/kubecount"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// createCost converges a new pool of n with f's engine and returns what the
// create cost; the pool is destroyed again before it returns.
func createCost(t *testing.T, f *engineFixture, n int) (Calls, kubecount.Counts) {
	t.Helper()
	sb := sandboxtest.Get(t)
	pool := f.pool("budget", n)
	sb.World().ResetStats()
	f.proxy.Reset()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res, err := f.engine.Converge(ctx, pool)
	if err != nil {
		t.Fatalf("create %d: %v", n, err)
	}
	calls, kube := Calls(sb.World().Stats().Calls), f.proxy.Counts()
	checkPodReadsScoped(t, f.proxy, res.Observation, n)
	f.audit(pool, res.Observation)
	f.proxy.Reset()
	if err := f.engine.Destroy(ctx, pool.ID(), nil); err != nil {
		t.Fatalf("destroy %d: %v", n, err)
	}
	// A destroy deletes the pool's nodes in one request, not one per node.
	if destroyed := f.proxy.Counts(); destroyed.Of("DELETE", "nodes") > 0 || destroyed.Of("DELETECOLLECTION", "nodes") > 1 {
		t.Errorf("destroy of %d: %d node deletes and %d collection deletes, want one collection delete",
			n, destroyed.Of("DELETE", "nodes"), destroyed.Of("DELETECOLLECTION", "nodes"))
	}
	t.Logf("create of %d: EC2 %d calls (%s); Kubernetes %d requests (%s)", n, calls.Total(), calls, kube.Total(), kube)
	return calls, kube
}

// Creating 50 times more instances costs at most 3 times the EC2 calls: the
// engine launches per subnet and instance type, stops and tags in batches,
// and polls the whole pool with one paginated DescribeInstances, so calls
// grow with N only through AWS's page and batch limits. Readiness comes from
// one list and one watch per resource kind, never a GET per node.
func TestBudget_createCallsGrowOnlyThroughBatches(t *testing.T) {
	timed(t)
	f := newEngineFixture(t, warmpool.Options{}) // production batching and polling for both sizes
	smallCalls, smallKube := createCost(t, f, 10)
	largeCalls, largeKube := createCost(t, f, 500)

	// The total is not compared with the create of 10: DescribeInstances
	// is one call per poll and StopInstances one per wave of nodes turning
	// Ready together, so both follow how long the create takes on a busy
	// machine, not how many instances it has. Per action, one call per
	// instance (or per instance per poll) would be ≥ 500.
	t.Logf("EC2 calls: create of 10: %d %v; create of 500: %d %v", smallCalls.Total(), smallCalls, largeCalls.Total(), largeCalls)
	for action, n := range largeCalls {
		if n >= 50 {
			t.Errorf("create of 500 made %d %s calls: that grows with the instances, not with batches", n, action)
		}
	}
	// Three subnets × at most two instance types; nothing at these sizes
	// needs more than one RunInstances per subnet and type.
	if n := largeCalls["RunInstances"]; n > 6 {
		t.Errorf("create of 500 made %d RunInstances calls, want ≤ 6 (one per subnet and instance type)", n)
	}
	for _, c := range []struct {
		n    int
		kube kubecount.Counts
	}{{10, smallKube}, {500, largeKube}} {
		// Watch-driven readiness: a GET of a node happens only to re-read it
		// after a write conflict (each one followed by a retried patch;
		// every node is patched once, and patchNode re-reads at most 3
		// times), never per node per poll. How many conflicts there are
		// depends on how busy the machine is and on the other writers of
		// Nodes (the cloud controller's initialization, the node lifecycle
		// controller's taints), so only these structural bounds are asserted.
		gets, retries := c.kube.Of("GET", "nodes"), c.kube.Of("PATCH", "nodes")-c.n
		if gets > retries || gets > 3*c.n {
			t.Errorf("create of %d: %d GET node requests for %d retried patches; readiness must come from the watch", c.n, gets, retries)
		}
		// Pods are read per node of the pool (checkPodReadsScoped): one
		// list per node, and a watch that the apiserver may close and the
		// informer resume once or so.
		if got := c.kube.Of("LIST", "pods"); got > c.n {
			t.Errorf("create of %d: %d LIST pods requests, want ≤ %d (one per node of the pool)", c.n, got, c.n)
		}
		if got := c.kube.Of("WATCH", "pods"); got > 2*c.n {
			t.Errorf("create of %d: %d WATCH pods requests, want ≤ %d (about one per node of the pool)", c.n, got, 2*c.n)
		}
		for _, kind := range []string{"nodes", "daemonsets"} {
			// One informer list per kind, plus the final observation's node list.
			limit := 1
			if kind == "nodes" {
				limit = 2
			}
			if got := c.kube.Of("LIST", kind); got > limit {
				t.Errorf("create of %d: %d LIST %s requests, want ≤ %d", c.n, got, kind, limit)
			}
			// The apiserver closes watches it finds slow (many nodes changing
			// at once on two cores); the informer resumes them from the last
			// resource version without a new list. Far fewer than one per node.
			if got, limit := c.kube.Of("WATCH", kind), max(3, c.n/20); got < 1 || got > limit {
				t.Errorf("create of %d: %d WATCH %s requests, want 1–%d", c.n, got, kind, limit)
			}
		}
		// Each standby Node is deleted once its instance is verified stopped.
		if got := c.kube.Of("DELETE", "nodes"); got > c.n {
			t.Errorf("create of %d: %d node deletes, want ≤ 1 per node", c.n, got)
		}
		if got := c.kube.Of("PATCH", "nodes"); got > 2*c.n {
			t.Errorf("create of %d: %d node patches, want ≤ 2 per node", c.n, got)
		}
	}
}

// checkPodReadsScoped fails unless every pod LIST and WATCH the engine made
// was scoped to one node of the pool (field selector spec.nodeName=<node>),
// and at most one node's worth per instance: the cost of a pool never
// depends on the cluster's other pods.
func checkPodReadsScoped(t *testing.T, proxy *kubecount.Proxy, obs *warmpool.Observation, n int) {
	t.Helper()
	poolNodes := map[string]bool{}
	if obs != nil {
		for _, i := range obs.Instances {
			poolNodes[i.PrivateDNSName] = true
			poolNodes[i.NodeName] = true
		}
	}
	scoped := map[string]bool{}
	for _, verb := range []string{"LIST", "WATCH"} {
		for sel, count := range proxy.FieldSelectors(kubecount.Request{Verb: verb, Resource: "pods"}) {
			node, ok := strings.CutPrefix(sel, "spec.nodeName=")
			if !ok || !poolNodes[node] || node == "" {
				t.Errorf("pool of %d: %d %s pods requests with field selector %q: pods must be read per node of the pool", n, count, verb, sel)
				continue
			}
			scoped[node] = true
		}
	}
	if len(scoped) > n {
		t.Errorf("pool of %d read the pods of %d nodes", n, len(scoped))
	}
}

// The pools of one provider process share their informers: two pools
// converging at once list the cluster's DaemonSets and the provider's nodes
// once between them, and read pods only of their own nodes.
func TestBudget_poolsShareInformers(t *testing.T) {
	timed(t)
	sb := sandboxtest.Get(t)
	f := newEngineFixture(t, warmpool.Options{})
	f.engine.Informers = warmpool.NewInformers(f.engine.Kube)
	pools := []warmpool.Pool{f.pool("shared-a", 5), f.pool("shared-b", 5)}
	sb.World().ResetStats()
	f.proxy.Reset()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	results := make([]*warmpool.Result, len(pools))
	errs := make(chan error, len(pools))
	// Both start before either finishes: each takes a boot and a stop.
	for k, pool := range pools {
		go func() {
			var err error
			results[k], err = f.engine.Converge(ctx, pool)
			errs <- err
		}()
	}
	for range pools {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	kube := f.proxy.Counts()
	t.Logf("two pools of 5 at once: Kubernetes %d requests (%s)", kube.Total(), kube)
	if got := kube.Of("LIST", "daemonsets"); got != 1 {
		t.Errorf("two pools at once made %d LIST daemonsets requests, want 1 (one shared informer)", got)
	}
	// One shared node informer, plus each converge's final observation.
	if got := kube.Of("LIST", "nodes"); got > 1+len(pools) {
		t.Errorf("two pools at once made %d LIST nodes requests, want ≤ %d", got, 1+len(pools))
	}
	all := &warmpool.Observation{}
	for k, res := range results {
		all.Instances = append(all.Instances, res.Observation.Instances...)
		f.audit(pools[k], res.Observation)
	}
	checkPodReadsScoped(t, f.proxy, all, 10)
}
