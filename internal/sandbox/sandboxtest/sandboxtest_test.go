package sandboxtest

import (
	"maps"
	"os"
	"slices"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
)

func TestMain(m *testing.M) { Main(m) }

// The provider under test reaches the sandbox's endpoints, and its
// Kubernetes side runs as ProviderUser (the documented ClusterRole), not as
// the sandbox's cluster-admin.
func TestEnvironmentPointsAtTheSandbox(t *testing.T) {
	sb := Get(t)
	for k, v := range sb.Env() {
		want := v
		if k == "KUBE_CONFIG_PATH" {
			want = ProviderKubeconfig(t)
		}
		if got := os.Getenv(k); got != want {
			t.Errorf("%s = %q in the process, want %q", k, got, want)
		}
	}
	cfg, err := clientcmd.LoadFromFile(os.Getenv("KUBE_CONFIG_PATH"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.AuthInfos[ProviderUser]; !ok {
		t.Errorf("KUBE_CONFIG_PATH's users are %v, want %s", slices.Collect(maps.Keys(cfg.AuthInfos)), ProviderUser)
	}
}

func TestConfigureRestores(t *testing.T) {
	sb := Get(t)
	before := sb.World().Config()
	t.Run("configured", func(t *testing.T) {
		cfg := Configure(t, `{"network": "cilium", "throttle_rate": 0.5}`)
		if cfg.Network != "cilium" || cfg.ThrottleRate != 0.5 || cfg.Latency != before.Latency {
			t.Errorf("config = %+v", cfg)
		}
	})
	if after := sb.World().Config(); after.Network != before.Network || after.ThrottleRate != before.ThrottleRate {
		t.Errorf("config after the test = %+v, want %+v", after, before)
	}
}
