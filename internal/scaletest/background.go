package scaletest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
	"k8s.io/component-helpers/apimachinery/lease"
	"k8s.io/utils/clock"
)

// Background is the rest of a busy cluster: pods on nodes that belong to no
// pool, held by the real apiserver (and so in its watch cache, its etcd and
// every cluster-wide list), which a pool's operations must never read.
//
// The nodes have no kubelet and no instance: they are registered Ready and
// kept alive by the kubelet's own Lease controller
// (k8s.io/component-helpers/apimachinery/lease, as the sandbox's simulated
// kubelets and kwok's fake nodes do), so kube-controller-manager's node
// lifecycle controller and the sandbox's cloud controller leave them and
// their pods alone. The pods are bound by spec.nodeName (no scheduler) and
// given a Running, Ready status, as a kubelet would report. A NoSchedule
// taint keeps the scheduler and the DaemonSet controller from placing
// anything else on them; the pods tolerate every taint, so no eviction
// touches them either.
type Background struct {
	kube  kubernetes.Interface
	nodes []string
	pods  int

	stopLeases context.CancelFunc
	leases     sync.WaitGroup
}

const (
	// BackgroundNamespace holds the background pods.
	BackgroundNamespace = "stratos-background"
	// backgroundLabel marks the background nodes (and is their taint's key).
	backgroundLabel = "scaletest.stratos.sh/background"
	// backgroundPodsPerNode is about what a node of a busy cluster holds
	// (EKS's max-pods for an m5.large with prefix delegation is 110).
	backgroundPodsPerNode = 100
	// backgroundWorkers create objects in parallel, as many clients would.
	backgroundWorkers = 32
	nodeLeaseDuration = 40 * time.Second
)

// StartBackground registers ceil(pods/100) background nodes spread over
// zones and creates pods on them; kube should allow a high request rate.
// Close removes everything again.
func StartBackground(ctx context.Context, kube kubernetes.Interface, pods int, zones []string) (*Background, error) {
	if len(zones) == 0 {
		return nil, errors.New("background: no zones")
	}
	b := &Background{kube: kube, pods: pods}
	leaseCtx, stop := context.WithCancel(context.Background())
	b.stopLeases = stop
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: BackgroundNamespace}}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("background namespace: %w", err)
	}
	nodes := (pods + backgroundPodsPerNode - 1) / backgroundPodsPerNode
	for i := range nodes {
		b.nodes = append(b.nodes, fmt.Sprintf("background-%04d", i))
	}
	err := parallel(ctx, len(b.nodes), func(ctx context.Context, i int) error {
		node, err := kube.CoreV1().Nodes().Create(ctx, backgroundNode(b.nodes[i], zones[i%len(zones)]), metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("background node %s: %w", b.nodes[i], err)
		}
		b.heartbeat(leaseCtx, node)
		return nil
	})
	if err == nil {
		err = parallel(ctx, pods, func(ctx context.Context, i int) error {
			return b.createPod(ctx, i)
		})
	}
	if err != nil {
		return b, errors.Join(err, b.Close(context.WithoutCancel(ctx)))
	}
	return b, nil
}

// Pods is how many background pods there are.
func (b *Background) Pods() int { return b.pods }

// Nodes is how many background nodes there are.
func (b *Background) Nodes() int { return len(b.nodes) }

// heartbeat renews the node's Lease as its kubelet would: the Lease owned
// by the Node (so the garbage collector removes it with the Node), renewed
// every quarter of its duration.
func (b *Background) heartbeat(ctx context.Context, node *corev1.Node) {
	owner := func(l *coordinationv1.Lease) error {
		l.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}}
		return nil
	}
	c := lease.NewController(clock.RealClock{}, b.kube, node.Name, int32(nodeLeaseDuration/time.Second), nil,
		nodeLeaseDuration/4, node.Name, corev1.NamespaceNodeLease, owner)
	b.leases.Add(1)
	go func() {
		defer b.leases.Done()
		c.Run(ctx)
	}()
}

