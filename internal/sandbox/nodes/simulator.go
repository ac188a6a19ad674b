// Package nodes simulates the Bottlerocket nodes of the sandbox: for each
// instance the simulated AWS world runs, it reads the user data as
// Bottlerocket would, registers a Node with the real kube-apiserver and
// plays the kubelet (registration, Lease heartbeats, status, the pods bound
// to the node) and the CNI agent, plus EKS's cloud controller
// (cloudcontroller.go). Everything else a cluster does with nodes and pods
// (node lifecycle, DaemonSets, scheduling, eviction, pod garbage
// collection) is the real kube-controller-manager's and kube-scheduler's
// (package kube).
//
// It is level-based and cheap at scale: every instance is a key in one
// rate-limited work queue, timers are the queue's delayed adds (one
// scheduler goroutine, not one per node), state comes from one informer per
// kind, and the apiserver is written only on transitions. Only the Lease
// heartbeats run one timer per node, in the kubelet's own lease controller.
//
// Why not kwok (sigs.k8s.io/kwok), the field's simulator of nodes at
// scale: kwok keeps Node objects someone else created alive and plays the
// pods bound to them through configurable stages; here a Node has to come
// from an EC2 instance's boot (the user data read as Bottlerocket reads
// it, with its labels, taints, boot failures and console output), go
// silent when the instance stops, re-register when it starts and vanish
// when it terminates, which is the instance-driven part kwok does not have.
// Where kwok and this package do the same thing they do it the same way:
// the heartbeat is the kubelet's own lease controller (as kwok's node lease
// controller), and pods bound to a node are reported Running and Ready
// once its network is up (as kwok's default pod stages).
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
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
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
	// NodeLeaseDuration is the kubelets' nodeLeaseDurationSeconds; they
	// renew every quarter of it. 0 means DefaultNodeLeaseDuration; keep it
	// at most the controller manager's node-monitor grace period.
	NodeLeaseDuration time.Duration
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

	leaseDuration time.Duration
	runCtx        context.Context

	factory    informers.SharedInformerFactory
	nodeLister corelisters.NodeLister
	podIndexer cache.Indexer
	queue      workqueue.TypedRateLimitingInterface[string] // instance ids
	cloudQueue workqueue.TypedRateLimitingInterface[string] // node names, for the cloud controller

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
	// stopHeartbeat stops the node's Lease renewals; nil when none run.
	stopHeartbeat func()
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
		cloudQueue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](10*time.Millisecond, 5*time.Second),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "sandbox-cloud-controller"},
		),
		leaseDuration: opts.NodeLeaseDuration,
	}
	if s.leaseDuration <= 0 {
		s.leaseDuration = DefaultNodeLeaseDuration
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
	s.mu.Lock()
	s.runCtx, s.cancel = runCtx, cancel
	s.mu.Unlock()
	s.factory = informers.NewSharedInformerFactory(s.client, 0)
	nodeInformer := s.factory.Core().V1().Nodes()
	podInformer := s.factory.Core().V1().Pods()
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

	handlers := []struct {
		informer cache.SharedIndexInformer
		handler  cache.ResourceEventHandler
	}{
		{nodeInformer.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { s.enqueueNode(nameOf(obj)); s.cloudQueue.Add(nameOf(obj)) },
			UpdateFunc: func(_, obj any) { s.enqueueNode(nameOf(obj)); s.cloudQueue.Add(nameOf(obj)) },
			DeleteFunc: func(obj any) { s.nodeDeleted(nameOf(obj)) },
		}},
		{podInformer.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { s.enqueuePod(obj) },
			UpdateFunc: func(_, obj any) { s.enqueuePod(obj) },
			DeleteFunc: func(obj any) { s.enqueuePod(obj) },
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
		s.runCloudNodeMonitor(runCtx)
	}()
	// The cloud controller's node workers (cloud-controller-manager's
	// --concurrent-node-syncs defaults to 1; more here, because a
	// thousand nodes join the sandbox within seconds).
	for range cloudNodeWorkers {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for s.processNextCloudNode(runCtx) {
			}
		}()
	}
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
	s.cloudQueue.ShutDown()
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
	if ev.Kind != cloud.InstanceRunning && rec.stopHeartbeat != nil {
		// The kubelet falls silent at once; the stop itself waits, so it
		// runs outside the lock.
		stop := rec.stopHeartbeat
		rec.stopHeartbeat = nil
		defer stop()
	}
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
	}
}

func (s *Simulator) sync(ctx context.Context, id string) (time.Duration, error) {
	rec := s.snapshot(id)
	if rec == nil {
		return 0, nil
	}
	switch rec.power {
	case cloud.InstanceTerminated:
		s.syncTerminated(rec)
		return 0, nil
	case cloud.InstanceStopping:
		s.syncStopped(rec)
		return 0, nil
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
