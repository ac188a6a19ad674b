package scaletest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest/kubecount"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// createCost is what one create cost: the sandbox's EC2 calls, and the
// engine's Kubernetes requests and the objects they read (list items and
// watch events), by verb and resource.
type createCost struct {
	ec2           Calls
	kube, objects kubecount.Counts
}

// measureCreate converges a new pool of n with f's engine and returns what
// the create cost; the pool is destroyed again before it returns.
func measureCreate(t *testing.T, f *engineFixture, n int) createCost {
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
	cost := createCost{ec2: Calls(sb.World().Stats().Calls), kube: f.proxy.Counts(), objects: f.proxy.Objects()}
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
	t.Logf("create of %d: EC2 %d calls (%s); Kubernetes %d requests (%s), objects read (%s)",
		n, cost.ec2.Total(), cost.ec2, cost.kube.Total(), cost.kube, cost.objects)
	return cost
}

// Creating 50 times more instances costs at most 3 times the EC2 calls: the
// engine launches per subnet and instance type, stops and tags in batches,
// and polls the whole pool with one paginated DescribeInstances, so calls
// grow with N only through AWS's page and batch limits. Readiness comes from
// one list and one watch per resource kind, never a GET per node.
func TestBudget_createCallsGrowOnlyThroughBatches(t *testing.T) {
	timed(t)
	f := newEngineFixture(t, warmpool.Options{}) // production batching and polling for both sizes
	small := measureCreate(t, f, 10)
	large := measureCreate(t, f, 500)
	smallCalls, largeCalls := small.ec2, large.ec2

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
	checkCreateKubeBudget(t, 10, small.kube)
	checkCreateKubeBudget(t, 500, large.kube)
}

