package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
)

const nodeClassAddr = "stratos_node_class.test"

var nodeClassSeq atomic.Int64

// ncTestName is unique per test in the shared sandbox.
func ncTestName(t *testing.T) string {
	return fmt.Sprintf("acc-%d-%d-%s", os.Getpid()%10000, nodeClassSeq.Add(1), acctest.RandStringFromCharSet(4, "abcdefghijklmnopqrstuvwxyz"))
}

// ncConfig is a node class configuration against the sandbox.
type ncConfig struct {
	Name          string
	AMI           string
	InstanceTypes []string
	// Network replaces subnet_ids/security_group_ids when set.
	Network string
	Extra   string
}

func newNCConfig(t *testing.T) ncConfig {
	sb := sandboxtest.Get(t)
	ami, ok := sb.World().ImageID("aws-k8s-1.32", "x86_64")
	if !ok {
		t.Fatal("sandbox has no aws-k8s-1.32 x86_64 image")
	}
	return ncConfig{Name: ncTestName(t), AMI: ami, InstanceTypes: []string{"m5.large", "m6i.large"}}
}

func hclList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

func (c ncConfig) String() string {
	network := c.Network
	if network == "" {
		network = fmt.Sprintf("subnet_ids = %s\n  security_group_ids = %s",
			hclList(strings.Split(os.Getenv("STRATOS_SANDBOX_SUBNET_IDS"), ",")),
			hclList(strings.Split(os.Getenv("STRATOS_SANDBOX_SECURITY_GROUP_IDS"), ",")))
	}
	return fmt.Sprintf(`
resource "stratos_node_class" "test" {
  name                = %q
  cluster_name        = %q
  cluster_endpoint    = %q
  cluster_certificate = %q
  service_cidr        = %q
  ami_id              = %q
  instance_types      = %s
  %s
  %s
}
`, c.Name, os.Getenv("STRATOS_SANDBOX_CLUSTER_NAME"), os.Getenv("STRATOS_SANDBOX_CLUSTER_ENDPOINT"),
		os.Getenv("STRATOS_SANDBOX_CLUSTER_CA"), os.Getenv("STRATOS_SANDBOX_SERVICE_CIDR"), c.AMI, hclList(c.InstanceTypes),
		network, c.Extra)
}

func (c ncConfig) with(extra string) ncConfig {
	c.Extra = extra
	return c
}

// sandboxEC2 is an SDK client for the sandbox, found through the same
// environment the provider under test reads.
func sandboxEC2(t *testing.T) *ec2.Client {
	t.Helper()
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatalf("load AWS config: %v", err)
	}
	return ec2.NewFromConfig(cfg)
}

func latestTemplateData(t *testing.T, name string) *ec2types.ResponseLaunchTemplateData {
	t.Helper()
	out, err := sandboxEC2(t).DescribeLaunchTemplateVersions(context.Background(), &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateName: aws.String(nodeclass.LaunchTemplateName(name)),
		Versions:           []string{"$Latest"},
	})
	if err != nil || len(out.LaunchTemplateVersions) != 1 {
		t.Fatalf("describe launch template %s: %v", nodeclass.LaunchTemplateName(name), err)
	}
	return out.LaunchTemplateVersions[0].LaunchTemplateData
}

// checkNodeClassDestroyed is the CheckDestroy of every test: no launch
// template is left behind.
func checkNodeClassDestroyed(t *testing.T, name string) func(*terraform.State) error {
	return func(*terraform.State) error {
		_, err := nodeclass.Find(context.Background(), sandboxEC2(t), name)
		if err == nil {
			return fmt.Errorf("launch template %s still exists after destroy", nodeclass.LaunchTemplateName(name))
		}
		if !nodeclass.IsNotFound(err) {
			return err
		}
		return nil
	}
}

func TestNodeClassResource_schemaIsValid(t *testing.T) {
	ctx := context.Background()
	var resp resource.SchemaResponse
	NewNodeClassResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("schema implementation: %v", diags)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no MarkdownDescription", name)
		}
	}
}

