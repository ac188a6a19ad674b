package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// waitSchedulable polls the pool's nodes until count of them are
// schedulable and prints the seconds since -since. The demo starts the
// apply, then this, so both paths (from standby, cold) are timed alike:
// from the start of `terraform apply` to nodes a pod can land on.
func waitSchedulable(args []string) error {
	fs := flag.NewFlagSet("wait-schedulable", flag.ContinueOnError)
	name := fs.String("pool", "demo", "the warm pool's name")
	count := fs.Int("count", 1, "how many schedulable nodes to wait for")
	since := fs.Int64("since", 0, "start of the measurement, Unix nanoseconds (default: now)")
	timeout := fs.Duration("timeout", 15*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	if *since > 0 {
		start = time.Unix(0, *since)
	}
	kube, err := kubeClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	at, err := pollSchedulable(ctx, kube, *name, *count, 100*time.Millisecond)
	if err != nil {
		return err
	}
	fmt.Printf("%.1f\n", at.Sub(start).Seconds())
	return nil
}

// pollSchedulable returns when count of the pool's nodes are schedulable.
func pollSchedulable(ctx context.Context, kube kubernetes.Interface, pool string, count int, every time.Duration) (time.Time, error) {
	selector := keys.Pool + "=" + pool
	for {
		nodes, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err == nil {
			n := 0
			for i := range nodes.Items {
				if schedulable(&nodes.Items[i]) {
					n++
				}
			}
			if n >= count {
				return time.Now(), nil
			}
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("waiting for %d schedulable nodes of pool %s: %w (last list error: %v)", count, pool, ctx.Err(), err)
		case <-time.After(every):
		}
	}
}

// schedulable: the scheduler would place a pod that tolerates nothing of
// the pool's own on it: Ready, not cordoned, without the warmup or standby
// taint.
func schedulable(n *corev1.Node) bool {
	if n.Spec.Unschedulable || readiness(n) != string(corev1.ConditionTrue) {
		return false
	}
	for _, t := range n.Spec.Taints {
		if t.Key == keys.TaintStandby || t.Key == keys.TaintWarmup {
			return false
		}
	}
	return true
}
