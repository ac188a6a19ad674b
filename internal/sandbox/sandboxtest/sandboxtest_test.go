package sandboxtest

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

func TestEnvironmentPointsAtTheSandbox(t *testing.T) {
	sb := Get(t)
	for k, v := range sb.Env() {
		if got := os.Getenv(k); got != v {
			t.Errorf("%s = %q in the process, want %q", k, got, v)
		}
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
