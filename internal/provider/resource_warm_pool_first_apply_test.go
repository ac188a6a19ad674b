package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
)

// A newcomer's first configuration: a node class and a pool of it, without
// node_class_version. The node class's id is unknown until it exists, so
// the pool waits for it and both apply on the first try; the pool then
// follows the node class's latest version.
func TestAccWarmPool_nodeClassVersionOptional(t *testing.T) {
	nc := newNCConfig(t)
	config := nc.String() + fmt.Sprintf(`
resource "stratos_warm_pool" "test" {
  name       = %q
  node_class = stratos_node_class.test.id
  size       = 1
}
`, nc.Name)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("stratos_node_class.test", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(poolAddr, tfjsonpath.New("node_class_version")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sizeIs(1), standbyCount(t, nc.Name, 1),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("node_class_version"), knownvalue.Int64Exact(1)),
				},
			},
			{Config: config, ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// A pool naming, as a literal, a node class nothing creates fails at plan
// time, saying how to refer to a node class of the same configuration.
func TestAccWarmPool_unknownNodeClassLiteral(t *testing.T) {
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
			ExpectError: regexp.MustCompile(`(?s)Unknown node class.*No node class named "does-not-exist".*node_class\s+=\s+stratos_node_class\.<name>\.id`),
		}},
	})
}

// The README's quick start, applied as written: the block is read from
// README.md at test time and applied with its provider, data source,
// resource and output blocks unchanged. Two things differ: its variables
// are given from the sandbox's cluster (as make demo gives them), and its
// terraform { required_providers } block is left out, since the test serves
// the provider in-process under the test framework's own address. It plans
// and applies on the first try, and plans nothing after.
func TestAccWarmPool_readmeQuickStart(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	sandboxtest.Get(t) // the sandbox's cluster is in the environment
	quickStart := readmeBlock(t, string(readme), "<!-- quick start:")
	requiredProviders := regexp.MustCompile(`(?s)\nterraform \{\n.*?\n\}\n`)
	if !requiredProviders.MatchString(quickStart) {
		t.Fatal("the README's quick start has no terraform block")
	}
	quickStart = requiredProviders.ReplaceAllString(quickStart, "\n")
	variables := config.Variables{
		"cluster_name":        config.StringVariable(os.Getenv("STRATOS_SANDBOX_CLUSTER_NAME")),
		"cluster_endpoint":    config.StringVariable(os.Getenv("STRATOS_SANDBOX_CLUSTER_ENDPOINT")),
		"cluster_certificate": config.StringVariable(os.Getenv("STRATOS_SANDBOX_CLUSTER_CA")),
		"service_cidr":        config.StringVariable(os.Getenv("STRATOS_SANDBOX_SERVICE_CIDR")),
	}
	const pool = "stratos_warm_pool.demo"
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, "demo"),
		Steps: []tfresource.TestStep{
			{
				Config: quickStart, ConfigVariables: variables,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pool, tfjsonpath.New("size"), knownvalue.Int64Exact(3)),
					standbyCount(t, "demo", 3),
					statecheck.ExpectKnownOutputValue("standby_instance_ids", knownvalue.ListSizeExact(3)),
				},
			},
			{
				Config: quickStart, ConfigVariables: variables,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// readmeBlock is the first terraform code block after the text after in
// the README.
func readmeBlock(t *testing.T, readme, after string) string {
	t.Helper()
	_, rest, found := strings.Cut(readme, after)
	if !found {
		t.Fatalf("README.md has no %q", after)
	}
	m := regexp.MustCompile("(?s)```terraform\\n(.*?)```").FindStringSubmatch(rest)
	if m == nil {
		t.Fatalf("README.md has no terraform block after %q", after)
	}
	return m[1]
}
