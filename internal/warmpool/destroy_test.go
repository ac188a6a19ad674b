package warmpool

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

func poolNodes() []runtime.Object {
	node := func(name, pool string) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{keys.PoolID: pool}}}
	}
	return []runtime.Object{node("a", "p1"), node("b", "p1"), node("other", "p2")}
}

func remainingNodes(t *testing.T, kube *fake.Clientset) []string {
	t.Helper()
	list, err := kube.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range list.Items {
		names = append(names, n.Name)
	}
	return names
}

// A destroyed pool's nodes go in one request, selected by the pool's label.
func TestDeletePoolNodes_oneRequest(t *testing.T) {
	kube := fake.NewSimpleClientset(poolNodes()...)
	var selectors []string
	kube.PrependReactor("delete-collection", "nodes", func(a k8stesting.Action) (bool, runtime.Object, error) {
		selector := a.(k8stesting.DeleteCollectionAction).GetListRestrictions().Labels.String()
		selectors = append(selectors, selector)
		for _, name := range []string{"a", "b"} {
			if err := kube.Tracker().Delete(schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, "", name); err != nil {
				return true, nil, err
			}
		}
		return true, nil, nil
	})
	e := &Engine{Kube: kube}
	if err := e.deletePoolNodes(context.Background(), "p1"); err != nil {
		t.Fatal(err)
	}
	if len(selectors) != 1 || selectors[0] != keys.PoolID+"=p1" {
		t.Fatalf("delete-collection requests: %q, want one for %s=p1", selectors, keys.PoolID)
	}
	for _, a := range kube.Actions() {
		if a.GetVerb() == "delete" {
			t.Errorf("a node was also deleted on its own: %v", a)
		}
	}
}

// Where RBAC allows deleting nodes but not deleting a collection of them,
// the pool's nodes are deleted one by one, and nobody else's.
func TestDeletePoolNodes_forbiddenCollection(t *testing.T) {
	kube := fake.NewSimpleClientset(poolNodes()...)
	kube.PrependReactor("delete-collection", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "", nil)
	})
	e := &Engine{Kube: kube}
	if err := e.deletePoolNodes(context.Background(), "p1"); err != nil {
		t.Fatal(err)
	}
	if got := remainingNodes(t, kube); len(got) != 1 || got[0] != "other" {
		t.Fatalf("nodes left: %v, want only the other pool's", got)
	}
}
