// Package nodes simulates the Bottlerocket nodes of the sandbox: for each
// instance the simulated AWS world runs, it reads the user data as
// Bottlerocket would, registers a Node with the real kube-apiserver and
// plays the kubelet, the CNI agent and the controllers that do not run in
// the sandbox (DaemonSet, node lifecycle, cloud node lifecycle, pod GC).
//
// It is level-based and cheap at scale: every instance is a key in one
// rate-limited work queue, timers are the queue's delayed adds (one
// scheduler goroutine, not one per node), state comes from one informer per
// kind, and the apiserver is written only on transitions.
package nodes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// World is what the simulator needs from the simulated AWS world.
type World interface {
	Config() cloud.Config
	InstanceType(name string) (cloud.InstanceTypeInfo, bool)
	cloud.ConsoleWriter
}

// Options configure a Simulator.
type Options struct {
	// Client talks to the sandbox's apiserver; give it a high QPS/Burst,
	// as it writes for every simulated node.
	Client  kubernetes.Interface
	World   World
	Cluster Cluster
	// Workers bounds concurrent apiserver writes; default 16.
	Workers int
	// Logf reports unexpected apiserver errors; default log.Printf.
	Logf func(format string, args ...any)
}

// Simulator plays the nodes of the instances it is told about. It is a
// cloud.InstanceObserver.
type Simulator struct {
	client  kubernetes.Interface
	world   World
	cluster Cluster
	workers int
	logf    func(format string, args ...any)
	now     func() time.Time

	factory    informers.SharedInformerFactory
	nodeLister corelisters.NodeLister
	podIndexer cache.Indexer
	dsLister   appslisters.DaemonSetLister
	queue      workqueue.TypedRateLimitingInterface[string] // instance ids
	dsQueue    workqueue.TypedRateLimitingInterface[string] // DaemonSet keys, for status

	mu      sync.Mutex
	records map[string]*record // by instance id
	byNode  map[string]string  // node name → instance id

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// record is what the simulator knows of one instance.
type record struct {
	info  cloud.InstanceInfo
	power cloud.InstanceEventKind
	// booted: first boot's user data has been read; failure is why the node
	// will never join (nil when it can).
	booted   bool
	failure  error
	settings *bootSettings
	// consolePending: a (re)boot whose console lines are not yet written.
	consolePending bool
	bootID         string
	readyAt        time.Time // kubelet registers / turns Ready
	cniAt          time.Time // CNI agent ready, pods can run
	neverReady     bool
	registered     bool
	// nodeDeleted: someone deleted the Node while the instance ran; like a
	// real kubelet, the node comes back only after a restart.
	nodeDeleted bool
}

const podsByNodeIndex = "spec.nodeName"

// New creates a simulator; call Start before instances run.
func New(opts Options) *Simulator {
	s := &Simulator{
		client:  opts.Client,
		world:   opts.World,
		cluster: opts.Cluster,
		workers: opts.Workers,
		logf:    opts.Logf,
		now:     time.Now,
		records: map[string]*record{},
		byNode:  map[string]string{},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](10*time.Millisecond, 5*time.Second),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "sandbox-nodes"},
		),
		dsQueue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](10*time.Millisecond, 5*time.Second),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "sandbox-daemonset-status"},
		),
	}
	if s.workers <= 0 {
		s.workers = 16
	}
	if s.logf == nil {
		s.logf = log.Printf
	}
	return s
}

// Start syncs the informers, installs the CNI DaemonSet of the configured
// network and starts the workers. They run until Close.
func (s *Simulator) Start(ctx context.Context) error {
	// The workers and informers outlive the caller's ctx, which only bounds start-up.
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.factory = informers.NewSharedInformerFactory(s.client, 0)
	nodeInformer := s.factory.Core().V1().Nodes()
	podInformer := s.factory.Core().V1().Pods()
	dsInformer := s.factory.Apps().V1().DaemonSets()
	if err := podInformer.Informer().AddIndexers(cache.Indexers{podsByNodeIndex: func(obj any) ([]string, error) {
		pod, ok := obj.(*corev1.Pod)
		if !ok || pod.Spec.NodeName == "" {
			return nil, nil
		}
		return []string{pod.Spec.NodeName}, nil
	}}); err != nil {
		return fmt.Errorf("index pods by node: %w", err)
	}
	s.nodeLister = nodeInformer.Lister()
	s.podIndexer = podInformer.Informer().GetIndexer()
	s.dsLister = dsInformer.Lister()

	handlers := []struct {
		informer cache.SharedIndexInformer
		handler  cache.ResourceEventHandler
	}{
		{nodeInformer.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { s.enqueueNode(nameOf(obj)); s.enqueueAllDaemonSetStatus() },
			UpdateFunc: func(_, obj any) { s.enqueueNode(nameOf(obj)); s.enqueueAllDaemonSetStatus() },
			DeleteFunc: func(obj any) { s.nodeDeleted(nameOf(obj)); s.enqueueAllDaemonSetStatus() },
		}},
		{podInformer.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { s.enqueuePod(obj) },
			UpdateFunc: func(_, obj any) { s.enqueuePod(obj) },
			DeleteFunc: func(obj any) { s.enqueuePod(obj) },
		}},
		{dsInformer.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj any) { s.enqueueAll(); s.enqueueDaemonSetStatus(keyOf(obj)) },
			UpdateFunc: func(old, obj any) {
				// Our own status writes need no node re-evaluation.
				if o, n := old.(*appsv1.DaemonSet), obj.(*appsv1.DaemonSet); o.Generation != n.Generation {
					s.enqueueAll()
				}
				s.enqueueDaemonSetStatus(keyOf(obj))
			},
			DeleteFunc: func(any) { s.enqueueAll() },
		}},
	}
	for _, h := range handlers {
		if _, err := h.informer.AddEventHandler(h.handler); err != nil {
			return fmt.Errorf("watch for the node simulator: %w", err)
		}
	}
	s.factory.Start(runCtx.Done())
	for typ, ok := range s.factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("sync %v informer", typ)
		}
	}
	if err := s.SyncNetwork(ctx); err != nil {
		return err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for s.processNextDaemonSet(runCtx) {
		}
	}()
	for range s.workers {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for s.processNext(runCtx) {
			}
		}()
	}
	return nil
}