func (b *Background) createPod(ctx context.Context, i int) error {
	node := b.nodes[i/backgroundPodsPerNode]
	pod, err := b.kube.CoreV1().Pods(BackgroundNamespace).Create(ctx, backgroundPod(i, node), metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("background pod %d: %w", i, err)
	}
	// A pod's status is not taken on create: the kubelet reports it.
	now := metav1.Now()
	pod.Status = corev1.PodStatus{
		Phase:     corev1.PodRunning,
		HostIP:    "10.255.0.1",
		PodIP:     fmt.Sprintf("10.%d.%d.%d", 128+i>>16&0x3f, i>>8&0xff, i&0xff),
		StartTime: &now,
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
		},
		ContainerStatuses: []corev1.ContainerStatus{{
			Name: "app", Ready: true, Image: pod.Spec.Containers[0].Image, ImageID: pod.Spec.Containers[0].Image,
			ContainerID: fmt.Sprintf("containerd://%064x", i), Started: ptr(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		}},
		QOSClass: corev1.PodQOSBurstable,
	}
	if _, err := b.kube.CoreV1().Pods(BackgroundNamespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("background pod %d status: %w", i, err)
	}
	return nil
}

// Close stops the heartbeats and deletes the pods (at once: no kubelet
// would confirm a graceful deletion), the nodes (their Leases go with them)
// and the namespace.
func (b *Background) Close(ctx context.Context) error {
	b.stopLeases()
	b.leases.Wait()
	zero := int64(0)
	var errs []error
	// One collection per node, in parallel: the apiserver deletes a
	// collection item by item within one request's timeout (60 s), too
	// short for tens of thousands of pods at once.
	pods := b.kube.CoreV1().Pods(BackgroundNamespace)
	err := parallel(ctx, len(b.nodes), func(ctx context.Context, i int) error {
		return pods.DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero},
			metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.nodeName", b.nodes[i]).String()})
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("delete background pods: %w", err))
	}
	if err := b.kube.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: backgroundLabel}); err != nil {
		errs = append(errs, fmt.Errorf("delete background nodes: %w", err))
	}
	if err := b.kube.CoreV1().Namespaces().Delete(ctx, BackgroundNamespace, metav1.DeleteOptions{}); err != nil {
		errs = append(errs, fmt.Errorf("delete background namespace: %w", err))
	} else if err := b.waitNamespaceGone(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// waitNamespaceGone waits for the namespace controller to finish, so what
// is measured next does not share the apiserver with the clean-up.
func (b *Background) waitNamespaceGone(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for {
		_, err := b.kube.CoreV1().Namespaces().Get(ctx, BackgroundNamespace, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("background namespace not deleted: %w", context.Cause(ctx))
		case <-time.After(time.Second):
		}
	}
}

func backgroundNode(name, zone string) *corev1.Node {
	now := metav1.Now()
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("4"),
		corev1.ResourceMemory: resource.MustParse("16Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			backgroundLabel:                  "true",
			corev1.LabelHostname:             name,
			corev1.LabelTopologyZone:         zone,
			corev1.LabelInstanceTypeStable:   "m5.xlarge",
			corev1.LabelOSStable:             "linux",
			corev1.LabelArchStable:           "amd64",
			"node.kubernetes.io/lifecycle":   "background",
			"eks.amazonaws.com/compute-type": "ec2",
		}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: backgroundLabel, Value: "true", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{
			Capacity: capacity, Allocatable: capacity,
			Conditions: []corev1.NodeCondition{{
				Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
				LastHeartbeatTime: now, LastTransitionTime: now,
			}},
			NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "v1.32.0", OperatingSystem: "linux", Architecture: "amd64"},
		},
	}
}

// backgroundPod is a modest application pod: one container with requests,
// a port and a few labels, owned by nothing (no controller recreates it).
func backgroundPod(i int, node string) *corev1.Pod {
	app := fmt.Sprintf("app-%02d", i%50)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:   fmt.Sprintf("background-%05d", i),
			Labels: map[string]string{"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "background"},
		},
		Spec: corev1.PodSpec{
			NodeName:    node,
			Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
			Containers: []corev1.Container{{
				Name:  "app",
				Image: "public.ecr.aws/docker/library/nginx:1.27",
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				Env:   []corev1.EnvVar{{Name: "APP", Value: app}},
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("32Mi"),
				}},
			}},
		},
	}
}

// parallel runs fn for 0..n-1 on backgroundWorkers goroutines and returns
// the first error (the rest are cancelled).
func parallel(ctx context.Context, n int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(backgroundWorkers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return context.Cause(ctx)
}

func ptr[T any](v T) *T { return &v }
