package provider

import (
	"regexp"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Rules EC2 applies only when a pool launches from the node class (it
// creates the launch template without checking them) fail the node class's
// plan instead, on the attribute at fault.
func TestAccNodeClass_launchRulesAtPlan(t *testing.T) {
	c := newNCConfig(t)
	volume := func(attrs string) string {
		return `block_device_mappings = [{ device_name = "/dev/xvda", volume_size = 20` + attrs + ` }]`
	}
	fails := func(extra, pattern string) tfresource.TestStep {
		return tfresource.TestStep{Config: c.with(extra).String(), PlanOnly: true, ExpectError: regexp.MustCompile(pattern)}
	}
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			// 34 tags of the user's and the provider's 16 make EC2's 50.
			{Config: c.with(manyTags(34)).String(), PlanOnly: true, ExpectNonEmptyPlan: true},
			fails(manyTags(35), `(?s)Too\s+many\s+tags.*would\s+carry\s+51\s+tags.*remove\s+1\s`),
			fails(volume(`, volume_type = "gp3", iops = 2000`), `(?s)Invalid\s+EBS\s+volume.*3000\s+to\s+80000\s+IOPS`),
			fails(`block_device_mappings = [{ device_name = "/dev/xvda", volume_size = 20, volume_type = "gp3", iops = 16000 }]`, `(?s)500\s+IOPS\s+per\s+GiB:\s+16000\s+IOPS\s+need\s+at\s+least\s+32\s+GiB`),
			fails(volume(`, volume_type = "gp3", throughput = 1000`), `(?s)0.25\s+MiB/s\s+per\s+IOPS:\s+1000\s+MiB/s\s+need\s+at\s+least\s+4000\s+IOPS`),
			fails(volume(`, volume_type = "gp2", iops = 3000`), `(?s)gp2\s+volumes\s+take\s+no\s+provisioned\s+IOPS`),
			fails(volume(`, volume_type = "st1", throughput = 250`), `(?s)st1\s+volumes\s+take\s+no\s+throughput`),
			fails(volume(`, volume_type = "io1"`), `(?s)io1\s+volumes\s+need\s+iops`),
			fails(`block_device_mappings = [{ device_name = "/dev/xvdb", volume_type = "sc1", volume_size = 100 }]`, `(?s)125\s+to\s+16384\s+GiB`),
			{Config: c.with(volume(`, volume_type = "gp3", iops = 4000, throughput = 1000`)).String(), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}
