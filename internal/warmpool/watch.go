package warmpool

import (
	"context"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// clusterWatch is one pool operation's view of the shared Informers: the
// pool's nodes, the cluster's DaemonSets, and the pods of the nodes the
// operation works on (each node's pod informer started when first needed
// and given up when the node is done with or the operation ends).
type clusterWatch struct {
	informers *Informers
	// private: the engine has no shared Informers; close stops these.
	private bool
	changed chan struct{}

	mu       sync.Mutex
	podNodes map[string]cache.SharedIndexInformer
}

// watchCluster joins the engine's shared informers (or starts private ones)
// and waits for the nodes' and DaemonSets' first list.
func (e *Engine) watchCluster(ctx context.Context) (*clusterWatch, error) {
	w := &clusterWatch{informers: e.Informers, changed: make(chan struct{}, 1), podNodes: map[string]cache.SharedIndexInformer{}}
	if w.informers == nil {
		w.informers, w.private = NewInformers(e.Kube), true
	}
	if err := w.informers.acquire(ctx, w.changed); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *clusterWatch) close() {
	w.mu.Lock()
	for name := range w.podNodes {
		w.informers.unwatchPods(name)
	}
	w.podNodes = map[string]cache.SharedIndexInformer{}
	w.mu.Unlock()
	w.informers.release(w.changed)
}

func (w *clusterWatch) node(instanceID string) *corev1.Node {
	objs, _ := w.informers.nodes.GetIndexer().ByIndex(byInstanceID, instanceID)
	if len(objs) == 0 {
		return nil
	}
	return objs[0].(*corev1.Node)
}

// refusal is a list or watch the cluster refused the operation's informers.
func (w *clusterWatch) refusal() error { return w.informers.refusal() }

// podInformer returns the pod informer of a node, starting it on first use.
func (w *clusterWatch) podInformer(nodeName string) cache.SharedIndexInformer {
	w.mu.Lock()
	defer w.mu.Unlock()
	inf, ok := w.podNodes[nodeName]
	if !ok {
		inf = w.informers.watchPods(nodeName)
		w.podNodes[nodeName] = inf
	}
	return inf
}

// forgetPods stops following a node's pods: the operation is done with it.
func (w *clusterWatch) forgetPods(nodeName string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.podNodes[nodeName]; ok {
		delete(w.podNodes, nodeName)
		w.informers.unwatchPods(nodeName)
	}
}

// podsOn lists the pods bound to a node; listed is false until the node's
// pod informer has made its first list (the pods are then unknown, not none).
func (w *clusterWatch) podsOn(nodeName string) (pods []*corev1.Pod, listed bool) {
	inf := w.podInformer(nodeName)
	if !inf.HasSynced() {
		return nil, false
	}
	for _, o := range inf.GetStore().List() {
		pods = append(pods, o.(*corev1.Pod))
	}
	return pods, true
}

// syncPods waits until the pods of every named node are listed.
func (w *clusterWatch) syncPods(ctx context.Context, nodeNames []string) error {
	synced := make([]cache.InformerSynced, 0, len(nodeNames))
	for _, name := range nodeNames {
		synced = append(synced, w.podInformer(name).HasSynced)
	}
	if err := w.informers.waitSynced(ctx, synced); err != nil {
		return fmt.Errorf("list the pods of %d nodes: %w", len(nodeNames), err)
	}
	return nil
}

// view is what readiness reads of the cluster for one node. Until the
// node's pods are listed it holds none, which readiness waits on. A node
// that is not Ready gets no pod informer yet: readiness decides on the
// node's own Ready condition before it reads a pod, and a pool's nodes
// spend most of their warmup booting, so watching only from Ready on keeps
// the pod watches open at once to the nodes between Ready and verified
// rather than every node of a create.
func (w *clusterWatch) view(node *corev1.Node) ClusterView {
	view := ClusterView{DaemonSets: w.allDaemonSets()}
	if ready := condition(node, corev1.NodeReady); ready != nil && ready.Status == corev1.ConditionTrue {
		view.PodsOnNode, _ = w.podsOn(node.Name)
	}
	return view
}

func (w *clusterWatch) allDaemonSets() []*appsv1.DaemonSet {
	var out []*appsv1.DaemonSet
	for _, o := range w.informers.daemonSets.GetStore().List() {
		out = append(out, o.(*appsv1.DaemonSet))
	}
	return out
}

// slimNode keeps the node cache small at a thousand nodes: no managed
// fields, and no image list (up to 50 names per node) once the node has
// left warmup, the only time a pool reads its images.
func slimNode(obj any) (any, error) {
	obj, err := stripManagedFields(obj)
	if n, ok := obj.(*corev1.Node); ok && n.Labels[keys.State] != string(StateWarmup) {
		n.Status.Images = nil
	}
	return obj, err
}

// slimPod keeps, of every pod on a watched node, only what readiness and
// drains read: identity, owners, the mirror-pod annotation, the node and
// whether it runs Ready. Pods are large (specs, env, volumes); the pool
// needs a few fields of each.
func slimPod(obj any) (any, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	slim := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID, ResourceVersion: pod.ResourceVersion,
			Labels: pod.Labels, OwnerReferences: pod.OwnerReferences, DeletionTimestamp: pod.DeletionTimestamp,
		},
		Spec:   corev1.PodSpec{NodeName: pod.Spec.NodeName},
		Status: corev1.PodStatus{Phase: pod.Status.Phase, Conditions: pod.Status.Conditions},
	}
	if v, mirror := pod.Annotations[mirrorPodAnnotation]; mirror {
		slim.Annotations = map[string]string{mirrorPodAnnotation: v}
	}
	return slim, nil
}

// stripManagedFields keeps informer caches small at a thousand nodes.
func stripManagedFields(obj any) (any, error) {
	if m, ok := obj.(metav1.ObjectMetaAccessor); ok {
		m.GetObjectMeta().SetManagedFields(nil)
	}
	return obj, nil
}
