package warmpool_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/stratos-sh/terraform-provider-stratos/internal/awshttp"
	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// BenchmarkScaleUp measures, in the sandbox, the time from the start of a
// converge (what terraform apply runs) to N schedulable nodes: started from
// standby, or launched cold into a pool with no standby. Before the
// converge, a Deployment of N pods that only the pool's nodes take (node
// selector on the pool's label), one per node, waits Pending; the real kube-scheduler binds
// them once the nodes are schedulable and the simulated kubelets run them.
// ns/op is the whole converge, refilling standby included. It reports
//
//	s-to-schedulable   start of the converge → the last node schedulable
//	s-to-pods-bound    start of the converge → the last of the N pods bound
//	                   by kube-scheduler (PodScheduled=True)
//	s-to-pods-running  start of the converge → the last of the N pods Running
//	s-noop             a converge with nothing to do, in the same run
//	s-sandbox          the sandbox's own latency for that path: start,
//	                   node Ready again, CNI; cold: launch, boot, CNI
//	s-overhead         s-to-schedulable − s-noop − s-sandbox: what the
//	                   provider adds
//
// Run: STRATOS_SANDBOX=1 go test ./internal/warmpool/ -run '^$' -bench ScaleUp -benchtime 1x
// (STRATOS_BENCH_SCALEUP_SIZES=1,10 limits the sizes).
func BenchmarkScaleUp(b *testing.B) {
	client := sandboxtest.Get(b).Kubernetes()
	// The latencies make bench uses for a real launch; a start is faster.
	cfg := sandboxtest.Configure(b, `{"latency": {"launch": "2s", "boot": "5s", "cni": "2s", "stop": "3s", "start": "1s", "terminate": "1s"}}`)
	lat := cfg.Latency
	for _, from := range []string{"standby", "cold"} {
		for _, n := range scaleUpSizes(b) {
			b.Run(fmt.Sprintf("from=%s/n=%d", from, n), func(b *testing.B) {
				// The sandbox's start takes Start to reach running and Start
				// again until the kubelet reports Ready, then CNI.
				sandbox := 2*lat.Start.D() + lat.CNI.D()
				if from == "cold" {
					// Launched, verified and served without a stop.
					sandbox = lat.Launch.D() + lat.Boot.D() + lat.CNI.D()
				}
				var toSchedulable, toBound, toRunning, noop time.Duration
				for k := range b.N {
					b.StopTimer()
					name := fmt.Sprintf("bench-%s-%d-%d", from, n, k)
					engine, pool := benchPool(b, name)
					if from == "standby" {
						pool.Size = n
						mustConverge(b, engine, pool)
					}
					pods := watchPendingWorkload(b, client, pool, n)
					running := n
					pool.Running = &running
					start := time.Now()
					b.StartTimer()
					res := mustConverge(b, engine, pool)
					b.StopTimer()
					if res.ServedAt.IsZero() || res.Started+res.Served != n {
						b.Fatalf("started %d and served %d launched, want %d", res.Started, res.Served, n)
					}
					toSchedulable += res.ServedAt.Sub(start)
					bound, run := pods.wait(b)
					toBound += bound.Sub(start)
					toRunning += run.Sub(start)
					start = time.Now()
					mustConverge(b, engine, pool)
					noop += time.Since(start)
					if err := engine.Destroy(context.Background(), pool.ID(), nil); err != nil {
						b.Fatal(err)
					}
				}
				per := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
				b.ReportMetric(per(toSchedulable), "s-to-schedulable")
				b.ReportMetric(per(toBound), "s-to-pods-bound")
				b.ReportMetric(per(toRunning), "s-to-pods-running")
				b.ReportMetric(per(noop), "s-noop")
				b.ReportMetric(sandbox.Seconds(), "s-sandbox")
				b.ReportMetric(per(toSchedulable)-per(noop)-sandbox.Seconds(), "s-overhead")
			})
		}
	}
}

