package opentofu

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/gobuild"
)

func TestWrapperGoMod(t *testing.T) {
	tests := []struct {
		name     string
		upstream string
		want     []string // lines the wrapper must contain
		wantErr  string
	}{
		{
			name: "module replace carried over",
			upstream: `module github.com/opentofu/opentofu

go 1.26.6

require github.com/hashicorp/hcl/v2 v2.20.1

replace github.com/hashicorp/hcl/v2 v2.20.1 => github.com/opentofu/hcl/v2 v2.20.2-0.20251021132045-587d123c2828
`,
			want: []string{
				"module stratos.sh/opentofu-build",
				"go 1.26.6",
				"require github.com/opentofu/opentofu " + Version,
				"replace github.com/hashicorp/hcl/v2 v2.20.1 => github.com/opentofu/hcl/v2 v2.20.2-0.20251021132045-587d123c2828",
			},
		},
		{
			name:     "no replaces",
			upstream: "module github.com/opentofu/opentofu\n\ngo 1.24\n",
			want:     []string{"go 1.24", "require github.com/opentofu/opentofu " + Version},
		},
		{
			name:     "local replace cannot be built",
			upstream: "module github.com/opentofu/opentofu\n\ngo 1.24\n\nreplace example.com/x => ./x\n",
			wantErr:  "local path ./x",
		},
		{
			name:     "another module's go.mod",
			upstream: "module github.com/hashicorp/terraform\n\ngo 1.24\n",
			wantErr:  "not github.com/opentofu/opentofu's",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := WrapperGoMod([]byte(tc.upstream))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range tc.want {
				if !strings.Contains(string(got), line) {
					t.Errorf("wrapper go.mod lacks %q:\n%s", line, got)
				}
			}
		})
	}
}

// TestEnsure_waitsForTheBuildInProgress: a second caller waits on the lock
// and takes the binary the first one built, rather than building again.
func TestEnsure_waitsForTheBuildInProgress(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir, err := CacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	unlock, err := gobuild.Lock(context.Background(), filepath.Join(dir, ".lock"), lockWaiting, &log)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		bin string
		err error
	}
	done := make(chan result, 1)
	var waiterLog lockedBuffer
	go func() {
		bin, err := Ensure(context.Background(), &waiterLog)
		done <- result{bin, err}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(waiterLog.String(), "waiting for another process") {
		if time.Now().After(deadline) {
			t.Fatalf("the second caller did not wait for the lock; its log: %q", waiterLog.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The "other process" finishes its build.
	bin := filepath.Join(dir, "tofu")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	unlock()
	select {
	case r := <-done:
		if r.err != nil || r.bin != bin {
			t.Fatalf("Ensure = %q, %v; want %q", r.bin, r.err, bin)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ensure did not return after the lock was released")
	}
	if strings.Contains(waiterLog.String(), "from the Go module proxy") {
		t.Errorf("the second caller built again: %q", waiterLog.String())
	}
}

func TestEnsure_cancelWhileWaiting(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir, _ := CacheDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	unlock, err := gobuild.Lock(context.Background(), filepath.Join(dir, ".lock"), lockWaiting, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := Ensure(ctx, nil); err == nil || !strings.Contains(err.Error(), "wait for build lock") {
		t.Fatalf("Ensure = %v, want a cancelled wait for the lock", err)
	}
}
