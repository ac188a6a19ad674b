package provider

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func configure(t *testing.T, m providerModel) *providerData {
	t.Helper()
	var diags diag.Diagnostics
	d := newProviderData(context.Background(), "test", m, &diags)
	if diags.HasError() {
		t.Fatalf("configure: %v", diags)
	}
	return d
}

func clearKubeEnv(t *testing.T) {
	for _, name := range []string{"KUBE_HOST", "KUBE_TOKEN", "KUBE_CLUSTER_CA_CERT_DATA", "KUBE_CLIENT_CERT_DATA",
		"KUBE_CLIENT_KEY_DATA", "KUBE_INSECURE", "KUBE_CONFIG_PATH", "KUBE_CONFIG_PATHS", "KUBE_CTX", "KUBERNETES_SERVICE_HOST"} {
		t.Setenv(name, "")
	}
}

func TestNewProviderData_kubernetesEnvironment(t *testing.T) {
	clearKubeEnv(t)
	t.Setenv("KUBE_HOST", "https://env.example:6443")
	t.Setenv("KUBE_TOKEN", "env-token")
	t.Setenv("KUBE_CLUSTER_CA_CERT_DATA", "env-ca")
	t.Setenv("KUBE_CLIENT_CERT_DATA", "env-cert")
	t.Setenv("KUBE_CLIENT_KEY_DATA", "env-key")
	t.Setenv("KUBE_INSECURE", "true")
	t.Setenv("KUBE_CONFIG_PATH", "/env/kubeconfig")
	t.Setenv("KUBE_CTX", "env-ctx")

	d := configure(t, providerModel{})
	want := kubeSettings{
		Host: "https://env.example:6443", Token: "env-token", ClusterCACertificate: "env-ca",
		ClientCertificate: "env-cert", ClientKey: "env-key", Insecure: true,
		ConfigPaths: []string{"/env/kubeconfig"}, ConfigContext: "env-ctx",
	}
	if fmt.Sprint(d.kube) != fmt.Sprint(want) {
		t.Errorf("settings from environment:\n got %+v\nwant %+v", d.kube, want)
	}

	// The block wins over the environment, attribute by attribute.
	d = configure(t, providerModel{Kubernetes: []kubernetesModel{{
		Host:     types.StringValue("https://block.example"),
		Insecure: types.BoolValue(false),
	}}})
	if d.kube.Host != "https://block.example" || d.kube.Insecure || d.kube.Token != "env-token" {
		t.Errorf("block over environment: got %+v", d.kube)
	}
}

func TestNewProviderData_kubeConfigPaths(t *testing.T) {
	clearKubeEnv(t)
	t.Setenv("KUBE_CONFIG_PATHS", strings.Join([]string{"/a/config", "/b/config"}, string(os.PathListSeparator)))
	d := configure(t, providerModel{})
	if fmt.Sprint(d.kube.ConfigPaths) != "[/a/config /b/config]" {
		t.Errorf("KUBE_CONFIG_PATHS: got %v", d.kube.ConfigPaths)
	}
	t.Setenv("KUBE_CONFIG_PATH", "/single")
	if d := configure(t, providerModel{}); fmt.Sprint(d.kube.ConfigPaths) != "[/single]" {
		t.Errorf("KUBE_CONFIG_PATH wins over KUBE_CONFIG_PATHS: got %v", d.kube.ConfigPaths)
	}
}

func TestNewProviderData_invalidKubeInsecure(t *testing.T) {
	clearKubeEnv(t)
	t.Setenv("KUBE_INSECURE", "sometimes")
	d := configure(t, providerModel{})
	_, _, err := d.Kubernetes(context.Background())
	if err == nil || err.Error() != `Kubernetes: KUBE_INSECURE="sometimes" is not a boolean` {
		t.Errorf("got %v", err)
	}
}

const testKubeconfig = `apiVersion: v1
kind: Config
current-context: first
clusters:
- name: one
  cluster: {server: "https://one.example:6443", insecure-skip-tls-verify: true}
- name: two
  cluster: {server: "https://two.example:6443", insecure-skip-tls-verify: true}
users:
- name: alice
  user: {token: alice-token}
- name: bob
  user: {token: bob-token}
contexts:
- name: first
  context: {cluster: one, user: alice}
- name: second
  context: {cluster: two, user: bob}
`

