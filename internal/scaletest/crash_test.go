package scaletest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest/tfrun"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// crashSize is the pool size of the crash tests.
const crashSize = 20

// longCrash runs the crash tests over many more kill points (every half
// second of a create). STRATOS_CRASH_LONG=1 turns it on; minutes, not for
// `make test`.
func longCrash() bool { return os.Getenv("STRATOS_CRASH_LONG") == "1" }

// progress is what a kill point looks at: the sandbox's calls since the
// command started and the pool's instances and nodes.
type progress struct {
	calls     cloud.Stats
	instances []cloud.InstanceRecord
	nodes     int
	started   time.Duration
}

// killPoint names a moment of an operation and recognises it.
type killPoint struct {
	name string
	at   func(progress) bool
	// mayMiss: a point in time that a fast machine's apply may not reach;
	// the test is skipped then instead of failing.
	mayMiss bool
}

func afterCall(action string, n int) func(progress) bool {
	return func(p progress) bool { return p.calls.Calls[action] >= n }
}

func after(d time.Duration) func(progress) bool {
	return func(p progress) bool { return p.started >= d }
}

// withNodes: some of the pool's nodes registered (warmup under way) and
// none stopped yet.
func withNodes(p progress) bool { return p.nodes > 0 && p.calls.Calls["StopInstances"] == 0 }

// killDuring starts terraform with args, waits for the kill point, and kills
// terraform and the provider it started with SIGKILL. It fails the test if
// the command ends first: the kill point was never reached.
func (w *tfWorkspace) killDuring(t *testing.T, poolName string, kp killPoint, args ...string) {
	t.Helper()
	sb := sandboxtest.Get(t)
	poolID := warmpool.PoolID("sandbox", poolName)
	sb.World().ResetStats()
	start := time.Now()
	proc, err := w.Start(context.Background(), append(args, "-lock=false")...)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var res tfrun.Result
	var runErr error
	go func() { res, runErr = proc.Wait(); close(done) }()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			if kp.mayMiss {
				t.Skipf("terraform %s ended before %s", strings.Join(args, " "), kp.name)
			}
			t.Fatalf("terraform %s ended before the kill point %q (err %v):\n%s", strings.Join(args, " "), kp.name, runErr, summary(res.Stdout+res.Stderr))
		case <-tick.C:
		}
		p := progress{calls: sb.World().Stats(), started: time.Since(start)}
		for _, r := range sb.World().AllInstances() {
			if r.Tags[keys.PoolID] == poolID {
				p.instances = append(p.instances, r)
			}
		}
		nodes, err := sb.Kubernetes().CoreV1().Nodes().List(context.Background(), metav1.ListOptions{LabelSelector: keys.PoolID + "=" + poolID})
		if err == nil {
			p.nodes = len(nodes.Items)
		}
		if kp.at(p) {
			providers := tfrun.Descendants(proc.Pid())
			if err := proc.Kill(); err != nil {
				t.Fatalf("kill: %v", err)
			}
			<-done
			if len(providers) == 0 {
				t.Errorf("kill point %q: terraform had started no provider process yet", kp.name)
			}
			t.Logf("killed terraform %s and its provider at %q after %s (%s)", args[0], kp.name, p.started.Round(time.Millisecond), Calls(p.calls.Calls))
			w.recoverState(t)
			return
		}
	}
}

