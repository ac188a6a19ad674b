package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

func runningIs(n int) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("running"), knownvalue.Int64Exact(int64(n)))
}

// runningCount checks the sandbox runs n instances of the pool as running
// capacity.
func runningCount(t *testing.T, name string, n int) statecheck.StateCheck {
	return sandboxPoolCount{t: t, name: name, state: warmpool.StateRunning, ec2State: "running", n: n}
}

// poolNodes maps the pool's nodes by instance id.
func poolNodes(t *testing.T, name string) map[string]corev1.Node {
	nodes, err := sandboxtest.Get(t).Kubernetes().CoreV1().Nodes().List(context.Background(), metav1.ListOptions{LabelSelector: keys.Pool + "=" + name})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]corev1.Node{}
	for _, n := range nodes.Items {
		out[warmpool.InstanceIDFromProviderID(n.Spec.ProviderID)] = n
	}
	return out
}

// checkSchedulable: exactly n nodes of the pool take workloads (running,
// uncordoned, no standby taint), and the pool has no other node: standby
// instances are stopped and their Nodes deleted.
func checkSchedulable(t *testing.T, name string, n int) tfresource.TestCheckFunc {
	return func(*terraform.State) error {
		schedulable := 0
		for id, node := range poolNodes(t, name) {
			standbyTaint := false
			for _, taint := range node.Spec.Taints {
				standbyTaint = standbyTaint || taint.Key == keys.TaintStandby
			}
			switch state := node.Labels[keys.State]; {
			case state == "running" && !node.Spec.Unschedulable && !standbyTaint:
				schedulable++
			default:
				return fmt.Errorf("node %s (%s) is %s, unschedulable=%v, standby taint %v", node.Name, id, state, node.Spec.Unschedulable, standbyTaint)
			}
		}
		if schedulable != n {
			return fmt.Errorf("%d schedulable nodes in pool %s, want %d", schedulable, name, n)
		}
		return nil
	}
}

// runPodsOn binds n pods labelled app=<app> to the node (the sandbox has no
// scheduler) and waits until they run.
func runPodsOn(t *testing.T, node, app string, n int) {
	t.Helper()
	kube := sandboxtest.Get(t).Kubernetes()
	ctx := context.Background()
	for k := range n {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", app, k), Namespace: "default", Labels: map[string]string{"app": app}},
			Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "work", Image: "public.ecr.aws/docker/library/busybox:1.36"}}},
		}
		if _, err := kube.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for appPods(t, app, corev1.PodRunning) < n {
		if time.Now().After(deadline) {
			t.Fatalf("pods of %s never ran on %s", app, node)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Cleanup(func() {
		zero := int64(0)
		_ = kube.CoreV1().Pods("default").DeleteCollection(context.Background(), metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{LabelSelector: "app=" + app})
	})
}

// appPods counts app's pods not being deleted, in a phase or (phase "") all of them.
func appPods(t *testing.T, app string, phase corev1.PodPhase) int {
	pods, err := sandboxtest.Get(t).Kubernetes().CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range pods.Items {
		// Deleted already: the taint eviction controller deletes pods the
		// standby taint evicts gracefully, and on a node that stops at once
		// no kubelet confirms it, so such a pod stays Terminating (as on a
		// cluster) until its node returns or goes.
		if p.DeletionTimestamp != nil {
			continue
		}
		if phase == "" || p.Status.Phase == phase {
			n++
		}
	}
	return n
}

// runningNodeNames lists the pool's running nodes by instance id.
func runningNodeNames(t *testing.T, name string) map[string]string {
	out := map[string]string{}
	for id, n := range poolNodes(t, name) {
		if n.Labels[keys.State] == "running" {
			out[id] = n.Name
		}
	}
	return out
}

func TestAccWarmPool_runningUpAndDown(t *testing.T) {
	nc := newNCConfig(t)
	app := "work-" + nc.Name
	var busyID string
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{Config: poolConfig(nc, 2, ""), ConfigStateChecks: []statecheck.StateCheck{standbyCount(t, nc.Name, 2)}},
			{
				// Running up: two standby instances start and are served,
				// two launches refill standby in the same apply.
				Config: poolConfig(nc, 2, "running = 2"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{runningIs(2), runningCount(t, nc.Name, 2), sizeIs(2), standbyCount(t, nc.Name, 2)},
				Check:             tfresource.ComposeTestCheckFunc(checkLivePool(t, nc.Name, 4), checkSchedulable(t, nc.Name, 2)),
			},
			{
				// Running down with work on one node: the idle one returns.
				PreConfig: func() {
					for id, node := range runningNodeNames(t, nc.Name) {
						busyID = id
						runPodsOn(t, node, app, 3)
						break
					}
				},
				Config:            poolConfig(nc, 2, "running = 1"),
				ConfigStateChecks: []statecheck.StateCheck{runningIs(1), runningCount(t, nc.Name, 1), standbyCount(t, nc.Name, 2)},
				Check: tfresource.ComposeTestCheckFunc(checkLivePool(t, nc.Name, 3), checkSchedulable(t, nc.Name, 1),
					func(*terraform.State) error {
						if _, ok := runningNodeNames(t, nc.Name)[busyID]; !ok || appPods(t, app, "") != 3 {
							return fmt.Errorf("the busy node %s was drained (%d pods left) instead of the idle one", busyID, appPods(t, app, ""))
						}
						return nil
					}),
			},
			{
				// Running to zero: the busy node's pods are evicted.
				Config:            poolConfig(nc, 2, "running = 0"),
				ConfigStateChecks: []statecheck.StateCheck{runningIs(0), runningCount(t, nc.Name, 0), standbyCount(t, nc.Name, 2)},
				Check: tfresource.ComposeTestCheckFunc(checkLivePool(t, nc.Name, 2), checkSchedulable(t, nc.Name, 0),
					func(*terraform.State) error {
						if n := appPods(t, app, ""); n != 0 {
							return fmt.Errorf("%d pods left after the drain", n)
						}
						return nil
					}),
			},
			{Config: poolConfig(nc, 2, "running = 0"), PlanOnly: true},
		},
	})
}