func writeKubeconfig(t *testing.T, content string) string {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRestConfig_kubeconfigAndContext(t *testing.T) {
	path := writeKubeconfig(t, testKubeconfig)
	cases := []struct {
		name      string
		settings  kubeSettings
		wantHost  string
		wantToken string
	}{
		{"current context", kubeSettings{ConfigPaths: []string{path}}, "https://one.example:6443", "alice-token"},
		{"config_context", kubeSettings{ConfigPaths: []string{path}, ConfigContext: "second"}, "https://two.example:6443", "bob-token"},
		{"token overrides the kubeconfig", kubeSettings{ConfigPaths: []string{path}, ConfigContext: "second", Token: "override"}, "https://two.example:6443", "override"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := restConfig(tc.settings, "test")
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Host != tc.wantHost || cfg.BearerToken != tc.wantToken {
				t.Errorf("got host %q token %q, want %q %q", cfg.Host, cfg.BearerToken, tc.wantHost, tc.wantToken)
			}
			if cfg.QPS != kubernetesQPS || cfg.Burst != kubernetesBurst {
				t.Errorf("QPS/Burst = %v/%d, want %v/%d", cfg.QPS, cfg.Burst, float32(kubernetesQPS), kubernetesBurst)
			}
		})
	}
}

func TestRestConfig_errors(t *testing.T) {
	clearKubeEnv(t)
	cases := map[string]struct {
		settings kubeSettings
		want     string
	}{
		"nothing configured": {kubeSettings{}, "Kubernetes: no cluster configured (set host or config_path"},
		"missing kubeconfig": {kubeSettings{ConfigPaths: []string{"/nonexistent/kubeconfig"}}, "/nonexistent/kubeconfig"},
		"unknown context":    {kubeSettings{ConfigPaths: []string{writeKubeconfig(t, testKubeconfig)}, ConfigContext: "third"}, `"third"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := restConfig(tc.settings, "test")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestRestConfig_execAndCertificates(t *testing.T) {
	pemCA := "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	cfg, err := restConfig(kubeSettings{
		Host:                 "https://h.example",
		ClusterCACertificate: base64.StdEncoding.EncodeToString([]byte(pemCA)),
		Exec: &execSettings{
			APIVersion: "client.authentication.k8s.io/v1beta1", Command: "aws",
			Args: []string{"eks", "get-token"}, Env: map[string]string{"B": "2", "A": "1"},
		},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.CAData) != pemCA {
		t.Errorf("base64 CA not decoded to PEM: %q", cfg.CAData)
	}
	if cfg.ExecProvider == nil || cfg.ExecProvider.Command != "aws" || len(cfg.ExecProvider.Env) != 2 || cfg.ExecProvider.Env[0].Name != "A" {
		t.Errorf("exec provider: %+v", cfg.ExecProvider)
	}
}

// fakeAPIServer answers /version over TLS, accepting one bearer token.
func fakeAPIServer(t *testing.T, token string) (*httptest.Server, *atomic.Int32, string) {
	var calls atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}`)
			return
		}
		fmt.Fprint(w, `{"major":"1","minor":"32","gitVersion":"v1.32.13"}`)
	}))
	t.Cleanup(srv.Close)
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	return srv, &calls, ca
}

func TestKubernetes_lazyAndChecked(t *testing.T) {
	clearKubeEnv(t)
	srv, calls, ca := fakeAPIServer(t, "good")
	d := configure(t, providerModel{Kubernetes: []kubernetesModel{{
		Host: types.StringValue(srv.URL), ClusterCACertificate: types.StringValue(ca), Token: types.StringValue("good"),
	}}})
	if calls.Load() != 0 {
		t.Fatalf("Configure called the API server %d times; clients must be lazy", calls.Load())
	}
	for range 2 {
		client, cfg, err := d.Kubernetes(context.Background())
		if err != nil || client == nil || cfg == nil {
			t.Fatalf("Kubernetes: %v", err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("API server calls = %d, want 1 (one credential check, then cached)", calls.Load())
	}
}

func TestKubernetes_rejectedToken(t *testing.T) {
	clearKubeEnv(t)
	srv, _, ca := fakeAPIServer(t, "good")
	d := configure(t, providerModel{Kubernetes: []kubernetesModel{{
		Host: types.StringValue(srv.URL), ClusterCACertificate: types.StringValue(ca), Token: types.StringValue("wrong"),
	}}})
	_, _, err := d.Kubernetes(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "Kubernetes credentials: rejected by "+srv.URL+" (401 Unauthorized)") {
		t.Fatalf("got %v", err)
	}
}

func TestKubernetes_unknownConfiguration(t *testing.T) {
	clearKubeEnv(t)
	d := configure(t, providerModel{Kubernetes: []kubernetesModel{{Host: types.StringUnknown()}}})
	if _, _, err := d.Kubernetes(context.Background()); !errors.Is(err, errProviderConfigUnknown) {
		t.Fatalf("got %v, want errProviderConfigUnknown", err)
	}
}

func TestAWS_configurationErrors(t *testing.T) {
	cases := map[string]struct {
		model providerModel
		env   map[string]string
		want  string
	}{
		"no region": {
			want: "AWS region: not set (set region in the provider block, AWS_REGION",
		},
		"profile not found": {
			model: providerModel{Region: types.StringValue("us-east-1"), Profile: types.StringValue("nope")},
			want:  `AWS profile "nope": not found in the shared config files`,
		},
		"no credentials": {
			model: providerModel{Region: types.StringValue("us-east-1")},
			want:  "AWS credentials: no credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the provider's profile",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			isolateAWSEnv(t)
			d := configure(t, tc.model)
			_, err := d.EC2(context.Background())
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant prefix %q", err, tc.want)
			}
			// The failure is remembered: later calls return it without retrying.
			if _, err2 := d.SSM(context.Background()); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("second call: got %v", err2)
			}
		})
	}
}

