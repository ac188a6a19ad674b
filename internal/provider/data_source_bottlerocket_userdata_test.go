package provider

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const (
	testUserData        = "data.stratos_bottlerocket_userdata.test"
	testClusterCA       = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
	testClusterEndpoint = "https://0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com"
)

// userDataConfig wraps attribute lines in the data source block.
func userDataConfig(body string) string {
	return fmt.Sprintf(`
data "stratos_bottlerocket_userdata" "test" {
  cluster_name        = "demo"
  api_server          = %q
  cluster_certificate = %q
%s
}
`, testClusterEndpoint, testClusterCA, body)
}

func userDataStep(body string, checks ...statecheck.StateCheck) resource.TestStep {
	return resource.TestStep{Config: userDataConfig(body), ConfigStateChecks: checks, Check: checkUserDataConsistent(testUserData)}
}

// userDataError expects an error matching want; Terraform wraps long
// messages, so each space in want matches any run of white space.
func userDataError(body string, want string) resource.TestStep {
	return resource.TestStep{Config: userDataConfig(body), ExpectError: wrappedRegexp(want)}
}

func wrappedRegexp(want string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(want, " ", `\s+`))
}

func userDataValue(attribute string, value knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(testUserData, tfjsonpath.New(attribute), value)
}

// checkUserDataConsistent proves the outputs describe one payload:
// user_data decodes (and gunzips when compressed) to toml, and size_bytes
// and sha256 are those of the decoded bytes.
func checkUserDataConsistent(name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		a := rs.Primary.Attributes
		raw, err := base64.StdEncoding.DecodeString(a["user_data"])
		if err != nil {
			return fmt.Errorf("user_data is not base64: %w", err)
		}
		if got := strconv.Itoa(len(raw)); got != a["size_bytes"] {
			return fmt.Errorf("size_bytes = %s, decoded user_data has %s bytes", a["size_bytes"], got)
		}
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); got != a["sha256"] {
			return fmt.Errorf("sha256 = %s, decoded user_data hashes to %s", a["sha256"], got)
		}
		text := raw
		isGzip := bytes.HasPrefix(raw, []byte{0x1f, 0x8b})
		if strconv.FormatBool(isGzip) != a["compressed"] {
			return fmt.Errorf("compressed = %s but gzip magic present = %v", a["compressed"], isGzip)
		}
		if isGzip {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				return err
			}
			if text, err = io.ReadAll(zr); err != nil {
				return err
			}
		}
		if string(text) != a["toml"] {
			return fmt.Errorf("user_data decodes to %q, toml is %q", text, a["toml"])
		}
		return nil
	}
}