func TestAccWarmPool_drainTimeout(t *testing.T) {
	for _, action := range []string{"fail", "stop"} {
		t.Run(action, func(t *testing.T) {
			nc := newNCConfig(t)
			app := "guarded-" + nc.Name
			extra := func(running int) string {
				return fmt.Sprintf("running = %d\n  drain_timeout = \"3s\"\n  drain_timeout_action = %q", running, action)
			}
			var unguard func()
			down := tfresource.TestStep{
				PreConfig: func() {
					for _, node := range runningNodeNames(t, nc.Name) {
						runPodsOn(t, node, app, 1)
					}
					unguard = sandboxtest.BlockingBudget(t, sandboxtest.Get(t).Kubernetes(), app)
				},
				Config: poolConfig(nc, 0, extra(0)),
			}
			if action == "fail" {
				down.ExpectError = regexp.MustCompile(`not drained within 3s`)
			} else {
				down.ConfigStateChecks = []statecheck.StateCheck{runningIs(0), runningCount(t, nc.Name, 0)}
				down.Check = tfresource.ComposeTestCheckFunc(checkLivePool(t, nc.Name, 0), func(*terraform.State) error {
					// The stopped node's Node is deleted; kube-controller-manager's
					// pod garbage collector deletes the pods bound to it once the
					// node has been gone for its 40 s quarantine
					// (pkg/controller/podgc/gc_controller.go, gcOrphaned).
					for deadline := time.Now().Add(2 * time.Minute); appPods(t, app, "") != 0 && time.Now().Before(deadline); {
						time.Sleep(time.Second)
					}
					if n := appPods(t, app, ""); n != 0 {
						return fmt.Errorf("%d pods still on the stopped node", n)
					}
					return nil
				})
			}
			steps := []tfresource.TestStep{
				{Config: poolConfig(nc, 0, extra(1)), ConfigStateChecks: []statecheck.StateCheck{runningIs(1)}},
				down,
			}
			if action == "fail" {
				steps = append(steps, tfresource.TestStep{
					// The budget held: the pod is still there, its node
					// running and cordoned. Once the budget goes, the
					// next apply finishes the drain.
					PreConfig: func() {
						if n := appPods(t, app, corev1.PodRunning); n != 1 {
							t.Fatalf("%d guarded pods running after the failed drain, want 1", n)
						}
						for _, node := range poolNodes(t, nc.Name) {
							if !node.Spec.Unschedulable || node.Labels[keys.State] != "draining" {
								t.Fatalf("node %s: unschedulable=%v state %s, want cordoned and draining", node.Name, node.Spec.Unschedulable, node.Labels[keys.State])
							}
						}
						unguard()
					},
					Config:            poolConfig(nc, 0, extra(0)),
					ConfigStateChecks: []statecheck.StateCheck{runningIs(0), runningCount(t, nc.Name, 0)},
					Check:             checkLivePool(t, nc.Name, 0),
				})
			}
			tfresource.Test(t, tfresource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             checkPoolDestroyed(t, nc.Name),
				Steps:                    steps,
			})
		})
	}
}

