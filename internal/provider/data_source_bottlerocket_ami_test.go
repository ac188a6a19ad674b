package provider

import (
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

const testAMI = "data.stratos_bottlerocket_ami.test"

func amiFake(t *testing.T) *fakeAWS {
	f := newFakeAWS(t)
	for name, value := range map[string]string{
		"/aws/service/bottlerocket/aws-k8s-1.32/x86_64/latest/image_id":             "ami-0132x86latest",
		"/aws/service/bottlerocket/aws-k8s-1.32/x86_64/latest/image_version":        "1.32.0-abcdef01",
		"/aws/service/bottlerocket/aws-k8s-1.32/arm64/1.31.0/image_id":              "ami-0132arm1310",
		"/aws/service/bottlerocket/aws-k8s-1.32/arm64/1.31.0/image_version":         "1.31.0-12345678",
		"/aws/service/bottlerocket/aws-k8s-1.32-nvidia/x86_64/latest/image_id":      "ami-0132nvidia",
		"/aws/service/bottlerocket/aws-k8s-1.32-nvidia/x86_64/latest/image_version": "1.32.0-abcdef01",
	} {
		f.setParameter(name, value)
	}
	useFakeAWS(t, f)
	return f
}

func amiValue(attribute string, value knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(testAMI, tfjsonpath.New(attribute), value)
}

func TestAccBottlerocketAMIDataSource_basic(t *testing.T) {
	f := amiFake(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `data "stratos_bottlerocket_ami" "test" { kubernetes_version = "1.32" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					amiValue("id", knownvalue.StringExact("ami-0132x86latest")),
					amiValue("image_version", knownvalue.StringExact("1.32.0-abcdef01")),
					amiValue("bottlerocket_release", knownvalue.StringExact("1.32.0")),
					amiValue("variant", knownvalue.StringExact("aws-k8s-1.32")),
					amiValue("parameter_name", knownvalue.StringExact("/aws/service/bottlerocket/aws-k8s-1.32/x86_64/latest/image_id")),
					amiValue("architecture", knownvalue.StringExact("x86_64")),
					amiValue("version", knownvalue.StringExact("latest")),
				},
			},
			{
				Config: `data "stratos_bottlerocket_ami" "test" {
  kubernetes_version = "1.32"
  architecture       = "arm64"
  version            = "1.31.0"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					amiValue("id", knownvalue.StringExact("ami-0132arm1310")),
					amiValue("image_version", knownvalue.StringExact("1.31.0-12345678")),
					amiValue("bottlerocket_release", knownvalue.StringExact("1.31.0")),
				},
			},
			{
				Config: `data "stratos_bottlerocket_ami" "test" {
  kubernetes_version = "1.32"
  nvidia             = true
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					amiValue("id", knownvalue.StringExact("ami-0132nvidia")),
					amiValue("variant", knownvalue.StringExact("aws-k8s-1.32-nvidia")),
					amiValue("parameter_name", knownvalue.StringExact("/aws/service/bottlerocket/aws-k8s-1.32-nvidia/x86_64/latest/image_id")),
				},
			},
		},
	})
	// Credentials are checked once per provider process, not per read.
	if f.count("GetCallerIdentity") == 0 || f.count("GetCallerIdentity") > f.count("GetParameters") {
		t.Errorf("GetCallerIdentity calls = %d for %d GetParameters calls", f.count("GetCallerIdentity"), f.count("GetParameters"))
	}
}

func TestAccBottlerocketAMIDataSource_notFound(t *testing.T) {
	amiFake(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `data "stratos_bottlerocket_ami" "test" { kubernetes_version = "1.19" }`,
			ExpectError: wrappedRegexp(`SSM has no parameter /aws/service/bottlerocket/aws-k8s-1.19/x86_64/latest/image_id`),
		}},
	})
}

func TestAccBottlerocketAMIDataSource_invalidInput(t *testing.T) {
	cases := map[string]struct{ config, want string }{
		"architecture": {`architecture = "amd64"`, `value must be one of`},
		"kubernetes":   {`kubernetes_version = "v1.32.3"`, `must be a Kubernetes minor version`},
		"version":      {`version = "newest"`, `must be latest or a Bottlerocket release`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			isolateAWSEnv(t)
			config := "data \"stratos_bottlerocket_ami\" \"test\" {\n" + tc.config + "\n"
			if name != "kubernetes" {
				config += "kubernetes_version = \"1.32\"\n"
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: config + "}", ExpectError: regexp.MustCompile(tc.want)}},
			})
		})
	}
}

// Without credentials the data source fails with one diagnostic that says
// what to set, not the SDK's chain of provider errors.
func TestAccBottlerocketAMIDataSource_noCredentials(t *testing.T) {
	isolateAWSEnv(t)
	t.Setenv("AWS_REGION", "us-east-1")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `data "stratos_bottlerocket_ami" "test" { kubernetes_version = "1.32" }`,
			ExpectError: wrappedRegexp(`AWS credentials: no credentials found \(set AWS_ACCESS_KEY_ID`),
		}},
	})
}

// Against the sandbox's SSM (the same world `make demo` runs on), through
// the environment variables its .sandbox/env sets.
func TestAccBottlerocketAMIDataSource_sandbox(t *testing.T) {
	world := cloud.NewWorld(cloud.Options{})
	srv := httptest.NewServer(world.Handler())
	t.Cleanup(srv.Close)
	isolateAWSEnv(t)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "sandbox")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "sandbox")
	t.Setenv("AWS_ENDPOINT_URL_SSM", srv.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `data "stratos_bottlerocket_ami" "test" {
  kubernetes_version = "1.33"
  architecture       = "arm64"
  nvidia             = true
  version            = "1.29.0"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				amiValue("id", knownvalue.StringRegexp(regexp.MustCompile(`^ami-[0-9a-f]+$`))),
				amiValue("image_version", knownvalue.StringRegexp(regexp.MustCompile(`^1\.29\.0-[0-9a-f]+$`))),
				amiValue("bottlerocket_release", knownvalue.StringExact("1.29.0")),
				amiValue("parameter_name", knownvalue.StringExact("/aws/service/bottlerocket/aws-k8s-1.33-nvidia/arm64/1.29.0/image_id")),
			},
		}},
	})
	// Each Terraform command configures a fresh provider: one credential
	// check and one read each.
	if calls := world.Stats().Calls; calls["GetParameters"] == 0 || calls["GetCallerIdentity"] != calls["GetParameters"] {
		t.Errorf("sandbox calls: %v; want one GetCallerIdentity per GetParameters", calls)
	}
}

// Tests can hand the provider ready clients through the Configure hook
// instead of the environment.
func TestAccBottlerocketAMIDataSource_injectedClients(t *testing.T) {
	isolateAWSEnv(t)
	f := newFakeAWS(t)
	f.setParameter("/aws/service/bottlerocket/aws-k8s-1.31/x86_64/latest/image_id", "ami-injected")
	f.setParameter("/aws/service/bottlerocket/aws-k8s-1.31/x86_64/latest/image_version", "1.30.0-injected")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories(func(d *providerData) {
			d.setAWSConfigForTest(aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, BaseEndpoint: aws.String(f.URL)})
		}),
		Steps: []resource.TestStep{{
			Config:            `data "stratos_bottlerocket_ami" "test" { kubernetes_version = "1.31" }`,
			ConfigStateChecks: []statecheck.StateCheck{amiValue("id", knownvalue.StringExact("ami-injected"))},
		}},
	})
	if f.count("GetCallerIdentity") != 0 {
		t.Errorf("injected clients must not be checked again: %d GetCallerIdentity calls", f.count("GetCallerIdentity"))
	}
}