func TestAWS_environmentEndpointAndOneCredentialCheck(t *testing.T) {
	f := newFakeAWS(t)
	useFakeAWS(t, f)
	f.setParameter("/p", "v")
	d := configure(t, providerModel{})
	if f.count("GetCallerIdentity") != 0 {
		t.Fatal("Configure must not call AWS")
	}
	ctx := context.Background()
	client, err := d.SSM(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := client.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/p"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.EC2(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.count("GetCallerIdentity"); got != 1 {
		t.Errorf("GetCallerIdentity calls = %d, want 1", got)
	}
	if got := f.count("GetParameters"); got != 3 {
		t.Errorf("GetParameters calls = %d, want 3", got)
	}
	if region, err := d.Region(ctx); err != nil || region != "us-east-1" {
		t.Errorf("Region = %q, %v", region, err)
	}
}

func TestAWS_endpointsBlockOverridesEnvironment(t *testing.T) {
	fromEnv, fromBlock := newFakeAWS(t), newFakeAWS(t)
	useFakeAWS(t, fromEnv)
	fromBlock.setParameter("/p", "v")
	d := configure(t, providerModel{Endpoints: []endpointsModel{{
		SSM: types.StringValue(fromBlock.URL), STS: types.StringValue(fromBlock.URL),
	}}})
	ctx := context.Background()
	client, err := d.SSM(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/p"}}); err != nil {
		t.Fatal(err)
	}
	if fromBlock.count("GetParameters") != 1 || fromBlock.count("GetCallerIdentity") != 1 {
		t.Errorf("endpoints block: GetParameters %d, GetCallerIdentity %d; want 1 each", fromBlock.count("GetParameters"), fromBlock.count("GetCallerIdentity"))
	}
	if fromEnv.count("GetParameters")+fromEnv.count("GetCallerIdentity") != 0 {
		t.Errorf("the environment's endpoint was called")
	}
}

func TestAWS_skipCredentialsValidation(t *testing.T) {
	f := newFakeAWS(t)
	useFakeAWS(t, f)
	d := configure(t, providerModel{SkipCredentialsValidation: types.BoolValue(true)})
	if _, err := d.EC2(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.count("GetCallerIdentity"); got != 0 {
		t.Errorf("GetCallerIdentity calls = %d, want 0", got)
	}
}

func TestAWS_rejectedCredentials(t *testing.T) {
	f := newFakeAWS(t)
	useFakeAWS(t, f)
	f.stsError = "InvalidClientTokenId"
	d := configure(t, providerModel{})
	_, err := d.EC2(context.Background())
	want := "AWS credentials: rejected by STS GetCallerIdentity: InvalidClientTokenId: The security token included in the request is invalid."
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v\nwant prefix %q", err, want)
	}
}

func TestAWS_assumeRole(t *testing.T) {
	f := newFakeAWS(t)
	useFakeAWS(t, f)
	f.setParameter("/p", "v")
	d := configure(t, providerModel{AssumeRole: []assumeRoleModel{{
		RoleARN:     types.StringValue("arn:aws:iam::123456789012:role/stratos"),
		SessionName: types.StringValue("terraform"),
		ExternalID:  types.StringValue("ext-1"),
	}}})
	ctx := context.Background()
	client, err := d.SSM(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/p"}}); err != nil {
		t.Fatal(err)
	}
	assume, ok := f.lastRequest("AssumeRole")
	if !ok {
		t.Fatal("no AssumeRole call")
	}
	if assume.Form.Get("RoleArn") != "arn:aws:iam::123456789012:role/stratos" || assume.Form.Get("RoleSessionName") != "terraform" || assume.Form.Get("ExternalId") != "ext-1" {
		t.Errorf("AssumeRole form: %v", assume.Form)
	}
	get, _ := f.lastRequest("GetParameters")
	if !strings.Contains(get.Authorization, "Credential=ASIAASSUMED/") {
		t.Errorf("GetParameters not signed with the assumed role's credentials: %q", get.Authorization)
	}
}

