package nodeclass_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/stratos-sh/terraform-provider-stratos/internal/awshttp"
	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// ncCloud is the sandbox's simulated AWS account served over HTTP to an
// unmodified SDK client: node class tests need EC2 only, not the cluster.
type ncCloud struct {
	world *cloud.World
	ec2   *ec2.Client
	calls *callCounter
	// api is ec2 with every call counted.
	api nodeclass.LaunchTemplateAPI
}

func newNCCloud(t *testing.T) *ncCloud {
	t.Helper()
	w := cloud.NewWorld(cloud.Options{Region: "us-east-1", Seed: 7})
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(func() {
		srv.Close()
		w.Close()
	})
	ec2URL, _, _ := w.Endpoints(srv.URL)
	client := ec2.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		HTTPClient:  awshttp.Wrap(&http.Client{Transport: &http.Transport{}}),
		Credentials: credentials.NewStaticCredentialsProvider("AKIASANDBOX", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 5 * time.Millisecond })
		},
	}, func(o *ec2.Options) { o.BaseEndpoint = aws.String(ec2URL) })
	calls := &callCounter{n: map[string]int{}}
	return &ncCloud{world: w, ec2: client, calls: calls, api: countingAPI{LaunchTemplateAPI: client, calls: calls}}
}

type callCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *callCounter) add(op string) {
	c.mu.Lock()
	c.n[op]++
	c.mu.Unlock()
}

func (c *callCounter) get(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

func (c *callCounter) reset() {
	c.mu.Lock()
	c.n = map[string]int{}
	c.mu.Unlock()
}

type countingAPI struct {
	nodeclass.LaunchTemplateAPI
	calls *callCounter
}

func (a countingAPI) DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, o ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	a.calls.add("DescribeSubnets")
	return a.LaunchTemplateAPI.DescribeSubnets(ctx, in, o...)
}

func (a countingAPI) CreateLaunchTemplateVersion(ctx context.Context, in *ec2.CreateLaunchTemplateVersionInput, o ...func(*ec2.Options)) (*ec2.CreateLaunchTemplateVersionOutput, error) {
	a.calls.add("CreateLaunchTemplateVersion")
	return a.LaunchTemplateAPI.CreateLaunchTemplateVersion(ctx, in, o...)
}

func (a countingAPI) CreateTags(ctx context.Context, in *ec2.CreateTagsInput, o ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	a.calls.add("CreateTags")
	return a.LaunchTemplateAPI.CreateTags(ctx, in, o...)
}

func (a countingAPI) DeleteTags(ctx context.Context, in *ec2.DeleteTagsInput, o ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error) {
	a.calls.add("DeleteTags")
	return a.LaunchTemplateAPI.DeleteTags(ctx, in, o...)
}

func (c *ncCloud) image(t *testing.T, variant, arch string) string {
	t.Helper()
	id, ok := c.world.ImageID(variant, arch)
	if !ok {
		t.Fatalf("sandbox has no %s %s image", variant, arch)
	}
	return id
}

// nodeClass is a complete node class on the simulated account.
func (c *ncCloud) nodeClass(t *testing.T, name string) nodeclass.Spec {
	t.Helper()
	maxPods := int64(58)
	doc := renderUserData(t, bottlerocket.Input{
		ClusterName: "sandbox", APIServer: "https://sandbox.example.com",
		ClusterCertificate: "Y2VydA==", ServiceCIDR: "172.20.0.0/16",
		MaxPods: &maxPods, Strict: true, Compression: bottlerocket.CompressionAuto,
	})
	return nodeclass.Spec{
		Name:                name,
		ClusterName:         "sandbox",
		AMIID:               c.image(t, "aws-k8s-1.32", "x86_64"),
		InstanceTypes:       []string{"m5.large", "m6i.large"},
		SubnetIDs:           c.world.SubnetIDs()[:2],
		SecurityGroupIDs:    c.world.SecurityGroupIDs(),
		IAMInstanceProfile:  "stratos-nodes",
		BlockDeviceMappings: nodeclass.DefaultBlockDeviceMappings(),
		MetadataOptions:     nodeclass.DefaultMetadataOptions(),
		Tags:                map[string]string{"team": "platform"},
		UserData:            doc.Bytes,
		TOML:                doc.TOML,
		Compression:         "auto",
	}
}

func renderUserData(t *testing.T, in bottlerocket.Input) *bottlerocket.Document {
	t.Helper()
	doc, problems := bottlerocket.Render(in)
	for _, p := range problems {
		if p.Severity == bottlerocket.SeverityError {
			t.Fatalf("render user data: %s: %s", p.Summary, p.Detail)
		}
	}
	return doc
}
