package provider

import (
	"fmt"
	"regexp"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A pool label or taint that the node class's user data sets otherwise:
// when the node class is created in the same apply (unknown at plan time)
// the apply refuses before launching anything and leaves no state; the
// next plan, with the node class known, refuses at plan time, on the pool's
// attribute, naming both values and where each comes from.
func TestAccWarmPool_conflictsWithNodeClass(t *testing.T) {
	nc := newNCConfig(t).with(`node_labels = { "example.com/role" = "db" }
  node_taints = [{ key = "dedicated", value = "gpu", effect = "NoSchedule" }]`)
	pool := func(extra string) string {
		return nc.String() + fmt.Sprintf(`
resource "stratos_warm_pool" "test" {
  name       = %q
  node_class = stratos_node_class.test.id
  size       = 1
  %s
}
`, nc.Name, extra)
	}
	labelConflict := regexp.MustCompile(`(?s)Label conflicts with the node class.*labels\["example.com/role"\] is\s+"web",\s+but\s+node\s+class\s+"` +
		regexp.QuoteMeta(nc.Name) + `"\s+\(version\s+1\).*node\s+label\s+"example.com/role"\s+to\s+"db".*node_labels\s+or\s+custom_user_data`)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{Config: pool(`labels = { "example.com/role" = "web" }`), ExpectError: labelConflict},
			{Config: pool(`labels = { "example.com/role" = "web" }`), PlanOnly: true, ExpectError: labelConflict},
			{
				Config: pool(`labels = { "example.com/role" = "db" }`),
				// The refused apply launched nothing.
				Check: checkLivePool(t, nc.Name, 1),
			},
			{
				Config:      pool(`taints = [{ key = "dedicated", value = "cpu", effect = "NoSchedule" }]`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Taint conflicts with the node class.*key\s+"dedicated"\s+the\s+values\s+\[cpu:NoSchedule\].*taint\s+"dedicated"\s+to\s+\[gpu:NoSchedule\]`),
			},
		},
	})
}
