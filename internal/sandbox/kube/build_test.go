package kube

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The build lock is what keeps parallel test packages from building
// kube-apiserver twice: a second taker waits until the first releases it.
func TestBuildLockIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "build.lock")
	var log strings.Builder
	unlock, err := lockFile(context.Background(), path, &log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if _, err := lockFile(ctx, path, &log); err == nil {
		t.Fatal("a second lock was granted while the first was held")
	}
	if !strings.Contains(log.String(), "waiting for another process") {
		t.Errorf("the waiter does not say why it waits: %q", log.String())
	}
	unlock()
	unlock2, err := lockFile(context.Background(), path, &strings.Builder{})
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	unlock2()
}

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
