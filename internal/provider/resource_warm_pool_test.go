package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

const poolAddr = "stratos_warm_pool.test"

func init() {
	// The sandbox's latencies are seconds; poll it accordingly.
	engineOptions = warmpool.Options{PollInterval: 250 * time.Millisecond, MaxPollInterval: time.Second}
}

// poolConfig is a node class and a pool of it against the sandbox.
func poolConfig(nc ncConfig, size int, extra string) string {
	return nc.String() + fmt.Sprintf(`
resource "stratos_warm_pool" "test" {
  name               = %q
  node_class         = stratos_node_class.test.id
  node_class_version = stratos_node_class.test.version
  size               = %d
  labels = {
    team = "ci"
  }
  %s
}
`, nc.Name, size, extra)
}

// instanceState is an instance's EC2 state in the sandbox.
func instanceState(t *testing.T, id string) string {
	for _, r := range sandboxtest.Get(t).World().AllInstances() {
		if r.ID == id {
			return string(r.State)
		}
	}
	return ""
}

// poolInstances lists the sandbox's instances of a pool: live ones and all.
func poolInstances(t *testing.T, name string) (live []string, all int) {
	for _, r := range sandboxtest.Get(t).World().AllInstances() {
		if r.Tags[keys.Pool] != name {
			continue
		}
		all++
		if r.State != "terminated" && r.State != "shutting-down" {
			live = append(live, r.ID)
		}
	}
	return live, all
}

// checkPoolDestroyed: no instance and no node of the pool is left.
func checkPoolDestroyed(t *testing.T, name string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		if live, _ := poolInstances(t, name); len(live) > 0 {
			return fmt.Errorf("instances of pool %s left after destroy: %v", name, live)
		}
		nodes, err := sandboxtest.Get(t).Kubernetes().CoreV1().Nodes().List(context.Background(), metav1.ListOptions{LabelSelector: keys.Pool + "=" + name})
		if err != nil {
			return err
		}
		if len(nodes.Items) > 0 {
			return fmt.Errorf("%d nodes of pool %s left after destroy", len(nodes.Items), name)
		}
		return checkNodeClassDestroyed(t, name)(s)
	}
}

// checkLivePool asserts the sandbox holds exactly n live instances of the pool.
func checkLivePool(t *testing.T, name string, n int) tfresource.TestCheckFunc {
	return func(*terraform.State) error {
		if live, _ := poolInstances(t, name); len(live) != n {
			return fmt.Errorf("pool %s has %d live instances in the sandbox, want %d: %v", name, len(live), n, live)
		}
		return nil
	}
}

func sizeIs(n int) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(n)))
}

// standbyCount checks the sandbox holds n standby instances of the pool.
func standbyCount(t *testing.T, name string, n int) statecheck.StateCheck {
	return sandboxPoolCount{t: t, name: name, state: warmpool.StateStandby, ec2State: "stopped", n: n}
}

// sandboxPoolCount is a state check of the sandbox: n instances of the pool
// carry the pool state tag state and are in EC2 state ec2State. (The pool's
// instances are not resource attributes; the data source lists them.)
type sandboxPoolCount struct {
	t              *testing.T
	name, ec2State string
	state          warmpool.State
	n              int
}

func (c sandboxPoolCount) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	var ids []string
	for _, r := range sandboxtest.Get(c.t).World().AllInstances() {
		if r.Tags[keys.Pool] == c.name && r.Tags[keys.State] == string(c.state) && string(r.State) == c.ec2State {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) != c.n {
		resp.Error = fmt.Errorf("pool %s has %d %s instances (EC2 %s) in the sandbox, want %d: %v", c.name, len(ids), c.state, c.ec2State, c.n, ids)
	}
}

func TestWarmPoolResource_schemaIsValid(t *testing.T) {
	var resp resource.SchemaResponse
	NewWarmPoolResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
}

func TestAccWarmPool_basic(t *testing.T) {
	nc := newNCConfig(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{
				Config: poolConfig(nc, 3, ""),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sizeIs(3), standbyCount(t, nc.Name, 3),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("failed_warmups"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("node_class_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("pool_id"), knownvalue.StringExact(warmpool.PoolID("sandbox", nc.Name))),
				},
				Check: checkLivePool(t, nc.Name, 3),
			},
			{
				Config:           poolConfig(nc, 3, ""),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName:            poolAddr,
				ImportState:             true,
				ImportStateId:           nc.Name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"labels", "timeouts"},
			},
		},
	})
}