// checkCreateKubeBudget checks the Kubernetes requests of a create of n
// against what watch-driven readiness needs.
func checkCreateKubeBudget(t *testing.T, n int, kube kubecount.Counts) {
	t.Helper()
	// Watch-driven readiness: a GET of a node happens only to re-read it
	// after a write conflict (each one followed by a retried patch; every
	// node is patched once, and patchNode re-reads at most 3 times), never
	// per node per poll. How many conflicts there are depends on how busy
	// the machine is and on the other writers of Nodes (the cloud
	// controller's initialization, the node lifecycle controller's taints),
	// so only these structural bounds are asserted.
	gets, retries := kube.Of("GET", "nodes"), kube.Of("PATCH", "nodes")-n
	if gets > retries || gets > 3*n {
		t.Errorf("create of %d: %d GET node requests for %d retried patches; readiness must come from the watch", n, gets, retries)
	}
	// Pods are read per node of the pool (checkPodReadsScoped): one list
	// per node, and a watch that the apiserver may close and the informer
	// resume once or so.
	if got := kube.Of("LIST", "pods"); got > n {
		t.Errorf("create of %d: %d LIST pods requests, want ≤ %d (one per node of the pool)", n, got, n)
	}
	if got := kube.Of("WATCH", "pods"); got > 2*n {
		t.Errorf("create of %d: %d WATCH pods requests, want ≤ %d (about one per node of the pool)", n, got, 2*n)
	}
	for _, kind := range []string{"nodes", "daemonsets"} {
		// One informer list per kind, plus the final observation's node list.
		limit := 1
		if kind == "nodes" {
			limit = 2
		}
		if got := kube.Of("LIST", kind); got > limit {
			t.Errorf("create of %d: %d LIST %s requests, want ≤ %d", n, got, kind, limit)
		}
		// The apiserver closes watches it finds slow (many nodes changing
		// at once on two cores); the informer resumes them from the last
		// resource version without a new list. Far fewer than one per node.
		if got, limit := kube.Of("WATCH", kind), max(3, n/20); got < 1 || got > limit {
			t.Errorf("create of %d: %d WATCH %s requests, want 1–%d", n, got, kind, limit)
		}
	}
	// The standby Nodes are deleted once their instances are verified
	// stopped, a hundred to a deletecollection request (one pass for the
	// whole create, plus the final observation's leftovers), never one
	// DELETE per node.
	if got, limit := kube.Of("DELETECOLLECTION", "nodes"), (n+99)/100+1; got > limit || kube.Of("DELETE", "nodes") > 0 {
		t.Errorf("create of %d: %d node deletes and %d collection deletes, want none and ≤ %d", n, kube.Of("DELETE", "nodes"), got, limit)
	}
	if got := kube.Of("PATCH", "nodes"); got > 2*n {
		t.Errorf("create of %d: %d node patches, want ≤ 2 per node", n, got)
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

// The pools of one provider process share their informers (warmpool.
// Informers, which the provider creates once per process): pools that
// converge at once make one list and one watch of the provider's nodes
// (label selector managed-by) and of the cluster's DaemonSets between them,
// however many pools there are. What grows with the pools is what is each
// pool's own: one node list of the pool for its final observation (label
// selector pool-id) and the pod reads of its own nodes.
func TestBudget_poolsShareInformers(t *testing.T) {
	timed(t)
	f := newEngineFixture(t, warmpool.Options{})
	f.engine.Informers = warmpool.NewInformers(f.engine.Kube)
	for _, pools := range []int{1, 4} {
		const size = 3
		kube, lists := convergeAtOnce(t, f, pools, size)
		t.Logf("%d pools of %d at once: Kubernetes %d requests (%s); node lists by label selector %v", pools, size, kube.Total(), kube, lists)
		if got := kube.Of("LIST", "daemonsets"); got != 1 {
			t.Errorf("%d pools at once made %d LIST daemonsets requests, want 1 (one shared informer)", pools, got)
		}
		managed := keys.ManagedBy + "=" + keys.ManagedByValue
		if got := lists[managed]; got != 1 {
			t.Errorf("%d pools at once listed the provider's nodes (%s) %d times, want 1 (one shared informer)", pools, managed, got)
		}
		for sel, got := range lists {
			if sel != managed && (!strings.HasPrefix(sel, keys.PoolID+"=") || got != 1) {
				t.Errorf("%d pools at once: %d node lists with label selector %q, want only one list of each pool's own nodes", pools, got, sel)
			}
		}
		if got := len(lists) - 1; got != pools {
			t.Errorf("%d pools at once listed the nodes of %d pools, want each pool's once", pools, got)
		}
		// The apiserver may close a watch it finds slow and the informer
		// resume it; never a watch per pool.
		for _, kind := range []string{"nodes", "daemonsets"} {
			if got := kube.Of("WATCH", kind); got < 1 || got > 2 {
				t.Errorf("%d pools at once made %d WATCH %s requests, want 1 (one shared informer; 2 if resumed)", pools, got, kind)
			}
		}
	}
}

// convergeAtOnce creates pools of size concurrently with f's engine, as
// Terraform applies the pools of one configuration, audits them, and
// returns the engine's Kubernetes requests and its node lists by label
// selector.
func convergeAtOnce(t *testing.T, f *engineFixture, pools, size int) (kubecount.Counts, map[string]int) {
	t.Helper()
	sb := sandboxtest.Get(t)
	var all []warmpool.Pool
	for k := range pools {
		all = append(all, f.pool(fmt.Sprintf("shared-%d", k), size))
	}
	sb.World().ResetStats()
	f.proxy.Reset()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	results := make([]*warmpool.Result, pools)
	errs := make(chan error, pools)
	// All start before any finishes: each takes a boot and a stop.
	for k, pool := range all {
		go func() {
			var err error
			results[k], err = f.engine.Converge(ctx, pool)
			errs <- err
		}()
	}
	for range all {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	kube, lists := f.proxy.Counts(), f.proxy.LabelSelectors(kubecount.Request{Verb: "LIST", Resource: "nodes"})
	observed := &warmpool.Observation{}
	for k, res := range results {
		observed.Instances = append(observed.Instances, res.Observation.Instances...)
		f.audit(all[k], res.Observation)
	}
	checkPodReadsScoped(t, f.proxy, observed, pools*size)
	return kube, lists
}