// scaleUpSizes are the benchmark's pool sizes: 1, 10 and 100, or those of
// STRATOS_BENCH_SCALEUP_SIZES (comma-separated) to iterate on fewer.
func scaleUpSizes(b *testing.B) []int {
	env := os.Getenv("STRATOS_BENCH_SCALEUP_SIZES")
	if env == "" {
		return []int{1, 10, 100}
	}
	var sizes []int
	for _, field := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			b.Fatalf("STRATOS_BENCH_SCALEUP_SIZES=%q: %q is not a pool size", env, field)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// workloadLanding records when the pods of a workload waiting for a pool
// were first all bound by the scheduler, and first all Running.
type workloadLanding struct {
	want int
	pods cache.SharedIndexInformer
	stop chan struct{}

	mu             sync.Mutex
	bound, running time.Time
}

// watchPendingWorkload creates a Deployment of n pods that only the pool's
// nodes take (its label as node selector; the bench pool has no taints of
// its own, and the warmup and standby taints must keep them off), one per
// node, and returns once the replica set controller has created all n,
// Pending.
func watchPendingWorkload(b *testing.B, client kubernetes.Interface, pool warmpool.Pool, n int) *workloadLanding {
	app := "load-" + pool.Name
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace("default"),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = "app=" + app }))
	w := &workloadLanding{want: n, pods: factory.Core().V1().Pods().Informer(), stop: make(chan struct{})}
	if _, err := w.pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { w.observe() },
		UpdateFunc: func(any, any) { w.observe() },
	}); err != nil {
		b.Fatal(err)
	}
	factory.Start(w.stop)
	b.Cleanup(func() { close(w.stop); factory.Shutdown() })
	factory.WaitForCacheSync(w.stop)
	createDeployment(b, client, app, int32(n), corev1.PodSpec{
		NodeSelector: map[string]string{keys.Pool: pool.Name},
		// One pod per node, as capacity that was scaled up for: N pods
		// wait for all N nodes, not for the first one to take them all.
		Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}},
				TopologyKey:   corev1.LabelHostname,
			}},
		}},
		Containers: []corev1.Container{{Name: "work", Image: "public.ecr.aws/docker/library/busybox:1.36"}},
	})
	deadline := time.Now().Add(2 * time.Minute)
	for len(w.pods.GetStore().List()) < n {
		if time.Now().After(deadline) {
			b.Fatalf("deployment %s: %d of %d pods created", app, len(w.pods.GetStore().List()), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return w
}

func (w *workloadLanding) observe() {
	var bound, running int
	for _, obj := range w.pods.GetStore().List() {
		p := obj.(*corev1.Pod)
		if podCondition(p, corev1.PodScheduled) == corev1.ConditionTrue {
			bound++
		}
		if p.Status.Phase == corev1.PodRunning {
			running++
		}
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if bound >= w.want && w.bound.IsZero() {
		w.bound = now
	}
	if running >= w.want && w.running.IsZero() {
		w.running = now
	}
}

// wait returns when all the pods were first bound and first Running.
func (w *workloadLanding) wait(b *testing.B) (bound, running time.Time) {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		w.mu.Lock()
		bound, running = w.bound, w.running
		w.mu.Unlock()
		if !running.IsZero() && !bound.IsZero() {
			return bound, running
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d pods: not all bound (%v) and running (%v) after 5 minutes", w.want, bound, running)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mustConverge(b *testing.B, engine *warmpool.Engine, pool warmpool.Pool) *warmpool.Result {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res, err := engine.Converge(ctx, pool)
	if err != nil {
		b.Fatalf("converge %s: %v", pool.Name, err)
	}
	return res
}

// benchPool is a pool of the sandbox cluster with a launch template of its
// own, polling as the provider does by default.
func benchPool(b *testing.B, name string) (*warmpool.Engine, warmpool.Pool) {
	ctx := context.Background()
	sb := sandboxtest.Get(b)
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cfg.HTTPClient = awshttp.Wrap(cfg.HTTPClient)
	client := ec2.NewFromConfig(cfg)
	images, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{
		Filters: []ec2types.Filter{{Name: aws.String("name"), Values: []string{"bottlerocket-aws-k8s-1.32-x86_64-*"}}},
	})
	if err != nil || len(images.Images) == 0 {
		b.Fatalf("no sandbox image: %v", err)
	}
	tmpl := fmt.Sprintf("%s-%d", name, os.Getpid())
	lt, err := client.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String(tmpl),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: images.Images[0].ImageId, InstanceType: ec2types.InstanceTypeM5Large},
	})
	if err != nil {
		b.Fatal(err)
	}
	subnets, err := client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:stratos.sh/discovery"), Values: []string{"sandbox"}}},
	})
	if err != nil {
		b.Fatal(err)
	}
	pool := warmpool.Pool{
		Name: name, Cluster: "sandbox",
		Launch: warmpool.LaunchSpec{LaunchTemplateID: aws.ToString(lt.LaunchTemplate.LaunchTemplateId), Version: 1, NodeClass: tmpl, InstanceTypes: []string{"m5.large"}},
		Warmup: warmpool.WarmupSpec{Timeout: 5 * time.Minute, TimeoutAction: warmpool.TimeoutTerminate, Network: warmpool.NetworkAuto, WaitForDaemonSets: true},
	}
	for _, s := range subnets.Subnets {
		pool.Launch.Subnets = append(pool.Launch.Subnets, nodeclass.Subnet{ID: aws.ToString(s.SubnetId), AvailabilityZone: aws.ToString(s.AvailabilityZone)})
	}
	nc := nodeclass.Info{Name: tmpl, LaunchTemplateID: pool.Launch.LaunchTemplateID, Version: 1, TOML: benchTOML(b)}
	pool.Launch.ConfigHash = warmpool.PoolConfigHash(nc.Name, 1, nil, nil)
	doc, problems := warmpool.PoolUserData(pool, nc)
	if doc == nil {
		b.Fatalf("pool user data: %+v", problems)
	}
	pool.Launch.UserData = warmpool.EncodeUserData(doc)
	engine := &warmpool.Engine{EC2: client, Kube: sb.Kubernetes()}
	return engine, pool
}

// benchTOML is the sandbox cluster's node class user data.
func benchTOML(b *testing.B) string {
	doc, problems := bottlerocket.Render(bottlerocket.Input{
		ClusterName:        "sandbox",
		APIServer:          os.Getenv("STRATOS_SANDBOX_CLUSTER_ENDPOINT"),
		ClusterCertificate: os.Getenv("STRATOS_SANDBOX_CLUSTER_CA"),
		ServiceCIDR:        os.Getenv("STRATOS_SANDBOX_SERVICE_CIDR"),
		Strict:             true,
	})
	if doc == nil {
		b.Fatalf("render: %+v", problems)
	}
	return doc.TOML
}