func TestAccWarmPool_maxSize(t *testing.T) {
	nc := newNCConfig(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{Config: poolConfig(nc, 3, "running = 5\n  max_size = 4"), PlanOnly: true, ExpectError: regexp.MustCompile(`running exceeds max_size`)},
			{
				Config: poolConfig(nc, 3, "running = 2\n  max_size = 4"),
				// size keeps its configured value; standby is held at 2.
				ConfigStateChecks: []statecheck.StateCheck{sizeIs(3), standbyCount(t, nc.Name, 2), runningCount(t, nc.Name, 2)},
				Check:             checkLivePool(t, nc.Name, 4),
			},
			{Config: poolConfig(nc, 3, "running = 2\n  max_size = 4"), PlanOnly: true},
		},
	})
}

func TestAccWarmPool_startCapacityFallback(t *testing.T) {
	nc := newNCConfig(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{Config: poolConfig(nc, 6, ""), ConfigStateChecks: []statecheck.StateCheck{standbyCount(t, nc.Name, 6)}},
			{
				PreConfig:         func() { sandboxtest.Configure(t, `{"insufficient_capacity": ["us-east-1a"]}`) },
				Config:            poolConfig(nc, 0, "running = 3"),
				ConfigStateChecks: []statecheck.StateCheck{runningIs(3), runningCount(t, nc.Name, 3)},
				Check: func(*terraform.State) error {
					running := runningNodeNames(t, nc.Name)
					if len(running) != 3 {
						return fmt.Errorf("%d running nodes, want 3", len(running))
					}
					for id := range running {
						info, _, _ := sandboxtest.Get(t).World().Instance(id)
						if info.AvailabilityZone == "us-east-1a" {
							return fmt.Errorf("instance %s started in us-east-1a, which has no capacity", id)
						}
					}
					return nil
				},
			},
		},
	})
}

// A pool read by a configuration that does not own it: the nested test is
// a second working directory with only the data source.
func TestAccWarmPoolDataSource_otherConfiguration(t *testing.T) {
	nc := newNCConfig(t)
	ec2c := sandboxEC2(t)
	ds := "data.stratos_warm_pool.other"
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{{
			Config: poolConfig(nc, 3, ""),
			Check: func(*terraform.State) error {
				live, _ := poolInstances(t, nc.Name)
				// Started outside Terraform: running is unset, so the
				// pool leaves it alone and readers see it running.
				if _, err := ec2c.StartInstances(context.Background(), &ec2.StartInstancesInput{InstanceIds: live[:1]}); err != nil {
					return err
				}
				// Standby instances have no Node; the started one's kubelet
				// registers it again.
				for deadline := time.Now().Add(time.Minute); len(poolNodes(t, nc.Name)) != 1; time.Sleep(200 * time.Millisecond) {
					if time.Now().After(deadline) {
						return fmt.Errorf("pool %s has %d nodes a minute after one instance started, want 1", nc.Name, len(poolNodes(t, nc.Name)))
					}
				}
				tfresource.Test(t, tfresource.TestCase{
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					Steps: []tfresource.TestStep{{
						Config: fmt.Sprintf(`
data "stratos_warm_pool" "other" {
  name = %q
}
`, nc.Name),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("cluster_name"), knownvalue.StringExact("sandbox")),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("standby"), knownvalue.Int64Exact(2)),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("running"), knownvalue.Int64Exact(1)),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("running_instance_ids"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(live[0])})),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("counts").AtMapKey("standby"), knownvalue.Int64Exact(2)),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("counts").AtMapKey("failed"), knownvalue.Int64Exact(0)),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("instance_ids").AtMapKey("standby"), knownvalue.ListSizeExact(2)),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("node_names"), knownvalue.ListSizeExact(1)),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("node_class"), knownvalue.StringExact(nc.Name)),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("node_class_version"), knownvalue.Int64Exact(1)),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("node_class_latest_version"), knownvalue.Int64Exact(1)),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("outdated"), knownvalue.Int64Exact(0)),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("instances"), knownvalue.ListSizeExact(3)),
						},
					}},
				})
				return nil
			},
			// The started instance left standby: size reads 2 on refresh.
			ExpectNonEmptyPlan: true,
		}},
	})
}

func TestAccWarmPoolDataSource_unknownPool(t *testing.T) {
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:      `data "stratos_warm_pool" "none" { name = "no-such-pool" }`,
			ExpectError: regexp.MustCompile(`cluster_name set`),
		}, {
			// An empty pool is read by its cluster.
			Config: `data "stratos_warm_pool" "none" {
  name         = "no-such-pool"
  cluster_name = "sandbox"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.stratos_warm_pool.none", tfjsonpath.New("standby"), knownvalue.Int64Exact(0)),
			},
		}},
	})
}
