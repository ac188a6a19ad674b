package gobuild

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The build lock is what keeps parallel test packages from building the
// same tool twice: a second taker waits until the first releases it.
func TestLockIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "build.lock")
	var log strings.Builder
	unlock, err := Lock(context.Background(), path, "waiting for another process", &log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, path, "waiting for another process", &log); err == nil {
		t.Fatal("a second lock was granted while the first was held")
	}
	if !strings.Contains(log.String(), "waiting for another process ("+path+")") {
		t.Errorf("the waiter does not say why it waits: %q", log.String())
	}
	unlock()
	unlock2, err := Lock(context.Background(), path, "waiting", nil)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	unlock2()
}

func TestCacheRoot(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/cache")
	if got, err := CacheRoot(); err != nil || got != "/cache" {
		t.Fatalf("CacheRoot = %q, %v; want /cache", got, err)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if got, err := CacheRoot(); err != nil || got != "/home/u/.cache" {
		t.Fatalf("CacheRoot = %q, %v; want /home/u/.cache", got, err)
	}
}
