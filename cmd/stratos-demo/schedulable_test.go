package main

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

func node(name string, ready bool, cordoned bool, taints ...string) *corev1.Node {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{keys.Pool: "demo"}},
		Spec:       corev1.NodeSpec{Unschedulable: cordoned},
		Status:     corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status}}},
	}
	for _, key := range taints {
		n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: key, Effect: corev1.TaintEffectNoExecute})
	}
	return n
}

func TestSchedulable(t *testing.T) {
	tests := []struct {
		name string
		node *corev1.Node
		want bool
	}{
		{"ready, uncordoned, untainted", node("a", true, false), true},
		{"a workload taint of the user's is not the pool's", node("a", true, false, "example.com/gpu"), true},
		{"not ready", node("a", false, false), false},
		{"cordoned", node("a", true, true), false},
		{"standby taint", node("a", true, false, keys.TaintStandby), false},
		{"warmup taint", node("a", true, false, keys.TaintWarmup), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := schedulable(tc.node); got != tc.want {
				t.Errorf("schedulable = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPollSchedulable_countsOnlyThePoolsSchedulableNodes(t *testing.T) {
	other := node("other", true, false)
	other.Labels[keys.Pool] = "other"
	kube := fake.NewClientset(node("a", true, false), node("b", true, true, keys.TaintStandby), other)

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := pollSchedulable(ctx, kube, "demo", 2, 10*time.Millisecond); err == nil {
		t.Fatal("2 schedulable nodes reported while only one of the pool's is")
	}

	// b leaves standby: uncordoned, taint removed.
	b := node("b", true, false)
	if _, err := kube.CoreV1().Nodes().Update(context.Background(), b, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := pollSchedulable(ctx, kube, "demo", 2, 10*time.Millisecond); err != nil {
		t.Fatalf("2 schedulable nodes not seen: %v", err)
	}
}
