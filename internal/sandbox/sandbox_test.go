package sandbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/kube"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

var sb *Sandbox

// One sandbox for the package; the tests use it through what a user gets:
// the env variables, the AWS SDK and client-go.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	var err error
	var logw io.Writer
	if path := os.Getenv("STRATOS_SANDBOX_LOG"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		logw = f
	}
	sb, err = Start(ctx, Options{Log: logw})
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "start sandbox: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	pids := sb.Pids()
	if err := sb.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "close sandbox: %v\n", err)
		code = 1
	}
	for _, pid := range pids {
		if kube.Alive(pid) {
			fmt.Fprintf(os.Stderr, "process %d survived Close\n", pid)
			code = 1
		}
	}
	os.Exit(code)
}

func need(t *testing.T) {
	if sb == nil {
		t.Skip("starts the whole sandbox (not in -short mode)")
	}
}

func TestEnvIsComplete(t *testing.T) {
	need(t)
	env := sb.Env()
	for _, k := range []string{
		"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_SSM",
		"AWS_ENDPOINT_URL_STS", "KUBE_CONFIG_PATH", "KUBECONFIG", "STRATOS_SANDBOX_URL", "STRATOS_SANDBOX_CLUSTER_NAME",
		"STRATOS_SANDBOX_CLUSTER_ENDPOINT", "STRATOS_SANDBOX_CLUSTER_CA", "STRATOS_SANDBOX_SERVICE_CIDR",
		"STRATOS_SANDBOX_SUBNET_IDS", "STRATOS_SANDBOX_SECURITY_GROUP_IDS",
	} {
		if env[k] == "" {
			t.Errorf("%s is empty", k)
		}
	}
	if env["AWS_REGION"] != "us-east-1" || env["STRATOS_SANDBOX_CLUSTER_NAME"] != "sandbox" || env["STRATOS_SANDBOX_SERVICE_CIDR"] != "172.20.0.0/16" {
		t.Errorf("env = %v", env)
	}
	if n := len(strings.Split(env["STRATOS_SANDBOX_SUBNET_IDS"], ",")); n != 3 {
		t.Errorf("%d subnets, want 3", n)
	}
	ca, err := base64.StdEncoding.DecodeString(env["STRATOS_SANDBOX_CLUSTER_CA"])
	if err != nil || !bytes.HasPrefix(ca, []byte("-----BEGIN CERTIFICATE-----")) {
		t.Errorf("STRATOS_SANDBOX_CLUSTER_CA is not base64 PEM: %v", err)
	}
	file := EnvFile(env)
	if !strings.Contains(file, "export AWS_REGION='us-east-1'\n") {
		t.Errorf("env file:\n%s", file)
	}

	// The kubeconfig reaches the apiserver.
	cfg, err := clientcmd.BuildConfigFromFlags("", env["KUBE_CONFIG_PATH"])
	if err != nil {
		t.Fatal(err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().Namespaces().Get(context.Background(), "kube-system", metav1.GetOptions{}); err != nil {
		t.Fatalf("kubeconfig does not reach the apiserver: %v", err)
	}
}

func TestStatsAndConfigRoundTrip(t *testing.T) {
	need(t)
	base := sb.URL()
	if code, _ := call(t, http.MethodGet, base+"/healthz", ""); code != http.StatusOK {
		t.Fatalf("healthz = %d", code)
	}
	if code, _ := call(t, http.MethodPost, base+"/stats/reset", ""); code != http.StatusOK {
		t.Fatalf("reset = %d", code)
	}
	ec2Client := ec2Client(t)
	for range 2 {
		if _, err := ec2Client.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{}); err != nil {
			t.Fatalf("DescribeSubnets: %v", err)
		}
	}
	var stats cloud.Stats
	_, body := call(t, http.MethodGet, base+"/stats", "")
	if err := json.Unmarshal(body, &stats); err != nil {
		t.Fatalf("decode stats %s: %v", body, err)
	}
	if stats.Calls["DescribeSubnets"] != 2 {
		t.Errorf("stats = %s, want DescribeSubnets: 2", body)
	}

	before := sb.World().Config()
	defer func() { _ = sb.World().SetConfig(before) }()
	code, body := call(t, http.MethodPut, base+"/config", `{"latency":{"boot":"5s"},"throttle_rate":0.25}`)
	if code != http.StatusOK {
		t.Fatalf("PUT /config = %d %s", code, body)
	}
	_, body = call(t, http.MethodGet, base+"/config", "")
	var got cloud.Config
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	want := before
	want.Latency.Boot = cloud.Duration(5 * time.Second)
	want.ThrottleRate = 0.25
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(got)
	if !bytes.Equal(wantJSON, gotJSON) {
		t.Errorf("config after partial PUT = %s, want %s", gotJSON, wantJSON)
	}
	for _, bad := range []string{`{"network":"flannel"}`, `{"latency":{"boot":"soon"}}`, `{"throttle":1}`} {
		if code, body := call(t, http.MethodPut, base+"/config", bad); code != http.StatusBadRequest {
			t.Errorf("PUT %s = %d %s, want 400", bad, code, body)
		}
	}
	if !equalJSON(sb.World().Config(), got) {
		t.Errorf("a rejected PUT changed the config")
	}
}

// An instance launched through the SDK becomes a Ready node: the world,
// the simulator and the apiserver are wired together.
func TestLaunchedInstanceJoins(t *testing.T) {
	need(t)
	ctx := context.Background()
	env := sb.Env()
	userData := fmt.Sprintf("[settings.kubernetes]\ncluster-name = %q\napi-server = %q\ncluster-certificate = %q\n",
		env["STRATOS_SANDBOX_CLUSTER_NAME"], env["STRATOS_SANDBOX_CLUSTER_ENDPOINT"], env["STRATOS_SANDBOX_CLUSTER_CA"])
	client := ec2Client(t)
	image, ok := sb.World().ImageID("aws-k8s-1.32", "x86_64")
	if !ok {
		t.Fatal("no aws-k8s-1.32 image")
	}
	out, err := client.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(image), InstanceType: ec2types.InstanceTypeM5Large,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(strings.Split(env["STRATOS_SANDBOX_SUBNET_IDS"], ",")[0]),
		UserData: aws.String(base64.StdEncoding.EncodeToString([]byte(userData))),
	})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	id := aws.ToString(out.Instances[0].InstanceId)
	deadline := time.Now().Add(60 * time.Second)
	for {
		nodes, err := sb.Kubernetes().CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes.Items {
			if strings.HasSuffix(n.Spec.ProviderID, "/"+id) && readyTrue(&n) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s has no Ready node after 60s", id)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func readyTrue(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func ec2Client(t *testing.T) *ec2.Client {
	env := sb.Env()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(env["AWS_REGION"]),
		config.WithCredentialsProvider(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: env["AWS_ACCESS_KEY_ID"], SecretAccessKey: env["AWS_SECRET_ACCESS_KEY"]}, nil
		})))
	if err != nil {
		t.Fatal(err)
	}
	return ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(env["AWS_ENDPOINT_URL_EC2"]) })
}

func call(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