func TestAccWarmPool_resize(t *testing.T) {
	nc := newNCConfig(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{Config: poolConfig(nc, 2, ""), ConfigStateChecks: []statecheck.StateCheck{sizeIs(2)}},
			{
				Config: poolConfig(nc, 5, ""),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sizeIs(5), standbyCount(t, nc.Name, 5)},
				Check:             checkLivePool(t, nc.Name, 5),
			},
			{
				Config:            poolConfig(nc, 1, ""),
				ConfigStateChecks: []statecheck.StateCheck{sizeIs(1), standbyCount(t, nc.Name, 1)},
				Check:             checkLivePool(t, nc.Name, 1),
			},
			{Config: poolConfig(nc, 0, ""), ConfigStateChecks: []statecheck.StateCheck{sizeIs(0)}, Check: checkLivePool(t, nc.Name, 0)},
		},
	})
}

// A node class change shows in the same plan as a pool update and replaces
// the outdated standby instances in the same apply.
func TestAccWarmPool_nodeClassChange(t *testing.T) {
	nc := newNCConfig(t)
	var before []string
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{
				Config: poolConfig(nc.with("max_pods = 58"), 3, ""),
				Check: func(*terraform.State) error {
					before, _ = poolInstances(t, nc.Name)
					return nil
				},
			},
			{
				Config: poolConfig(nc.with("max_pods = 110"), 3, ""),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("stratos_node_class.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(poolAddr, tfjsonpath.New("node_class_version"), knownvalue.Int64Exact(2)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sizeIs(3), standbyCount(t, nc.Name, 3),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("node_class_version"), knownvalue.Int64Exact(2)),
				},
				Check: func(*terraform.State) error {
					live, _ := poolInstances(t, nc.Name)
					if len(live) != 3 {
						return fmt.Errorf("%d live instances after the replacement, want 3", len(live))
					}
					for _, id := range live {
						for _, old := range before {
							if id == old {
								return fmt.Errorf("instance %s of node class version 1 was not replaced", id)
							}
						}
					}
					return nil
				},
			},
			{Config: poolConfig(nc.with("max_pods = 110"), 3, ""), ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// Drift: an instance terminated outside Terraform shows as a diff and is
// replaced; one started outside Terraform is reported and left alone.
func TestAccWarmPool_drift(t *testing.T) {
	nc := newNCConfig(t)
	ec2c := sandboxEC2(t)
	var started string
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{
				Config: poolConfig(nc, 3, ""),
				Check: func(*terraform.State) error {
					live, _ := poolInstances(t, nc.Name)
					started = live[1]
					if _, err := ec2c.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: live[:1]}); err != nil {
						return err
					}
					_, err := ec2c.StartInstances(context.Background(), &ec2.StartInstancesInput{InstanceIds: []string{started}})
					return err
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: poolConfig(nc, 3, ""),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(poolAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(3)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sizeIs(3), standbyCount(t, nc.Name, 3),
				},
				// Three standby plus the one started outside Terraform, left alone.
				Check: tfresource.ComposeTestCheckFunc(checkLivePool(t, nc.Name, 4), func(*terraform.State) error {
					if got := instanceState(t, started); got != "running" {
						return fmt.Errorf("instance %s started outside Terraform is %s, want running (left alone)", started, got)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccWarmPool_warmupTimeout(t *testing.T) {
	for _, action := range []string{"terminate", "stop"} {
		t.Run(action, func(t *testing.T) {
			sandboxtest.Configure(t, `{"never_ready_rate": 1}`)
			nc := newNCConfig(t)
			warmup := fmt.Sprintf(`warmup = {
    timeout        = "3s"
    timeout_action = %q
  }`, action)
			want := map[string]int{"terminate": 0, "stop": 3}[action] // 1 instance + 2 replacement rounds
			tfresource.Test(t, tfresource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             checkPoolDestroyed(t, nc.Name),
				Steps: []tfresource.TestStep{{
					Config:      poolConfig(nc, 1, warmup),
					ExpectError: regexp.MustCompile(`(?s)timed out after 3s waiting for node NotReady.*` + regexp.QuoteMeta(action)),
				}, {
					// What the failed apply left is in state: tainted, listed, nothing leaked.
					RefreshState: true,
					Check: func(s *terraform.State) error {
						rs := s.RootModule().Resources[poolAddr]
						if rs == nil {
							return fmt.Errorf("failed create left no state")
						}
						if got, _ := strconv.Atoi(rs.Primary.Attributes["failed_warmups"]); got != want {
							return fmt.Errorf("state counts %d failed warmups, want %d", got, want)
						}
						return checkLivePool(t, nc.Name, want)(s)
					},
					ExpectNonEmptyPlan: true,
				}},
			})
		})
	}
}

func TestAccWarmPool_badUserDataNeverJoins(t *testing.T) {
	nc := newNCConfig(t)
	bad := nc
	bad.Extra = ""
	config := poolConfig(bad, 1, `warmup = {
    timeout = "4s"
  }`)
	// A cluster name the sandbox cluster does not have: valid TOML, but the
	// node never joins, and the console says why.
	config = regexp.MustCompile(`cluster_name\s+= "sandbox"`).ReplaceAllString(config, `cluster_name = "other-cluster"`)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)node never registered.*console`),
		}},
	})
}

func TestAccWarmPool_capacityFallbackAndThrottling(t *testing.T) {
	sandboxtest.Configure(t, `{"insufficient_capacity": ["us-east-1a", "m5.large"], "throttle_rate": 0.2}`)
	nc := newNCConfig(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{{
			Config:            poolConfig(nc, 4, ""),
			ConfigStateChecks: []statecheck.StateCheck{sizeIs(4)},
			Check: func(*terraform.State) error {
				live, _ := poolInstances(t, nc.Name)
				for _, id := range live {
					info, _, _ := sandboxtest.Get(t).World().Instance(id)
					if info.AvailabilityZone == "us-east-1a" || info.InstanceType != "m6i.large" {
						return fmt.Errorf("instance %s launched in %s as %s despite no capacity there", id, info.AvailabilityZone, info.InstanceType)
					}
				}
				return nil
			},
		}},
	})
}

// An apply cut short (here by its create timeout) records what it launched;
// the next apply converges with none leaked and none duplicated.
func TestAccWarmPool_interruptedApply(t *testing.T) {
	nc := newNCConfig(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{
				Config:      poolConfig(nc, 3, `timeouts { create = "1500ms" }`),
				ExpectError: regexp.MustCompile(`did not converge`),
			},
			{
				Config:            poolConfig(nc, 3, ""),
				ConfigStateChecks: []statecheck.StateCheck{sizeIs(3), standbyCount(t, nc.Name, 3)},
				Check:             checkLivePool(t, nc.Name, 3),
			},
		},
	})
}

func TestAccWarmPool_badInput(t *testing.T) {
	nc := newNCConfig(t)
	for name, tc := range map[string]struct {
		size        int
		extra, want string
	}{
		"size":           {1001, "", `size.*1001|between 0 and 1000`},
		"reserved label": {1, `taints = [{ key = "stratos.sh/standby", effect = "NoExecute" }]`, `Reserved taint`},
		"bad taint":      {1, `taints = [{ key = "dedicated", value = "ci", effect = "Sometimes" }]`, `(?i)effect`},
		"bad duration":   {1, `warmup = { timeout = "ten minutes" }`, `Invalid duration`},
	} {
		t.Run(name, func(t *testing.T) {
			tfresource.Test(t, tfresource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []tfresource.TestStep{{Config: poolConfig(nc, tc.size, tc.extra), PlanOnly: true, ExpectError: regexp.MustCompile(tc.want)}},
			})
		})
	}
	t.Run("unknown node class", func(t *testing.T) {
		tfresource.Test(t, tfresource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []tfresource.TestStep{{
				Config: `
resource "stratos_warm_pool" "test" {
  name       = "orphan"
  node_class = "does-not-exist"
  size       = 1
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Unknown node class`),
			}},
		})
	})
	t.Run("invalid label", func(t *testing.T) {
		tfresource.Test(t, tfresource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []tfresource.TestStep{{
				Config: poolConfig(nc, 1, "") + "\n" + `
resource "stratos_warm_pool" "bad" {
  name       = "bad"
  node_class = stratos_node_class.test.id
  size       = 1
  labels     = { "kubernetes.io/role" = "x" }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`kubernetes\.io`),
			}},
		})
	})
}
