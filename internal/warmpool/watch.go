package warmpool

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// clusterWatch follows a pool's nodes, the pods bound to nodes and the
// cluster's DaemonSets with one informer each: one list and one watch per
// kind per operation, however many instances it waits on.
type clusterWatch struct {
	stop       context.CancelFunc
	nodes      cache.Indexer
	pods       cache.Indexer
	daemonSets cache.Store
	changed    chan struct{}
}

const (
	byInstanceID = "instance-id"
	byNodeName   = "node-name"
)

// watchCluster starts the informers and waits for their first list.
// keepImages keeps the nodes' image lists, which only a warmup that waits
// for images reads.
func (e *Engine) watchCluster(ctx context.Context, poolID string, wantPods, keepImages bool) (*clusterWatch, error) {
	ctx, cancel := context.WithCancel(ctx)
	w := &clusterWatch{stop: cancel, changed: make(chan struct{}, 1)}
	notify := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { w.poke() },
		UpdateFunc: func(any, any) { w.poke() },
		DeleteFunc: func(any) { w.poke() },
	}

	nodeFactory := informers.NewSharedInformerFactoryWithOptions(e.Kube, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = keys.PoolID + "=" + poolID }),
		informers.WithTransform(slimNode(keepImages)))
	nodeInformer := nodeFactory.Core().V1().Nodes().Informer()
	if err := nodeInformer.AddIndexers(cache.Indexers{byInstanceID: func(obj any) ([]string, error) {
		if id := InstanceIDFromProviderID(obj.(*corev1.Node).Spec.ProviderID); id != "" {
			return []string{id}, nil
		}
		return nil, nil
	}}); err != nil {
		cancel()
		return nil, err
	}
	if _, err := nodeInformer.AddEventHandler(notify); err != nil {
		cancel()
		return nil, err
	}
	w.nodes = nodeInformer.GetIndexer()
	nodeFactory.Start(ctx.Done())
	synced := []cache.InformerSynced{nodeInformer.HasSynced}

	if wantPods {
		podFactory := informers.NewSharedInformerFactoryWithOptions(e.Kube, 0,
			informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.FieldSelector = "spec.nodeName!=" }),
			informers.WithTransform(slimPod))
		podInformer := podFactory.Core().V1().Pods().Informer()
		if err := podInformer.AddIndexers(cache.Indexers{byNodeName: func(obj any) ([]string, error) {
			return []string{obj.(*corev1.Pod).Spec.NodeName}, nil
		}}); err != nil {
			cancel()
			return nil, err
		}
		if _, err := podInformer.AddEventHandler(notify); err != nil {
			cancel()
			return nil, err
		}
		// A factory of its own: the pods' field selector means nothing to DaemonSets.
		dsFactory := informers.NewSharedInformerFactoryWithOptions(e.Kube, 0, informers.WithTransform(stripManagedFields))
		dsInformer := dsFactory.Apps().V1().DaemonSets().Informer()
		if _, err := dsInformer.AddEventHandler(notify); err != nil {
			cancel()
			return nil, err
		}
		w.pods = podInformer.GetIndexer()
		w.daemonSets = dsInformer.GetStore()
		podFactory.Start(ctx.Done())
		dsFactory.Start(ctx.Done())
		synced = append(synced, podInformer.HasSynced, dsInformer.HasSynced)
	}

	syncCtx, syncCancel := context.WithTimeout(ctx, 2*time.Minute)
	defer syncCancel()
	if !cache.WaitForCacheSync(syncCtx.Done(), synced...) {
		cancel()
		return nil, fmt.Errorf("watch nodes of pool %s: caches did not sync: %w", poolID, context.Cause(syncCtx))
	}
	return w, nil
}

func (w *clusterWatch) poke() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

func (w *clusterWatch) close() { w.stop() }

func (w *clusterWatch) node(instanceID string) *corev1.Node {
	objs, _ := w.nodes.ByIndex(byInstanceID, instanceID)
	if len(objs) == 0 {
		return nil
	}
	return objs[0].(*corev1.Node)
}

func (w *clusterWatch) view(nodeName string) ClusterView {
	var v ClusterView
	if w.pods == nil {
		return v
	}
	objs, _ := w.pods.ByIndex(byNodeName, nodeName)
	for _, o := range objs {
		v.PodsOnNode = append(v.PodsOnNode, o.(*corev1.Pod))
	}
	for _, o := range w.daemonSets.List() {
		v.DaemonSets = append(v.DaemonSets, o.(*appsv1.DaemonSet))
	}
	return v
}

func (w *clusterWatch) allDaemonSets() []*appsv1.DaemonSet {
	if w.daemonSets == nil {
		return nil
	}
	var out []*appsv1.DaemonSet
	for _, o := range w.daemonSets.List() {
		out = append(out, o.(*appsv1.DaemonSet))
	}
	return out
}

// slimNode keeps the node cache small at a thousand nodes: no managed
// fields, and no image list (up to 50 names per node) unless it is read.
func slimNode(keepImages bool) cache.TransformFunc {
	return func(obj any) (any, error) {
		obj, err := stripManagedFields(obj)
		if n, ok := obj.(*corev1.Node); ok && !keepImages {
			n.Status.Images = nil
		}
		return obj, err
	}
}

// slimPod keeps, of every scheduled pod in the cluster, only what readiness
// and drains read: identity, owners, the mirror-pod annotation, the node and
// whether it runs Ready. A cluster's pods are many and large (specs, env,
// volumes); the pool needs a few fields of each.
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
