package kube

import (
	"strings"
	"testing"
)

func TestCacheDirIsKeyedByVersions(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/cache")
	dir, err := CacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := "/cache/stratos-sandbox/bin/k8s-" + KubernetesVersion + "-etcd-" + EtcdVersion + "-" + cacheLayout; dir != want {
		t.Errorf("cache dir = %s, want %s", dir, want)
	}
}

func TestVersionLDFlags(t *testing.T) {
	flags := versionLDFlags()
	for _, want := range []string{
		"-X k8s.io/component-base/version.gitVersion=" + KubernetesVersion,
		"-X k8s.io/component-base/version.gitMinor=32",
		"-X k8s.io/client-go/pkg/version.gitMajor=1",
	} {
		if !strings.Contains(flags, want) {
			t.Errorf("ldflags lack %q: %s", want, flags)
		}
	}
}
