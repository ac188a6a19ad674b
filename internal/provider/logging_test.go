package provider

import "testing"

func TestQuietFrameworkLogs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		quiet bool
	}{
		{name: "no logging asked for", env: map[string]string{"TF_LOG_PATH": "/tmp/tf.log"}, quiet: true},
		{name: "TF_LOG", env: map[string]string{"TF_LOG": "debug"}},
		{name: "TF_LOG empty but set", env: map[string]string{"TF_LOG": ""}},
		{name: "TF_LOG_PROVIDER", env: map[string]string{"TF_LOG_PROVIDER": "trace"}},
		{name: "framework level chosen", env: map[string]string{"TF_LOG_SDK_FRAMEWORK": "trace"}},
		{name: "SDK level chosen", env: map[string]string{"TF_LOG_SDK": "info"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			set := func(k, v string) error { env[k] = v; return nil }
			got := quietFrameworkLogs(lookup, set)
			if got != tc.quiet {
				t.Fatalf("quiet = %v, want %v", got, tc.quiet)
			}
			level, set2 := env["TF_LOG_SDK_FRAMEWORK"]
			switch {
			case tc.quiet && level != "off":
				t.Errorf("TF_LOG_SDK_FRAMEWORK = %q, want off", level)
			case !tc.quiet && level != tc.env["TF_LOG_SDK_FRAMEWORK"]:
				t.Errorf("TF_LOG_SDK_FRAMEWORK changed to %q (set %v)", level, set2)
			}
		})
	}
}
