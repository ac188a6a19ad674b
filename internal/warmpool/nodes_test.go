package warmpool

import (
	"context"
	"fmt"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// poolNode is a Node as the kubelet registers it from a pool's user data:
// the pool's label, a hostname label equal to its name, the provider id.
func poolNode(name, instanceID, pool string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{keys.PoolID: pool, corev1.LabelHostname: name}},
		Spec:       corev1.NodeSpec{ProviderID: "aws:///us-west-2a/" + instanceID},
	}
}

var nodesResource = corev1.SchemeGroupVersion.WithResource("nodes")

// withCollectionDeletes makes the fake clientset serve deletecollection on
// nodes as the apiserver does (the fake tracker has no such reaction):
// every Node matching the request's label selector is deleted.
func withCollectionDeletes(t *testing.T, kube *fake.Clientset) {
	// The reactor runs under the fake's lock: it reads the tracker, not the client.
	kube.PrependReactor("delete-collection", "nodes", func(a k8stesting.Action) (bool, runtime.Object, error) {
		selector := a.(k8stesting.DeleteCollectionAction).GetListRestrictions().Labels
		list, err := kube.Tracker().List(nodesResource, corev1.SchemeGroupVersion.WithKind("Node"), "")
		if err != nil {
			return true, nil, err
		}
		for _, n := range list.(*corev1.NodeList).Items {
			if selector.Matches(labels.Set(n.Labels)) {
				if err := kube.Tracker().Delete(nodesResource, "", n.Name); err != nil {
					t.Errorf("delete %s: %v", n.Name, err)
				}
			}
		}
		return true, nil, nil
	})
}

// A wave of stopped standby instances has its Nodes deleted with one
// deletecollection per 100 Nodes, not one DELETE per Node, and the selector
// takes nothing else: a running Node of the same pool and another pool's
// Node survive. A Node whose hostname label is not its name cannot be
// selected and is deleted by name.
func TestDeleteInstanceNodes_collectionPerHundred(t *testing.T) {
	for _, c := range []struct {
		wave, relabelled    int
		collections, byName int
	}{
		{wave: 1, collections: 1},
		{wave: 100, collections: 1},
		{wave: 101, collections: 2},
		{wave: 1000, collections: 10},
		{wave: 250, relabelled: 1, collections: 3, byName: 1},
	} {
		t.Run(fmt.Sprintf("wave=%d,relabelled=%d", c.wave, c.relabelled), func(t *testing.T) {
			objects := []runtime.Object{
				poolNode("running", "i-running", "p1"),
				poolNode("other-pool", "i-other", "p2"),
			}
			var stopped []Instance
			for n := range c.wave {
				id := fmt.Sprintf("i-%04d", n)
				node := poolNode("ip-10-0-"+id+".us-west-2.compute.internal", id, "p1")
				if n < c.relabelled {
					node.Labels[corev1.LabelHostname] = "custom"
				}
				objects = append(objects, node)
				stopped = append(stopped, Instance{ID: id})
			}
			kube := fake.NewSimpleClientset(objects...)
			withCollectionDeletes(t, kube)
			e := &Engine{Kube: kube}
			if err := e.deleteInstanceNodes(context.Background(), "p1", nil, stopped); err != nil {
				t.Fatal(err)
			}
			var deletes, collections int
			for _, a := range kube.Actions() {
				switch a.GetVerb() {
				case "delete":
					deletes++
				case "delete-collection":
					collections++
				}
			}
			if deletes != c.byName || collections != c.collections {
				t.Errorf("%d DELETE and %d DELETECOLLECTION node requests, want %d and %d", deletes, collections, c.byName, c.collections)
			}
			left := remainingNodes(t, kube)
			slices.Sort(left)
			if !slices.Equal(left, []string{"other-pool", "running"}) {
				t.Errorf("nodes left: %v, want the running node and the other pool's", left)
			}
		})
	}
}

// Nodes known only by name (a terminated instance's) go by label too;
// names that cannot be label values are deleted one by one.
func TestDeleteNodes_byName(t *testing.T) {
	long := "ip-10-0-0-1." + "a-name-longer-than-a-label-value-may-be.us-west-2.compute.internal"
	kube := fake.NewSimpleClientset(poolNode("a", "i-a", "p1"), poolNode("b", "i-b", "p1"), poolNode(long, "i-long", "p1"), poolNode("running", "i-running", "p1"))
	withCollectionDeletes(t, kube)
	e := &Engine{Kube: kube}
	if err := e.deleteNodes(context.Background(), "p1", []string{"a", "b", long, "gone"}); err != nil {
		t.Fatal(err)
	}
	if got := remainingNodes(t, kube); !slices.Equal(got, []string{"running"}) {
		t.Errorf("nodes left: %v, want only the running node", got)
	}
	var verbs []string
	for _, a := range kube.Actions() {
		if a.GetVerb() != "list" {
			verbs = append(verbs, a.GetVerb())
		}
	}
	if !slices.Equal(verbs, []string{"delete-collection", "delete"}) {
		t.Errorf("requests: %v, want one delete-collection and one delete (the name too long for a label value)", verbs)
	}
}
