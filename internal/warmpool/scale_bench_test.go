package warmpool_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/awshttp"
	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// BenchmarkScaleUp measures, in the sandbox, the time from the start of a
// converge (what terraform apply runs) to N schedulable nodes: started from
// standby, or launched cold into a pool with no standby. ns/op is
// the whole converge, refilling standby included. It reports
//
//	s-to-schedulable   start of the converge → the last node schedulable
//	s-noop             a converge with nothing to do, in the same run
//	s-sandbox          the sandbox's own latency for that path: start,
//	                   node Ready again, CNI; cold: launch, boot, CNI
//	s-overhead         s-to-schedulable − s-noop − s-sandbox: what the
//	                   provider adds
//
// Run: STRATOS_SANDBOX=1 go test ./internal/warmpool/ -run '^$' -bench ScaleUp -benchtime 1x
func BenchmarkScaleUp(b *testing.B) {
	sandboxtest.Get(b)
	// The latencies make bench uses for a real launch; a start is faster.
	cfg := sandboxtest.Configure(b, `{"latency": {"launch": "2s", "boot": "5s", "cni": "2s", "stop": "3s", "start": "1s", "terminate": "1s"}}`)
	lat := cfg.Latency
	for _, from := range []string{"standby", "cold"} {
		for _, n := range []int{1, 10, 100} {
			b.Run(fmt.Sprintf("from=%s/n=%d", from, n), func(b *testing.B) {
				// The sandbox's start takes Start to reach running and Start
				// again until the kubelet reports Ready, then CNI.
				sandbox := 2*lat.Start.D() + lat.CNI.D()
				if from == "cold" {
					// Launched, verified and served without a stop.
					sandbox = lat.Launch.D() + lat.Boot.D() + lat.CNI.D()
				}
				var toSchedulable, noop time.Duration
				for k := range b.N {
					b.StopTimer()
					engine, pool := benchPool(b, fmt.Sprintf("bench-%s-%d-%d", from, n, k))
					if from == "standby" {
						pool.Size = n
						mustConverge(b, engine, pool)
					}
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
					start = time.Now()
					mustConverge(b, engine, pool)
					noop += time.Since(start)
					if err := engine.Destroy(context.Background(), pool.ID(), nil); err != nil {
						b.Fatal(err)
					}
				}
				per := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
				b.ReportMetric(per(toSchedulable), "s-to-schedulable")
				b.ReportMetric(per(noop), "s-noop")
				b.ReportMetric(sandbox.Seconds(), "s-sandbox")
				b.ReportMetric(per(toSchedulable)-per(noop)-sandbox.Seconds(), "s-overhead")
			})
		}
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