// recoverState does what an operator does when a kill caught Terraform
// writing the local state (it truncates, then writes): put back the backup
// Terraform wrote before its first write of the run. Anything the lost
// write would have recorded is found again by the next apply from the
// instances' tags.
func (w *tfWorkspace) recoverState(t *testing.T) {
	t.Helper()
	path := filepath.Join(w.Dir, "terraform.tfstate")
	raw, err := os.ReadFile(path)
	if err != nil || json.Valid(raw) {
		return
	}
	backup, err := os.ReadFile(path + ".backup")
	if err != nil {
		t.Fatalf("the kill left a broken state (%d bytes) and no backup: %v", len(raw), err)
	}
	if err := os.WriteFile(path, backup, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("the kill caught Terraform writing its state (%d bytes left); restored the backup", len(raw))
}

// converged checks the pool holds exactly size verified standby instances
// built from the configuration's revision, all recorded in state.
func (w *tfWorkspace) converged(t *testing.T, size int) {
	t.Helper()
	sb := sandboxtest.Get(t)
	poolID, inState := w.poolInState(t)
	a, err := AuditPool(context.Background(), sb.World(), sb.Kubernetes(), poolID, inState)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range a.Problems(size) {
		t.Errorf("after re-apply: %s", p)
	}
	hashes := map[string]int{}
	for _, r := range sb.World().AllInstances() {
		if r.Tags[keys.PoolID] == poolID && r.State == "stopped" {
			hashes[r.Tags[keys.ConfigHash]]++
		}
	}
	if len(hashes) > 1 {
		t.Errorf("standby instances built from %d configurations, want one: %v", len(hashes), hashes)
	}
}

// gone checks nothing of the pool is left: no live instance, no node.
func gone(t *testing.T, poolName string) {
	t.Helper()
	sb := sandboxtest.Get(t)
	a, err := AuditPool(context.Background(), sb.World(), sb.Kubernetes(), warmpool.PoolID("sandbox", poolName), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Live) > 0 || len(a.StaleNodes) > 0 {
		t.Errorf("after destroy: %d live instances (%v), %d nodes (%v)", len(a.Live), a.Live, len(a.StaleNodes), a.StaleNodes)
	}
}

func createKillPoints() []killPoint {
	points := []killPoint{
		{name: "after RunInstances", at: afterCall("RunInstances", 1)},
		{name: "during warmup", at: withNodes},
		{name: "after StopInstances", at: afterCall("StopInstances", 1)},
	}
	if longCrash() {
		for d := 500 * time.Millisecond; d <= 10*time.Second; d += 500 * time.Millisecond {
			points = append(points, killPoint{name: fmt.Sprintf("%s into the apply", d), at: after(d), mayMiss: true})
		}
	}
	return points
}

// A create killed (terraform and provider, SIGKILL) after its launch, during
// warmup or after its stop, then applied again, converges to exactly size
// verified standby instances: the instances' tags, the launch's client
// tokens and the next apply's adoption make up for the lost state.
func TestCrash_create(t *testing.T) {
	timed(t)
	for n, kp := range createKillPoints() {
		t.Run(strings.ReplaceAll(kp.name, " ", "_"), func(t *testing.T) {
			w := newTFWorkspace(t)
			name := fmt.Sprintf("crash-create-%d-%d", n, seq.Add(1))
			nodeClass := PoolConfig{Name: name, Size: -1}
			w.apply(t, nodeClass)
			t.Cleanup(func() { _, _ = w.Run(context.Background(), "destroy", "-auto-approve", "-lock=false") })
			cfg := PoolConfig{Name: name, Size: crashSize}
			if err := w.WriteConfig(cfg.HCL(w.config)); err != nil {
				t.Fatal(err)
			}
			w.killDuring(t, name, kp, "apply", "-auto-approve")
			w.apply(t, cfg)
			w.converged(t, crashSize)
		})
	}
}

// Updates killed midway — a size change while it launches, a node class
// change while it replaces standby instances — and a destroy killed after
// its terminate, each followed by another apply (or destroy), converge with
// nothing leaked or duplicated and no node left for a terminated instance.
func TestCrash_updateAndDestroy(t *testing.T) {
	timed(t)
	w := newTFWorkspace(t)
	name := fmt.Sprintf("crash-update-%d", seq.Add(1))
	cfg := PoolConfig{Name: name, Size: crashSize, Revision: 1}
	w.apply(t, cfg)
	t.Cleanup(func() { _, _ = w.Run(context.Background(), "destroy", "-auto-approve", "-lock=false") })
	w.converged(t, crashSize)

	t.Run("size_change_after_RunInstances", func(t *testing.T) {
		cfg.Size = crashSize + 10
		w.killUpdateAndRecover(t, name, cfg, killPoint{name: "after RunInstances", at: afterCall("RunInstances", 1)})
	})

	t.Run("node_class_replacement_during_warmup", func(t *testing.T) {
		cfg.Revision++
		w.killUpdateAndRecover(t, name, cfg, killPoint{name: "replacements launched", at: afterCall("RunInstances", 1)})
	})

	t.Run("node_class_replacement_after_terminate", func(t *testing.T) {
		cfg.Revision++
		w.killUpdateAndRecover(t, name, cfg, killPoint{name: "outdated terminated", at: afterCall("TerminateInstances", 1)})
	})

	t.Run("destroy_after_TerminateInstances", func(t *testing.T) {
		w.killDuring(t, name, killPoint{name: "after TerminateInstances", at: afterCall("TerminateInstances", 1)}, "destroy", "-auto-approve")
		if _, err := w.Run(context.Background(), "destroy", "-auto-approve", "-lock=false"); err != nil {
			t.Fatalf("destroy after a killed destroy: %v", err)
		}
		gone(t, name)
	})
}

// killUpdateAndRecover applies cfg, kills Terraform and the provider at kp,
// applies again and checks the pool converged with nothing leaked.
func (w *tfWorkspace) killUpdateAndRecover(t *testing.T, name string, cfg PoolConfig, kp killPoint) {
	t.Helper()
	if err := w.WriteConfig(cfg.HCL(w.config)); err != nil {
		t.Fatal(err)
	}
	w.killDuring(t, name, kp, "apply", "-auto-approve")
	w.apply(t, cfg)
	w.converged(t, cfg.Size)
}
