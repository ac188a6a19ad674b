package scaletest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest/kubecount"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest/tfrun"
)

var (
	setupOnce sync.Once
	setup     *tfrun.Setup
	setupErr  error
)

// terraformSetup builds the provider once per test process. The binary goes
// to the user's cache folder (replaced on every run), not a temporary
// folder: TestMain cannot clean up after sandboxtest.Main exits.
func terraformSetup(t *testing.T) *tfrun.Setup {
	t.Helper()
	sandboxtest.Get(t)
	setupOnce.Do(func() {
		tf, err := tfrun.FindTerraform()
		if err != nil {
			setupErr = err
			return
		}
		root, err := tfrun.ModuleRoot(".")
		if err != nil {
			setupErr = err
			return
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		setup, setupErr = tfrun.NewSetup(context.Background(), tf, root, filepath.Join(cache, "stratos", "scaletest"))
	})
	if setupErr != nil {
		t.Fatalf("terraform setup: %v", setupErr)
	}
	return setup
}

// tfWorkspace is a Terraform working directory whose provider processes
// reach Kubernetes through a counting proxy.
type tfWorkspace struct {
	*tfrun.Workspace
	proxy  *kubecount.Proxy
	config Sandbox
}

func newTFWorkspace(t *testing.T) *tfWorkspace {
	t.Helper()
	return newWorkspaceOf(t, terraformSetup(t))
}

// newWorkspaceOf is a workspace driven by s's CLI (Terraform or OpenTofu).
func newWorkspaceOf(t *testing.T, s *tfrun.Setup) *tfWorkspace {
	t.Helper()
	sb := sandboxtest.Get(t)
	proxy, err := kubecount.StartProxy(providerRESTConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := proxy.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	ws, err := s.NewWorkspace(filepath.Join(dir, "config"), "KUBE_CONFIG_PATH="+kubeconfig, "KUBECONFIG="+kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	ami, ok := sb.World().ImageID("aws-k8s-1.32", "x86_64")
	if !ok {
		t.Fatal("no sandbox image")
	}
	return &tfWorkspace{Workspace: ws, proxy: proxy, config: Sandbox{Env: sb.Env(), AMI: ami}}
}

// apply writes c and applies it; args are added (e.g. "-lock=false").
func (w *tfWorkspace) apply(t *testing.T, c PoolConfig, args ...string) tfrun.Result {
	t.Helper()
	if err := w.WriteConfig(c.HCL(w.config)); err != nil {
		t.Fatal(err)
	}
	res, err := w.Run(context.Background(), append([]string{"apply", "-auto-approve", "-lock=false"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// poolInState is the pool's id and the instance ids its state records.
func (w *tfWorkspace) poolInState(t *testing.T) (string, []string) {
	t.Helper()
	resources, err := w.Resources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pool := resources[PoolAddress]
	id, _ := pool["pool_id"].(string)
	recorded, err := w.PoolInstanceIDs(context.Background(), PoolAddress)
	if err != nil {
		t.Fatal(err)
	}
	return id, recorded
}

func summary(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "Warning") || strings.Contains(l, "Error") || strings.HasPrefix(l, "Plan:") || strings.HasPrefix(l, "Apply complete") {
			keep = append(keep, strings.TrimSpace(l))
		}
	}
	return strings.Join(keep, "; ")
}
