package warmpool

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	appsinformers "k8s.io/client-go/informers/apps/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// Informers are the cluster caches the pool operations of one process
// share (Terraform applies up to ten pools at once in one provider process):
// one informer for the provider's nodes, one for the cluster's DaemonSets,
// and one pod informer per node some pool waits on or drains.
//
// Pods are never watched cluster-wide: a pod informer lists and watches
// only the pods bound to one node (field selector spec.nodeName=<node>, the
// watch every kubelet holds, which the apiserver's watch cache serves from
// its node-name index), so what a pool costs grows with the nodes it works
// on, not with the cluster's pods. The informers run while at least one
// operation uses them and stop with the last.
type Informers struct {
	kube kubernetes.Interface

	mu         sync.Mutex
	users      int
	cancel     context.CancelFunc
	running    context.Context
	nodes      cache.SharedIndexInformer
	daemonSets cache.SharedIndexInformer
	pods       map[string]*nodePods

	subMu       sync.Mutex
	subscribers map[chan struct{}]bool

	// refused is the first list or watch the cluster refused (RBAC): an
	// informer would retry it forever, so waits fail with it instead.
	refusedMu sync.Mutex
	refused   error
}

// nodePods is the pod informer of one node and how many watches use it.
type nodePods struct {
	informer cache.SharedIndexInformer
	stop     context.CancelFunc
	users    int
}

// NewInformers creates shared caches for kube; nothing is listed until a
// pool operation needs them.
func NewInformers(kube kubernetes.Interface) *Informers {
	return &Informers{kube: kube, pods: map[string]*nodePods{}, subscribers: map[chan struct{}]bool{}}
}

const (
	byInstanceID = "instance-id"
	byPoolID     = "pool-id"
)

// cacheSyncTimeout bounds the first list of an informer.
const cacheSyncTimeout = 2 * time.Minute

// acquire starts the shared node and DaemonSet informers unless another
// operation runs them, waits for their first list, and subscribes changed
// to every event of the shared informers and of the pod informers.
func (s *Informers) acquire(ctx context.Context, changed chan struct{}) error {
	s.mu.Lock()
	s.users++
	if s.users == 1 {
		s.start()
	}
	synced := []cache.InformerSynced{s.nodes.HasSynced, s.daemonSets.HasSynced}
	s.mu.Unlock()
	s.subMu.Lock()
	s.subscribers[changed] = true
	s.subMu.Unlock()

	if err := s.waitSynced(ctx, synced); err != nil {
		s.release(changed)
		return fmt.Errorf("watch the cluster's nodes and DaemonSets: %w", err)
	}
	return nil
}

// waitSynced waits for informers' first lists; a list the cluster refuses
// ends the wait at once with that refusal.
func (s *Informers) waitSynced(ctx context.Context, synced []cache.InformerSynced) error {
	ctx, cancel := context.WithTimeout(ctx, cacheSyncTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := s.refusal(); err != nil {
			return err
		}
		done := true
		for _, ok := range synced {
			done = done && ok()
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("caches did not sync: %w", context.Cause(ctx))
		case <-tick.C:
		}
	}
}

func (s *Informers) refusal() error {
	s.refusedMu.Lock()
	defer s.refusedMu.Unlock()
	return s.refused
}

// watchErrors records a refused list or watch; other errors the informer
// retries with back-off, as it always does.
func (s *Informers) watchErrors(_ *cache.Reflector, err error) {
	if err = permissionError(err); errors.As(err, new(*PermissionError)) {
		s.refusedMu.Lock()
		if s.refused == nil {
			s.refused = err
		}
		s.refusedMu.Unlock()
	}
}

// start runs the shared informers; the caller holds mu.
func (s *Informers) start() {
	// The informers outlive the operation that starts them: they stop with
	// the last user, not with its context.
	s.running, s.cancel = context.WithCancel(context.Background())
	s.nodes = coreinformers.NewFilteredNodeInformer(s.kube, 0, cache.Indexers{
		byInstanceID: func(obj any) ([]string, error) {
			if id := InstanceIDFromProviderID(obj.(*corev1.Node).Spec.ProviderID); id != "" {
				return []string{id}, nil
			}
			return nil, nil
		},
		byPoolID: func(obj any) ([]string, error) {
			if id := obj.(*corev1.Node).Labels[keys.PoolID]; id != "" {
				return []string{id}, nil
			}
			return nil, nil
		},
	}, func(o *metav1.ListOptions) { o.LabelSelector = keys.ManagedBy + "=" + keys.ManagedByValue })
	_ = s.nodes.SetTransform(slimNode)
	s.daemonSets = appsinformers.NewDaemonSetInformer(s.kube, metav1.NamespaceAll, 0, cache.Indexers{})
	_ = s.daemonSets.SetTransform(stripManagedFields)
	for _, inf := range []cache.SharedIndexInformer{s.nodes, s.daemonSets} {
		_ = inf.SetWatchErrorHandler(s.watchErrors)
		_, _ = inf.AddEventHandler(s.handler())
		go inf.Run(s.running.Done())
	}
}

// release unsubscribes changed and stops every informer when no operation
// uses them any more.
func (s *Informers) release(changed chan struct{}) {
	s.subMu.Lock()
	delete(s.subscribers, changed)
	s.subMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users--
	if s.users > 0 {
		return
	}
	s.cancel()
	for name, p := range s.pods {
		p.stop()
		delete(s.pods, name)
	}
	s.nodes, s.daemonSets, s.cancel, s.running = nil, nil, nil, nil
	s.refusedMu.Lock()
	s.refused = nil
	s.refusedMu.Unlock()
}

// watchPods starts (or shares) the pod informer of one node.
func (s *Informers) watchPods(nodeName string) cache.SharedIndexInformer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pods[nodeName]; ok {
		p.users++
		return p.informer
	}
	selector := fields.OneTermEqualSelector("spec.nodeName", nodeName).String()
	inf := coreinformers.NewFilteredPodInformer(s.kube, metav1.NamespaceAll, 0, cache.Indexers{},
		func(o *metav1.ListOptions) { o.FieldSelector = selector })
	_ = inf.SetTransform(slimPod)
	_ = inf.SetWatchErrorHandler(s.watchErrors)
	_, _ = inf.AddEventHandler(s.handler())
	ctx, stop := context.WithCancel(s.running)
	s.pods[nodeName] = &nodePods{informer: inf, stop: stop, users: 1}
	go inf.Run(ctx.Done())
	return inf
}

// unwatchPods gives up one use of a node's pod informer.
func (s *Informers) unwatchPods(nodeName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pods[nodeName]
	if !ok {
		return
	}
	if p.users--; p.users == 0 {
		p.stop()
		delete(s.pods, nodeName)
	}
}

// podsWatched is how many node pod informers run (for tests).
func (s *Informers) podsWatched() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pods)
}

func (s *Informers) handler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { s.notify() },
		UpdateFunc: func(any, any) { s.notify() },
		DeleteFunc: func(any) { s.notify() },
	}
}

// notify wakes every subscribed operation; each debounces on its own.
func (s *Informers) notify() {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for ch := range s.subscribers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
