package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

func functionTestCase(steps ...resource.TestStep) resource.TestCase {
	return resource.TestCase{
		// Provider-defined functions exist from Terraform 1.8 on; older CLIs skip.
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	}
}

func TestAccBottlerocketSettingsFunction_merges(t *testing.T) {
	resource.UnitTest(t, functionTestCase(resource.TestStep{
		Config: `
locals {
  # A Karpenter userData and an EKS module's extra args, kept elsewhere.
  karpenter = <<-EOT
    [settings.kubernetes]
    max-pods = 58
    [settings.kubernetes.node-labels]
    "example.com/team" = "web"
  EOT
  extra = <<-EOT
    [settings.kernel.sysctl]
    "vm.max_map_count" = "262144"
    [settings.kubernetes]
    max-pods = 58
  EOT
}

output "settings" {
  value = provider::stratos::bottlerocket_settings([local.karpenter, local.extra], true)
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("settings", knownvalue.StringExact(`[settings.kernel.sysctl]
"vm.max_map_count" = "262144"

[settings.kubernetes]
max-pods = 58

[settings.kubernetes.node-labels]
"example.com/team" = "web"
`)),
		},
	}))
}

func TestAccBottlerocketSettingsFunction_nonStrictAcceptsUnknownSettings(t *testing.T) {
	resource.UnitTest(t, functionTestCase(resource.TestStep{
		Config: `
output "settings" {
  value = provider::stratos::bottlerocket_settings(["[settings.kubernetes]\nbrand-new-setting = 1\n"], false)
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("settings", knownvalue.StringExact("[settings.kubernetes]\nbrand-new-setting = 1\n")),
		},
	}))
}

// withStrict completes the arguments with strict = true unless they already
// go on past the fragments.
func withStrict(args string) string {
	if strings.HasSuffix(args, "]") {
		return args + ", true"
	}
	return args
}

func TestAccBottlerocketSettingsFunction_variant(t *testing.T) {
	resource.UnitTest(t, functionTestCase(resource.TestStep{
		Config: `
output "settings" {
  value = provider::stratos::bottlerocket_settings(["[settings.kubelet-device-plugins.nvidia]\npass-device-specs = true\n"], true, "aws-k8s-1.32-nvidia")
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("settings", knownvalue.StringExact("[settings.kubelet-device-plugins.nvidia]\npass-device-specs = true\n")),
		},
	}))
}

func TestAccBottlerocketSettingsFunction_errorsNameTheFragment(t *testing.T) {
	cases := map[string]struct {
		fragments string
		want      string
	}{
		"conflict": {
			fragments: `["[settings.kubernetes]\nmax-pods = 58\n", "[settings.kubernetes]\nmax-pods = 59\n"]`,
			want:      `max-pods is 58 in fragments\[0\] and 59 in fragments\[1\]`,
		},
		"invalid TOML": {
			fragments: `["[settings.kubernetes]\nmax-pods = 58\n", "#!/bin/bash\necho hi\n"]`,
			want:      `fragments\[1\] is not valid TOML`,
		},
		"unknown setting": {
			fragments: `["[settings.kubernetes]\nlabels = { a = \"b\" }\n"]`,
			want:      `Did you mean "node-labels"`,
		},
		"root other than settings": {
			fragments: `["[kubernetes]\nmax-pods = 58\n"]`,
			want:      `Did you mean settings.kubernetes`,
		},
		"variant-only setting": {
			fragments: `["[settings.kubelet-device-plugins.nvidia]\npass-device-specs = true\n"], true, "aws-k8s-1.32"`,
			want:      `exists only on aws-k8s-\*-nvidia variants`,
		},
		"two variants": {
			fragments: `["[settings.kubernetes]\nmax-pods = 58\n"], true, "aws-k8s-1.32", "aws-k8s-1.33"`,
			want:      `at most one variant, got 2`,
		},
		"null fragment": {
			fragments: `["[settings.kubernetes]\nmax-pods = 58\n", null]`,
			want:      `fragments\[1\] is null`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, functionTestCase(resource.TestStep{
				Config:      `output "settings" { value = provider::stratos::bottlerocket_settings(` + withStrict(tc.fragments) + `) }`,
				ExpectError: wrappedRegexp(tc.want),
			}))
		})
	}
}