// Close stops the workers and informers. Nodes stay in the apiserver.
func (s *Simulator) Close() {
	if s.cancel != nil {
		s.cancel()
	}
	s.queue.ShutDown()
	s.dsQueue.ShutDown()
	s.wg.Wait()
	if s.factory != nil {
		s.factory.Shutdown()
	}
}

// InstanceChanged records a power transition and schedules the node's
// reaction; it never blocks on the apiserver.
func (s *Simulator) InstanceChanged(ev cloud.InstanceEvent) {
	id := ev.Instance.ID
	now := s.now()
	cfg := s.world.Config()
	s.mu.Lock()
	rec := s.records[id]
	if rec == nil {
		if ev.Kind != cloud.InstanceRunning {
			s.mu.Unlock()
			return
		}
		rec = &record{}
		s.records[id] = rec
		s.byNode[ev.Instance.PrivateDNSName] = id
	}
	rec.info = ev.Instance
	rec.power = ev.Kind
	if ev.Kind == cloud.InstanceRunning {
		firstBoot := !rec.booted
		latency := cfg.Latency.Start.D()
		if firstBoot {
			latency = cfg.Latency.Boot.D()
		}
		rec.consolePending = true
		rec.nodeDeleted = false
		rec.bootID = newBootID()
		rec.readyAt = now.Add(latency)
		rec.cniAt = rec.readyAt.Add(cfg.Latency.CNI.D())
		rec.neverReady = rec.neverReady || ev.Instance.NeverReady
	}
	s.mu.Unlock()
	s.queue.Add(id)
}

func (s *Simulator) processNext(ctx context.Context) bool {
	id, shutdown := s.queue.Get()
	if shutdown {
		return false
	}
	defer s.queue.Done(id)
	after, err := s.sync(ctx, id)
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		if !isConflict(err) {
			s.logf("sandbox nodes: instance %s: %v", id, err)
		}
		s.queue.AddRateLimited(id)
		return true
	}
	s.queue.Forget(id)
	if after > 0 {
		s.queue.AddAfter(id, after)
	}
	return true
}

// snapshot copies an instance's record so a sync works without the lock.
func (s *Simulator) snapshot(id string) *record {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[id]
	if !ok {
		return nil
	}
	c := *rec
	return &c
}

func (s *Simulator) update(id string, f func(*record)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.records[id]; ok {
		f(rec)
	}
}

func (s *Simulator) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.records[id]; ok {
		delete(s.byNode, rec.info.PrivateDNSName)
		delete(s.records, id)
	}
}

func (s *Simulator) enqueueNode(name string) {
	s.mu.Lock()
	id, ok := s.byNode[name]
	s.mu.Unlock()
	if ok {
		s.queue.Add(id)
	}
}

func (s *Simulator) nodeDeleted(name string) {
	s.mu.Lock()
	id, ok := s.byNode[name]
	if ok {
		rec := s.records[id]
		if rec.registered {
			rec.registered = false
			rec.nodeDeleted = true
		}
	}
	s.mu.Unlock()
	if ok {
		s.queue.Add(id)
	}
}

func (s *Simulator) enqueuePod(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	if pod, ok := obj.(*corev1.Pod); ok && pod.Spec.NodeName != "" {
		s.enqueueNode(pod.Spec.NodeName)
		s.enqueueDaemonSetStatus(daemonSetOwner(pod))
	}
}

// enqueueAll re-evaluates every joined node, after a DaemonSet changed.
func (s *Simulator) enqueueAll() {
	s.mu.Lock()
	ids := make([]string, 0, len(s.records))
	for id, rec := range s.records {
		if rec.registered {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	for _, id := range ids {
		s.queue.Add(id)
	}
}

func (s *Simulator) sync(ctx context.Context, id string) (time.Duration, error) {
	rec := s.snapshot(id)
	if rec == nil {
		return 0, nil
	}
	switch rec.power {
	case cloud.InstanceTerminated:
		return 0, s.syncTerminated(ctx, rec)
	case cloud.InstanceStopping:
		return 0, s.syncStopped(ctx, rec)
	default:
		return s.syncRunning(ctx, rec)
	}
}

// podsOnNode lists the pods bound to a node from the informer cache.
func (s *Simulator) podsOnNode(name string) []*corev1.Pod {
	objs, err := s.podIndexer.ByIndex(podsByNodeIndex, name)
	if err != nil {
		return nil
	}
	pods := make([]*corev1.Pod, 0, len(objs))
	for _, o := range objs {
		pods = append(pods, o.(*corev1.Pod))
	}
	return pods
}

func (s *Simulator) daemonSets() []*appsv1.DaemonSet {
	dss, err := s.dsLister.List(labels.Everything())
	if err != nil {
		return nil
	}
	return dss
}

func keyOf(obj any) string {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return ""
	}
	return key
}

func nameOf(obj any) string {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	if node, ok := obj.(*corev1.Node); ok {
		return node.Name
	}
	return ""
}

func newBootID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