func TestAccNodeClass_basic(t *testing.T) {
	c := newNCConfig(t)
	c.Extra = `max_pods = 58
  node_labels = { "stratos.sh/team" = "platform" }
  tags = { team = "platform" }`
	subnets := strings.Split(os.Getenv("STRATOS_SANDBOX_SUBNET_IDS"), ",")
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeClassDestroyed(t, c.Name),
		Steps: []tfresource.TestStep{
			{
				Config: c.String(),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nodeClassAddr, plancheck.ResourceActionCreate),
					// Known before the apply: a warm pool and a reviewer see them in the plan.
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("user_data"), knownvalue.StringRegexp(regexp.MustCompile(`max-pods = 58`))),
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("config_hash"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{64}$`))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("id"), knownvalue.StringExact(c.Name)),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("launch_template_id"), knownvalue.StringRegexp(regexp.MustCompile(`^lt-`))),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("resolved_subnet_ids"), knownvalue.ListExact(stringValues(subnets))),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("platform"),
					})),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("metadata_options"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"http_tokens":                 knownvalue.StringExact("required"),
						"http_put_response_hop_limit": knownvalue.Int64Exact(2),
						"http_endpoint":               knownvalue.StringExact("enabled"),
					})),
				},
				Check: func(*terraform.State) error { return checkTemplateDefaults(t, c.Name) },
			},
			{
				// Nothing changed: refresh and plan agree, no perpetual diff.
				Config: c.String(),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// checkTemplateDefaults reads the defaults back from EC2 itself.
func checkTemplateDefaults(t *testing.T, name string) error {
	d := latestTemplateData(t, name)
	if m := d.MetadataOptions; m == nil || m.HttpTokens != ec2types.LaunchTemplateHttpTokensStateRequired || aws.ToInt32(m.HttpPutResponseHopLimit) != 2 {
		return fmt.Errorf("metadata options %+v: want IMDSv2 required and hop limit 2", m)
	}
	want := map[string]int32{"/dev/xvda": 4, "/dev/xvdb": 20}
	if len(d.BlockDeviceMappings) != len(want) {
		return fmt.Errorf("%d block devices, want %d", len(d.BlockDeviceMappings), len(want))
	}
	for _, b := range d.BlockDeviceMappings {
		size, ok := want[aws.ToString(b.DeviceName)]
		if !ok || b.Ebs == nil || aws.ToInt32(b.Ebs.VolumeSize) != size || !aws.ToBool(b.Ebs.Encrypted) ||
			!aws.ToBool(b.Ebs.DeleteOnTermination) || b.Ebs.VolumeType != ec2types.VolumeTypeGp3 {
			return fmt.Errorf("block device %s: %+v, want %d GiB gp3 encrypted and deleted on termination", aws.ToString(b.DeviceName), b.Ebs, size)
		}
	}
	if len(d.TagSpecifications) == 0 {
		return fmt.Errorf("no tag specifications: instances would not carry the node class's tags")
	}
	return nil
}

func stringValues(values []string) []knownvalue.Check {
	out := make([]knownvalue.Check, len(values))
	for i, v := range values {
		out[i] = knownvalue.StringExact(v)
	}
	return out
}

func TestAccNodeClass_update(t *testing.T) {
	c := newNCConfig(t)
	sameTemplate := statecheck.CompareValue(compare.ValuesSame())
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeClassDestroyed(t, c.Name),
		Steps: []tfresource.TestStep{
			{
				Config: c.with(`max_pods = 58
  tags = { team = "platform" }`).String(),
				ConfigStateChecks: []statecheck.StateCheck{
					sameTemplate.AddStateValue(nodeClassAddr, tfjsonpath.New("launch_template_id")),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
				},
			},
			{
				Config: c.with(`max_pods = 110
  tags = { team = "platform" }`).String(),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nodeClassAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("user_data"), knownvalue.StringRegexp(regexp.MustCompile(`max-pods = 110`))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameTemplate.AddStateValue(nodeClassAddr, tfjsonpath.New("launch_template_id")),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
				},
			},
			{
				// Tags alone: the template is retagged, no new version.
				Config: c.with(`max_pods = 110
  tags = { team = "data" }`).String(),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nodeClassAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameTemplate.AddStateValue(nodeClassAddr, tfjsonpath.New("launch_template_id")),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("data"),
					})),
				},
				Check: func(*terraform.State) error {
					info, err := nodeclass.Find(context.Background(), sandboxEC2(t), c.Name)
					if err != nil {
						return err
					}
					if info.LatestVersion != 2 || info.Tags["team"] != "data" {
						return fmt.Errorf("after a tags-only change: latest version %d, tags %v; want 2 and team=data", info.LatestVersion, info.Tags)
					}
					return nil
				},
			},
			{
				Config: c.with(`max_pods = 110
  tags = { team = "data" }`).String(),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccNodeClass_import(t *testing.T) {
	c := newNCConfig(t)
	c.Extra = `max_pods = 58
  node_taints = [{ key = "dedicated", value = "ci", effect = "NoSchedule" }]
  variant = "aws-k8s-1.32"
  iam_instance_profile = "stratos-nodes"
  tags = { team = "platform" }`
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeClassDestroyed(t, c.Name),
		Steps: []tfresource.TestStep{
			{Config: c.String()},
			{
				ResourceName:                         nodeClassAddr,
				ImportState:                          true,
				ImportStateId:                        c.Name,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "name",
				// The launch template holds the rendered user data, not the
				// attributes it was rendered from.
				ImportStateVerifyIgnore: nodeClassImportUnrecoverable,
			},
		},
	})
}

// nodeClassImportUnrecoverable are the attributes an import cannot rebuild
// from the launch template (documented in the resource's import section).
var nodeClassImportUnrecoverable = []string{
	"cluster_endpoint", "cluster_certificate", "service_cidr", "cluster_dns_ip", "node_labels", "node_taints", "max_pods",
	"kube_reserved", "system_reserved", "eviction_hard", "custom_user_data", "strict",
	"subnet_selector", "security_group_selector",
}

func TestAccNodeClass_disappears(t *testing.T) {
	c := newNCConfig(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeClassDestroyed(t, c.Name),
		Steps: []tfresource.TestStep{
			{
				Config: c.String(),
				Check: func(*terraform.State) error {
					_, err := sandboxEC2(t).DeleteLaunchTemplate(context.Background(), &ec2.DeleteLaunchTemplateInput{
						LaunchTemplateName: aws.String(nodeclass.LaunchTemplateName(c.Name)),
					})
					return err
				},
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nodeClassAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

func TestAccNodeClass_selectors(t *testing.T) {
	c := newNCConfig(t)
	sb := sandboxtest.Get(t)
	c.Network = fmt.Sprintf(`subnet_selector = { tags = { %q = %q } }
  security_group_selector = { tags = { %q = "*" } }`, cloud.DiscoveryTagKey, cloud.DiscoveryTagValue, cloud.DiscoveryTagKey)
	nothing := c
	nothing.Network = fmt.Sprintf(`subnet_selector = { tags = { %q = "no-such-cluster" } }
  security_group_selector = { tags = { %q = "*" } }`, cloud.DiscoveryTagKey, cloud.DiscoveryTagKey)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeClassDestroyed(t, c.Name),
		Steps: []tfresource.TestStep{
			{
				Config: c.String(),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// Resolved at plan time.
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("resolved_subnet_ids"), knownvalue.ListExact(stringValues(sb.World().SubnetIDs()))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("resolved_security_group_ids"), knownvalue.ListExact(stringValues(sb.World().SecurityGroupIDs()))),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("subnet_ids"), knownvalue.Null()),
				},
			},
			{Config: c.String(), ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				Config:      nothing.String(),
				ExpectError: regexp.MustCompile(`no subnet matches the tags`),
			},
		},
	})
}

func TestAccNodeClass_badInput(t *testing.T) {
	c := newNCConfig(t)
	sb := sandboxtest.Get(t)
	arm := c
	arm.InstanceTypes = []string{"m5.large", "m6g.large"}
	both := c
	both.Network = fmt.Sprintf(`subnet_ids = %s
  subnet_selector = { tags = { %q = %q } }
  security_group_ids = %s`, hclList(sb.World().SubnetIDs()), cloud.DiscoveryTagKey, cloud.DiscoveryTagValue, hclList(sb.World().SecurityGroupIDs()))
	neither := c
	neither.Network = fmt.Sprintf(`security_group_ids = %s`, hclList(sb.World().SecurityGroupIDs()))
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: both.String(), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*subnet_ids`)},
			{Config: neither.String(), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*subnet_ids`)},
			{Config: c.with(`node_labels = { "kubernetes.io/role" = "x" }`).String(), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)node-labels.*kubelet refuses`)},
			{Config: arm.String(), PlanOnly: true, ExpectError: regexp.MustCompile(`instance type m6g.large is arm64, but AMI ami-[0-9a-f]+ is x86_64`)},
			{Config: c.with(`node_taints = [{ key = "a", effect = "NoWay" }]`).String(), PlanOnly: true, ExpectError: regexp.MustCompile(`effect "NoWay" of taint "a" is not one of`)},
			{
				Config: c.with(`max_pods = 58
  custom_user_data = <<-EOT
    [settings.kubernetes]
    max-pods = 110
  EOT`).String(),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Conflicting values for settings.kubernetes.max-pods`),
			},
			{Config: c.with(`tags = { "stratos.sh/x" = "y" }`).String(), PlanOnly: true, ExpectError: regexp.MustCompile(`Reserved tag key`)},
			{Config: c.with(manyTags(44)).String(), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Too many tags.*remove\s+10`)},
			{
				Config:      c.with(`block_device_mappings = [{ device_name = "/dev/xvda" }, { device_name = "/dev/xvda" }]`).String(),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Duplicate device name`),
			},
		},
	})
}

// A version made outside Terraform (say in the console) reads back as a
// different config: the next plan adds a version that restores the
// configuration, and the planned version counts the foreign one.
func TestAccNodeClass_versionOutsideTerraform(t *testing.T) {
	c := newNCConfig(t)
	sb := sandboxtest.Get(t)
	otherAMI, _ := sb.World().ImageID("aws-k8s-1.31", "x86_64")
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeClassDestroyed(t, c.Name),
		Steps: []tfresource.TestStep{
			{
				Config: c.String(),
				Check: func(*terraform.State) error {
					_, err := sandboxEC2(t).CreateLaunchTemplateVersion(context.Background(), &ec2.CreateLaunchTemplateVersionInput{
						LaunchTemplateName: aws.String(nodeclass.LaunchTemplateName(c.Name)),
						SourceVersion:      aws.String("1"),
						LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(otherAMI)},
					})
					return err
				},
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nodeClassAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(3)),
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("ami_id"), knownvalue.StringExact(c.AMI)),
				}},
			},
			{
				Config: c.String(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("ami_id"), knownvalue.StringExact(c.AMI)),
				},
			},
			{Config: c.String(), ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// default_tags go on the template and into each version's tag
// specifications; changing them alone makes no new version.
func TestAccNodeClass_defaultTags(t *testing.T) {
	c := newNCConfig(t)
	c.Extra = `tags = { team = "platform", env = "override" }`
	withDefaults := func(env string) string {
		return fmt.Sprintf(`
provider "stratos" {
  default_tags {
    tags = { env = %q, owner = %q }
  }
}
`, env, "sre") + c.String()
	}
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeClassDestroyed(t, c.Name),
		Steps: []tfresource.TestStep{
			{
				Config: withDefaults("test"),
				ConfigStateChecks: []statecheck.StateCheck{
					// The resource's own tags win over default tags.
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("platform"), "env": knownvalue.StringExact("override"), "owner": knownvalue.StringExact("sre"),
					})),
				},
				Check: func(*terraform.State) error {
					for _, ts := range latestTemplateData(t, c.Name).TagSpecifications {
						tags := map[string]string{}
						for _, tag := range ts.Tags {
							tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
						}
						if tags["owner"] != "sre" || tags["env"] != "override" {
							return fmt.Errorf("%s tags %v: default tags missing or winning over the resource's", ts.ResourceType, tags)
						}
					}
					return nil
				},
			},
			{
				Config: strings.Replace(withDefaults("test"), `owner = "sre"`, `owner = "platform-sre"`, 1),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nodeClassAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("tags_all").AtMapKey("owner"), knownvalue.StringExact("platform-sre")),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
				},
			},
			{
				Config:           strings.Replace(withDefaults("test"), `owner = "sre"`, `owner = "platform-sre"`, 1),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// An import tells the resource's own tags from default tags
				// with the default value.
				Config:                               strings.Replace(withDefaults("test"), `owner = "sre"`, `owner = "platform-sre"`, 1),
				ResourceName:                         nodeClassAddr,
				ImportState:                          true,
				ImportStateId:                        c.Name,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "name",
				ImportStateVerifyIgnore:              nodeClassImportUnrecoverable,
			},
		},
	})
}

// Values known only at apply (an AMI id from another resource) leave the
// hash and version unknown in the plan; the apply resolves and checks them.
func TestAccNodeClass_unknownAtPlan(t *testing.T) {
	c := newNCConfig(t)
	sb := sandboxtest.Get(t)
	first := c.AMI
	second, _ := sb.World().ImageID("aws-k8s-1.33", "x86_64")
	config := func(ami string) string {
		cfg := c
		cfg.AMI = "__AMI__"
		return fmt.Sprintf(`
resource "terraform_data" "ami" {
  input = %q
}
`, ami) + strings.Replace(cfg.String(), `"__AMI__"`, "terraform_data.ami.output", 1)
	}
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeClassDestroyed(t, c.Name),
		Steps: []tfresource.TestStep{
			{
				Config: config(first),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					plancheck.ExpectUnknownValue(nodeClassAddr, tfjsonpath.New("config_hash")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("ami_id"), knownvalue.StringExact(first)),
				},
			},
			{
				Config: config(second),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nodeClassAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(nodeClassAddr, tfjsonpath.New("version")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("ami_id"), knownvalue.StringExact(second)),
				},
			},
			{Config: config(second), ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// Renaming replaces the node class: a new launch template at version 1, the
// old one deleted.
func TestAccNodeClass_rename(t *testing.T) {
	c := newNCConfig(t)
	renamed := c
	renamed.Name = c.Name + "-b"
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeClassDestroyed(t, renamed.Name),
		Steps: []tfresource.TestStep{
			{Config: c.with(`max_pods = 20`).String()},
			{
				Config: renamed.with(`max_pods = 30`).String(),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nodeClassAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					// Known once the launch template exists, so pools referring to it wait for it.
					plancheck.ExpectUnknownValue(nodeClassAddr, tfjsonpath.New("id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("id"), knownvalue.StringExact(renamed.Name)),
				},
				Check: checkNodeClassDestroyed(t, c.Name),
			},
		},
	})
}

// manyTags is a tags attribute with n tags.
func manyTags(n int) string {
	var b strings.Builder
	b.WriteString("tags = {\n")
	for i := range n {
		fmt.Fprintf(&b, "    tag-%02d = \"x\"\n", i)
	}
	b.WriteString("  }")
	return b.String()
}

// Volumes given in part take the defaults for the rest (gp3, encrypted,
// deleted on termination) and read back without a diff.
func TestAccNodeClass_blockDevices(t *testing.T) {
	c := newNCConfig(t)
	c.Extra = `block_device_mappings = [
    { device_name = "/dev/xvda", volume_size = 8 },
    { device_name = "/dev/xvdb", volume_size = 50, snapshot_id = "snap-0123456789abcdef0", iops = 4000, throughput = 250, delete_on_termination = false },
  ]
  metadata_options = { http_put_response_hop_limit = 1 }`
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeClassDestroyed(t, c.Name),
		Steps: []tfresource.TestStep{
			{
				Config: c.String(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("block_device_mappings").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"volume_size": knownvalue.Int64Exact(8), "volume_type": knownvalue.StringExact("gp3"),
						"encrypted": knownvalue.Bool(true), "delete_on_termination": knownvalue.Bool(true),
					})),
					statecheck.ExpectKnownValue(nodeClassAddr, tfjsonpath.New("metadata_options"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"http_tokens":                 knownvalue.StringExact("required"),
						"http_put_response_hop_limit": knownvalue.Int64Exact(1),
						"http_endpoint":               knownvalue.StringExact("enabled"),
					})),
				},
				Check: func(*terraform.State) error {
					d := latestTemplateData(t, c.Name)
					if len(d.BlockDeviceMappings) != 2 {
						return fmt.Errorf("%d block devices, want 2", len(d.BlockDeviceMappings))
					}
					data := d.BlockDeviceMappings[1].Ebs
					if aws.ToString(data.SnapshotId) != "snap-0123456789abcdef0" || aws.ToInt32(data.Iops) != 4000 ||
						aws.ToInt32(data.Throughput) != 250 || aws.ToBool(data.DeleteOnTermination) || !aws.ToBool(data.Encrypted) {
						return fmt.Errorf("data volume %+v", data)
					}
					if aws.ToInt32(d.MetadataOptions.HttpPutResponseHopLimit) != 1 || d.MetadataOptions.HttpTokens != ec2types.LaunchTemplateHttpTokensStateRequired {
						return fmt.Errorf("metadata options %+v", d.MetadataOptions)
					}
					return nil
				},
			},
			{Config: c.String(), ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// A setting newer than the AMI's Bottlerocket release is refused at plan
// time, naming the release that added it, even with strict = false: that
// release would refuse the whole user data at boot. The sandbox still
// publishes Bottlerocket 1.30.0 AMIs, as their names say; on its latest
// AMIs (a current release) the same settings plan.
func TestAccNodeClass_settingNewerThanAMI(t *testing.T) {
	latest := newNCConfig(t)
	world := sandboxtest.Get(t).World()
	c, nvidia := latest, latest
	var ok bool
	if c.AMI, ok = world.ImageIDOfRelease("aws-k8s-1.32", "x86_64", "1.30.0"); !ok {
		t.Fatal("sandbox has no aws-k8s-1.32 x86_64 1.30.0 image")
	}
	if nvidia.AMI, ok = world.ImageIDOfRelease("aws-k8s-1.32-nvidia", "x86_64", "1.30.0"); !ok {
		t.Fatal("sandbox has no aws-k8s-1.32-nvidia x86_64 1.30.0 image")
	}
	pid := `custom_user_data = <<-EOT
    [settings.kubernetes.kube-reserved]
    pid = "1000"
  EOT`
	// Terraform prints the attribute's source line between the summary and
	// the detail, so each pattern also proves the diagnostic's attribute.
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: c.with(pid).String(), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Setting newer than the AMI: settings.kubernetes.kube-reserved.pid.*custom_user_data = <<-EOT.*kube-reserved.pid was added in\s+Bottlerocket 1.49.0, but\s+the AMI runs\s+Bottlerocket 1.30.0`)},
			{Config: c.with(pid + "\n  strict = false").String(), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)added in\s+Bottlerocket 1.49.0`)},
			// A map key of a typed attribute, on that attribute.
			{Config: c.with(`kube_reserved = { pid = "1000" }`).String(), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Setting newer than the AMI.*kube_reserved = \{ pid = "1000" \}.*added in\s+Bottlerocket 1.49.0`)},
			// An enum value with its own release (mps, 1.54) in a field the
			// AMI's release has (device-sharing-strategy, 1.25).
			{Config: nvidia.with(`variant = "aws-k8s-1.32-nvidia"
  custom_user_data = <<-EOT
    [settings.kubelet-device-plugins.nvidia]
    device-sharing-strategy = "mps"
  EOT`).String(), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Setting newer than the AMI: settings.kubelet-device-plugins.nvidia.device-sharing-strategy.*custom_user_data = <<-EOT.*added in\s+Bottlerocket 1.54.0`)},
			{Config: nvidia.with(`variant = "aws-k8s-1.32-nvidia"
  custom_user_data = <<-EOT
    [settings.kubelet-device-plugins.nvidia]
    device-sharing-strategy = "time-slicing"
  EOT`).String(), PlanOnly: true, ExpectNonEmptyPlan: true},
			// A setting the release has plans.
			{Config: c.with(`custom_user_data = <<-EOT
    [settings.kubernetes]
    device-ownership-from-security-context = true
  EOT`).String(), PlanOnly: true, ExpectNonEmptyPlan: true},
			// The latest AMI has both.
			{Config: latest.with(pid).String(), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}

// Without variant, the node class checks its user data against the variant
// its AMI's name carries: NVIDIA device-plugin settings plan on an nvidia
// AMI and are an error on a non-nvidia one (whose settings model refuses
// the whole user data); a variant that contradicts the AMI is an error on
// variant.
func TestAccNodeClass_variantFromAMI(t *testing.T) {
	plain := newNCConfig(t)
	nvidia := plain
	ami, ok := sandboxtest.Get(t).World().ImageID("aws-k8s-1.32-nvidia", "x86_64")
	if !ok {
		t.Fatal("sandbox has no aws-k8s-1.32-nvidia x86_64 image")
	}
	nvidia.AMI = ami
	const devicePlugin = `custom_user_data = <<-EOT
    [settings.kubelet-device-plugins.nvidia]
    pass-device-specs = true
  EOT`
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: nvidia.with(devicePlugin).String(), PlanOnly: true, ExpectNonEmptyPlan: true},
			{Config: plain.with(devicePlugin).String(), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Setting of another variant: settings.kubelet-device-plugins.*custom_user_data = <<-EOT.*not\s+on\s+aws-k8s-1.32,`)},
			{Config: nvidia.with(`variant = "aws-k8s-1.32"`).String(), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Variant contradicts the AMI.*variant = "aws-k8s-1.32".*Bottlerocket\s+aws-k8s-1.32-nvidia\s+image`)},
			{Config: nvidia.with(`variant = "aws-k8s-1.33-nvidia"`).String(), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Variant contradicts the AMI.*variant = "aws-k8s-1.33-nvidia"`)},
			{Config: nvidia.with(`variant = "aws-k8s-1.32-nvidia"` + "\n  " + devicePlugin).String(), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}
