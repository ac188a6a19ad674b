package provider

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// capture records the providerData of every Configure.
type capture struct {
	mu   sync.Mutex
	data []*providerData
}

func (c *capture) hook(d *providerData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data = append(c.data, d)
}

func (c *capture) last(t *testing.T) *providerData {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.data) == 0 {
		t.Fatal("the provider was never configured")
	}
	return c.data[len(c.data)-1]
}

// The provider block as a user writes it reaches the clients: kubeconfig
// and context, AWS endpoints, retries, assume_role and default tags.
func TestAccProvider_configurationReachesClients(t *testing.T) {
	isolateAWSEnv(t)
	clearKubeEnv(t)
	srv, calls, ca := fakeAPIServer(t, "second-token")
	kubeconfig := writeKubeconfig(t, fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: first
clusters:
- name: one
  cluster: {server: "https://127.0.0.1:1"}
- name: two
  cluster: {server: %q, certificate-authority-data: %q}
users:
- name: u1
  user: {token: first-token}
- name: u2
  user: {token: second-token}
contexts:
- name: first
  context: {cluster: one, user: u1}
- name: second
  context: {cluster: two, user: u2}
`, srv.URL, base64Std(ca)))

	var c capture
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories(c.hook),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "stratos" {
  region      = "eu-west-1"
  max_retries = 3

  endpoints {
    ec2 = "http://127.0.0.1:4566"
  }

  assume_role {
    role_arn    = "arn:aws:iam::123456789012:role/pools"
    external_id = "x-1"
  }

  default_tags {
    tags = { team = "platform" }
  }

  kubernetes {
    config_path    = %q
    config_context = "second"
    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "true"
      args        = ["a", "b"]
      env         = { K = "V" }
    }
  }
}
`, kubeconfig) + userDataConfig(`max_pods = 20`),
		}},
	})

	d := c.last(t)
	if d.aws.Region != "eu-west-1" || d.aws.MaxRetries == nil || *d.aws.MaxRetries != 3 ||
		d.aws.Endpoints.EC2 != "http://127.0.0.1:4566" || d.aws.AssumeRole == nil ||
		d.aws.AssumeRole.RoleARN != "arn:aws:iam::123456789012:role/pools" || d.aws.AssumeRole.ExternalID != "x-1" {
		t.Errorf("AWS settings: %+v (assume_role %+v)", d.aws, d.aws.AssumeRole)
	}
	if d.DefaultTags()["team"] != "platform" {
		t.Errorf("default tags: %v", d.DefaultTags())
	}
	if d.kube.Exec == nil || d.kube.Exec.Command != "true" || len(d.kube.Exec.Args) != 2 || d.kube.Exec.Env["K"] != "V" {
		t.Errorf("exec: %+v", d.kube.Exec)
	}
	// Nothing was contacted while Terraform ran: clients are lazy.
	if calls.Load() != 0 {
		t.Fatalf("the API server was called %d times during plan and apply", calls.Load())
	}

	// Without the exec block the kubeconfig's second context is used as is.
	d.kube.Exec = nil
	_, cfg, err := d.Kubernetes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != srv.URL || cfg.BearerToken != "second-token" || calls.Load() != 1 {
		t.Errorf("host %q token %q calls %d", cfg.Host, cfg.BearerToken, calls.Load())
	}
}
