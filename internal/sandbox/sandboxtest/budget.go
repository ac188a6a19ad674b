package sandboxtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// BlockingBudget creates a PodDisruptionBudget in namespace "default" that
// allows no disruption of the Ready pods labelled app=<app> (minAvailable 1
// over one pod), and waits until kube-controller-manager's disruption
// controller has written its status: the Eviction API admits or refuses
// evictions from that status (k8s.io/kubernetes pkg/registry/core/pod/storage
// eviction.go), so a budget without it guards nothing. Create the pod first
// and let it turn Ready. It returns a function removing the budget, which
// also runs at the test's cleanup.
func BlockingBudget(t testing.TB, kube kubernetes.Interface, app string) (remove func()) {
	t.Helper()
	ctx := context.Background()
	budgets := kube.PolicyV1().PodDisruptionBudgets("default")
	one := intstr.FromInt32(1)
	created, err := budgets.Create(ctx, &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: app, Namespace: "default"},
		Spec:       policyv1.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	remove = func() {
		if err := budgets.Delete(context.Background(), app, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete PodDisruptionBudget %s: %v", app, err)
		}
	}
	t.Cleanup(remove)
	var last policyv1.PodDisruptionBudgetStatus
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		pdb, err := budgets.Get(ctx, app, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = pdb.Status
		return pdb.Status.ObservedGeneration >= created.Generation && pdb.Status.ExpectedPods == 1 &&
			pdb.Status.CurrentHealthy == 1 && pdb.Status.DesiredHealthy == 1 && pdb.Status.DisruptionsAllowed == 0, nil
	})
	if err != nil {
		t.Fatal(fmt.Errorf("PodDisruptionBudget %s: the disruption controller did not report one healthy pod and no disruption allowed (last status %+v): %w", app, last, err))
	}
	return remove
}