func TestAccBottlerocketUserDataDataSource_basic(t *testing.T) {
	want := `[settings.kubernetes]
api-server = "` + testClusterEndpoint + `"
cluster-certificate = "` + testClusterCA + `"
cluster-dns-ip = ["172.20.0.10"]
cluster-name = "demo"
max-pods = 110

[settings.kubernetes.kube-reserved]
cpu = "100m"
memory = "512Mi"

[settings.kubernetes.node-labels]
"example.com/role" = "web"

[settings.kubernetes.node-taints]
dedicated = ["web:NoExecute", "web:NoSchedule"]
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			userDataStep(`
  service_cidr  = "172.20.0.0/16"
  max_pods      = 110
  node_labels   = { "example.com/role" = "web" }
  kube_reserved = { cpu = "100m", memory = "512Mi" }
  node_taints = [
    { key = "dedicated", value = "web", effect = "NO_SCHEDULE" },
    { key = "dedicated", value = "web", effect = "NoExecute" },
  ]
`,
				userDataValue("toml", knownvalue.StringExact(want)),
				userDataValue("compressed", knownvalue.Bool(false)),
				userDataValue("size_bytes", knownvalue.Int64Exact(int64(len(want)))),
				userDataValue("user_data", knownvalue.StringExact(base64.StdEncoding.EncodeToString([]byte(want)))),
				userDataValue("sha256", knownvalue.StringExact(sha256Hex(want))),
			),
		},
	})
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// The same settings in a different order, or split between attributes and
// raw TOML, give the same bytes: plans stay empty when nothing changed.
func TestAccBottlerocketUserDataDataSource_customUserDataMerges(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			userDataStep(`
  cluster_dns_ip = ["169.254.20.10", "172.20.0.10"]
  max_pods       = 58
  custom_user_data = <<-EOT
    [settings.kubernetes]
    max-pods = 58

    [settings.kernel.sysctl]
    "vm.max_map_count" = "262144"
  EOT
`,
				userDataValue("toml", knownvalue.StringRegexp(regexp.MustCompile(
					`(?s)^\[settings.kernel.sysctl\]\n"vm.max_map_count" = "262144"\n\n\[settings.kubernetes\]\n.*cluster-dns-ip = \["169.254.20.10", "172.20.0.10"\]\n.*max-pods = 58\n$`))),
			),
		},
	})
}

func TestAccBottlerocketUserDataDataSource_invalidInput(t *testing.T) {
	cases := map[string]struct {
		body string
		want string
	}{
		"label in the kubernetes.io namespace": {
			body: `node_labels = { "kubernetes.io/role" = "web" }`,
			want: `Doubtful key in settings.kubernetes.node-labels(.|\n)*kubelet refuses`,
		},
		"label key syntax": {
			body: `node_labels = { "bad key!" = "web" }`,
			want: `label key "bad key!" is invalid`,
		},
		"label value syntax": {
			body: `node_labels = { role = "not a valid value!" }`,
			want: `node-labels`,
		},
		"taint effect": {
			body: `node_taints = [{ key = "dedicated", effect = "Sometimes" }]`,
			want: `effect "Sometimes" of taint "dedicated" is not one of NoSchedule`,
		},
		"max_pods contradicts custom_user_data": {
			body: "max_pods = 110\n  custom_user_data = \"[settings.kubernetes]\\nmax-pods = 58\\n\"",
			want: `Conflicting values for settings.kubernetes.max-pods`,
		},
		"duplicate table in custom_user_data": {
			body: "custom_user_data = \"[settings.kubernetes]\\nmax-pods = 58\\n[settings.kubernetes]\\nmax-pods = 59\\n\"",
			want: `Invalid TOML in custom_user_data(.|\n)*table kubernetes already exists`,
		},
		"shell script as custom_user_data": {
			body: `custom_user_data = "#!/bin/bash\necho hi\n"`,
			want: `Invalid TOML in custom_user_data`,
		},
		"unknown key with strict": {
			body: "custom_user_data = \"[settings.kubernetes]\\nlabels = { a = \\\"b\\\" }\\n\"",
			want: `Unknown setting settings.kubernetes.labels(.|\n)*Did you mean "node-labels"`,
		},
		"service CIDR too large": {
			body: `service_cidr = "10.0.0.0/8"`,
			want: `an IPv4 service CIDR must be between /12 and /24`,
		},
		"service CIDR syntax": {
			body: `service_cidr = "nonsense"`,
			want: `Invalid service CIDR`,
		},
		"kube_reserved key": {
			body: `kube_reserved = { gpu = "1" }`,
			want: `"gpu" is not allowed in settings.kubernetes.kube-reserved`,
		},
		"eviction threshold over 100%": {
			body: `eviction_hard = { "memory.available" = "120%" }`,
			want: `must be below 100%`,
		},
		"compression mode": {
			body: `compression = "sometimes"`,
			want: `compression "sometimes" is not one of`,
		},
		"nvidia-only setting without a variant, invalid value": {
			body: "custom_user_data = \"[settings.kubelet-device-plugins.nvidia.time-slicing]\\nreplicas = 1\\n\"",
			want: `Invalid value for settings.kubelet-device-plugins.nvidia.time-slicing.replicas(.|\n)*it must be from 2`,
		},
		"nvidia-only setting on a non-nvidia variant": {
			body: "variant = \"aws-k8s-1.32\"\n  custom_user_data = \"[settings.kubelet-device-plugins.nvidia]\\npass-device-specs = true\\n\"",
			want: `Setting of another variant: settings.kubelet-device-plugins`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{userDataError(tc.body, tc.want)},
			})
		})
	}
}

// With strict = false an unknown setting is a warning and is kept, for
// Bottlerocket releases newer than the provider's model.
func TestAccBottlerocketUserDataDataSource_nonStrictKeepsUnknownSettings(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			userDataStep("strict = false\n  custom_user_data = \"[settings.kubernetes]\\nbrand-new-setting = true\\n\"",
				userDataValue("toml", knownvalue.StringRegexp(regexp.MustCompile(`(?m)^brand-new-setting = true$`))),
			),
		},
	})
}

// Without a variant the node may be an nvidia one: NVIDIA-only settings are
// checked against their schema and kept (with a warning) even with
// strict = true; their invalid values are still refused (invalidInput).
func TestAccBottlerocketUserDataDataSource_nvidiaSettingsWithoutVariant(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			userDataStep("custom_user_data = \"[settings.kubelet-device-plugins.nvidia]\\npass-device-specs = true\\n\"",
				userDataValue("toml", knownvalue.StringRegexp(regexp.MustCompile(`(?m)^\[settings\.kubelet-device-plugins\.nvidia\]\npass-device-specs = true$`))),
			),
		},
	})
}

// compressibleMOTD makes a document of about 24 KiB that gzips well.
var compressibleMOTD = strings.Repeat("motd line that compresses well ", 800)

// incompressible returns n characters that gzip cannot shrink below EC2's
// limit: base64 of pseudo-random bytes, from a fixed seed.
func incompressible(n int) string {
	r := rand.New(rand.NewSource(1))
	raw := make([]byte, n*3/4)
	r.Read(raw)
	return base64.StdEncoding.EncodeToString(raw)[:n]
}

func TestAccBottlerocketUserDataDataSource_compression(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			// auto: small documents stay plain text.
			userDataStep(`max_pods = 20`, userDataValue("compressed", knownvalue.Bool(false))),
			// always: gzip even when small; the base64 starts with gzip's magic.
			userDataStep("max_pods = 20\n  compression = \"always\"",
				userDataValue("compressed", knownvalue.Bool(true)),
				userDataValue("user_data", knownvalue.StringRegexp(regexp.MustCompile(`^H4sI`))),
			),
			// auto: over the limit, gzip brings it under.
			userDataStep(fmt.Sprintf("custom_user_data = \"[settings]\\nmotd = \\\"%s\\\"\\n\"", compressibleMOTD),
				userDataValue("compressed", knownvalue.Bool(true)),
				userDataValue("size_bytes", knownvalue.Int64Func(func(v int64) error {
					if v > 16384 {
						return fmt.Errorf("size_bytes %d over 16384", v)
					}
					return nil
				})),
			),
		},
	})
}

func TestAccBottlerocketUserDataDataSource_tooLarge(t *testing.T) {
	cases := map[string]string{
		// never: a document gzip would bring under the limit is still too large.
		"compression never": fmt.Sprintf("compression = \"never\"\n  custom_user_data = \"[settings]\\nmotd = \\\"%s\\\"\\n\"", compressibleMOTD),
		// auto: even gzipped, random data does not fit.
		"incompressible": fmt.Sprintf("custom_user_data = \"[settings]\\nmotd = \\\"%s\\\"\\n\"", incompressible(40000)),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{userDataError(body, `EC2 accepts at most 16384 bytes`)},
			})
		})
	}
}

// Errors show at plan time even when other values are only known after
// apply: what is known is validated.
func TestAccBottlerocketUserDataDataSource_validatesKnownValuesAtPlan(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
resource "terraform_data" "later" {
  input = "web"
}

data "stratos_bottlerocket_userdata" "test" {
  cluster_name = terraform_data.later.output
  node_labels  = { "kubernetes.io/role" = "web", role = terraform_data.later.output }
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`kubelet refuses`),
			},
		},
	})
}

// A configuration that only renders user data needs no credentials and no
// cluster, even when the provider block names ones that do not exist.
func TestAccBottlerocketUserDataDataSource_needsNoCredentials(t *testing.T) {
	isolateAWSEnv(t)
	t.Setenv("KUBE_CONFIG_PATH", "")
	t.Setenv("KUBE_HOST", "")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
provider "stratos" {
  profile = "does-not-exist"
  kubernetes {
    config_path = "/nonexistent/kubeconfig"
  }
}
` + userDataConfig(`max_pods = 20`),
				ConfigStateChecks: []statecheck.StateCheck{
					userDataValue("toml", knownvalue.StringRegexp(regexp.MustCompile(`max-pods = 20`))),
				},
			},
		},
	})
}