func TestAWS_maxRetries(t *testing.T) {
	f := newFakeAWS(t)
	useFakeAWS(t, f)
	f.ssmStatus = http.StatusInternalServerError
	d := configure(t, providerModel{MaxRetries: types.Int64Value(2), SkipCredentialsValidation: types.BoolValue(true)})
	client, err := d.SSM(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetParameters(context.Background(), &ssm.GetParametersInput{Names: []string{"/p"}}); err == nil {
		t.Fatal("want an error")
	}
	if got := f.count("GetParameters"); got != 3 {
		t.Errorf("attempts = %d, want 3 (1 + max_retries 2)", got)
	}
}

func TestDefaultTags_areACopy(t *testing.T) {
	tags, _ := types.MapValue(types.StringType, map[string]attr.Value{"team": types.StringValue("platform")})
	d := configure(t, providerModel{DefaultTags: []defaultTagsModel{{Tags: tags}}})
	got := d.DefaultTags()
	got["team"] = "changed"
	if d.DefaultTags()["team"] != "platform" {
		t.Errorf("DefaultTags returned the provider's own map")
	}
}

func TestSetAWSConfigForTest(t *testing.T) {
	f := newFakeAWS(t)
	f.setParameter("/p", "v")
	d := configure(t, providerModel{})
	d.setAWSConfigForTest(aws.Config{
		Region:       "eu-west-1",
		Credentials:  aws.AnonymousCredentials{},
		BaseEndpoint: aws.String(f.URL),
	})
	client, err := d.SSM(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetParameters(context.Background(), &ssm.GetParametersInput{Names: []string{"/p"}}); err != nil {
		t.Fatal(err)
	}
	if f.count("GetParameters") != 1 || f.count("GetCallerIdentity") != 0 {
		t.Errorf("calls: %v", f.calls)
	}
}

func TestNewProviderData_sharedFilesExpandHome(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip(err)
	}
	files := types.ListValueMust(types.StringType, []attr.Value{types.StringValue("~/.aws/other-config")})
	d := configure(t, providerModel{SharedConfigFiles: files, SharedCredentialsFiles: files})
	want := filepath.Join(home, ".aws/other-config")
	if len(d.aws.SharedConfigFiles) != 1 || d.aws.SharedConfigFiles[0] != want || d.aws.SharedCredentialsFiles[0] != want {
		t.Errorf("got %v and %v, want %s", d.aws.SharedConfigFiles, d.aws.SharedCredentialsFiles, want)
	}
}

// A named profile from shared_config_files is used: its region and static
// credentials reach the SDK.
func TestAWS_profileFromSharedConfigFiles(t *testing.T) {
	f := newFakeAWS(t)
	useFakeAWS(t, f)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("[profile ci]\nregion = eu-central-1\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := configure(t, providerModel{
		Profile:           types.StringValue("ci"),
		SharedConfigFiles: types.ListValueMust(types.StringType, []attr.Value{types.StringValue(config)}),
	})
	ctx := context.Background()
	if region, err := d.Region(ctx); err != nil || region != "eu-central-1" {
		t.Fatalf("Region = %q, %v", region, err)
	}
	if _, err := d.EC2(ctx); err != nil {
		t.Fatal(err)
	}
	if r, ok := f.lastRequest("GetCallerIdentity"); !ok || !strings.Contains(r.Authorization, "Credential=AKIAPROFILE/") {
		t.Errorf("GetCallerIdentity not signed with the profile's key: %+v", r)
	}
}

// Adaptive mode: throttling slows the client down instead of failing the
// apply; the attempt budget is max_retries + 1.
func TestLoadAWSConfig_adaptiveRetries(t *testing.T) {
	isolateAWSEnv(t)
	cfg, err := loadAWSConfig(context.Background(), awsSettings{Region: "us-east-1"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	retryer, ok := cfg.Retryer().(*retry.AdaptiveMode)
	if !ok {
		t.Fatalf("retryer is %T, want *retry.AdaptiveMode", cfg.Retryer())
	}
	if got := retryer.MaxAttempts(); got != defaultMaxRetries+1 {
		t.Errorf("MaxAttempts = %d, want %d", got, defaultMaxRetries+1)
	}
	two := 2
	cfg, err = loadAWSConfig(context.Background(), awsSettings{Region: "us-east-1", MaxRetries: &two}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RetryMaxAttempts != 3 {
		t.Errorf("RetryMaxAttempts = %d, want 3", cfg.RetryMaxAttempts)
	}
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
