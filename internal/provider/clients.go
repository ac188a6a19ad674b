package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/stratos-sh/terraform-provider-stratos/internal/awshttp"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// errProviderConfigUnknown is returned by the client getters while the
// provider block depends on values Terraform only knows after apply (a
// cluster endpoint from a resource created in the same run). Plan-time
// callers can test for it with errors.Is and skip what needs the client.
var errProviderConfigUnknown = errors.New("the provider configuration depends on values not known until apply")

// providerData is what Configure hands to resources and data sources. It
// holds the resolved settings and creates the AWS and Kubernetes clients the
// first time they are asked for, so that a configuration that only renders
// user data needs neither credentials nor a cluster. A failure is remembered:
// one provider process reports one error, not one per resource.
type providerData struct {
	version     string
	aws         awsSettings
	kube        kubeSettings
	defaultTags map[string]string
	awsUnknown  bool
	kubeUnknown bool

	awsMu      sync.Mutex
	awsLoaded  bool
	awsCfg     aws.Config
	awsCfgErr  error
	credsDone  bool
	credsErr   error
	ec2Client  *ec2.Client
	ssmClient  *ssm.Client
	kubeMu     sync.Mutex
	kubeDone   bool
	kubeClient kubernetes.Interface
	kubeConfig *rest.Config
	kubeErr    error
	// informers are the cluster caches every pool of this process shares.
	informers *warmpool.Informers
}

func (d *providerData) userAgent() string {
	return "terraform-provider-stratos/" + d.version
}

// awsConfig loads the SDK configuration once; it needs no credentials.
func (d *providerData) awsConfig(ctx context.Context) (aws.Config, error) {
	if d.awsUnknown {
		return aws.Config{}, fmt.Errorf("AWS: %w", errProviderConfigUnknown)
	}
	if !d.awsLoaded {
		d.awsCfg, d.awsCfgErr = loadAWSConfig(ctx, d.aws, d.userAgent())
		d.awsLoaded = true
	}
	return d.awsCfg, d.awsCfgErr
}

// awsReady returns a configuration whose credentials have been checked.
func (d *providerData) awsReady(ctx context.Context) (aws.Config, error) {
	cfg, err := d.awsConfig(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	if !d.credsDone {
		if cfg.Credentials == nil {
			d.credsErr = credentialsError(d.aws, errors.New("no credential provider"))
		} else {
			d.credsErr = checkAWSCredentials(ctx, cfg, d.aws)
		}
		d.credsDone = true
	}
	return cfg, d.credsErr
}

// EC2 returns the EC2 client, creating it (and checking the credentials) on
// first use.
func (d *providerData) EC2(ctx context.Context) (*ec2.Client, error) {
	d.awsMu.Lock()
	defer d.awsMu.Unlock()
	if d.ec2Client != nil {
		return d.ec2Client, nil
	}
	cfg, err := d.awsReady(ctx)
	if err != nil {
		return nil, err
	}
	endpoint := d.aws.Endpoints.EC2
	d.ec2Client = ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		o.HTTPClient = awshttp.Wrap(o.HTTPClient)
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return d.ec2Client, nil
}

// SSM returns the SSM client, creating it (and checking the credentials) on
// first use.
func (d *providerData) SSM(ctx context.Context) (*ssm.Client, error) {
	d.awsMu.Lock()
	defer d.awsMu.Unlock()
	if d.ssmClient != nil {
		return d.ssmClient, nil
	}
	cfg, err := d.awsReady(ctx)
	if err != nil {
		return nil, err
	}
	endpoint := d.aws.Endpoints.SSM
	d.ssmClient = ssm.NewFromConfig(cfg, func(o *ssm.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return d.ssmClient, nil
}

// Region is the AWS region the clients use. It reads configuration only:
// no credentials are needed.
func (d *providerData) Region(ctx context.Context) (string, error) {
	d.awsMu.Lock()
	defer d.awsMu.Unlock()
	cfg, err := d.awsConfig(ctx)
	if err != nil {
		return "", err
	}
	return cfg.Region, nil
}

// Kubernetes returns the clientset and its rest.Config (for informers and
// dynamic clients), creating them and checking that the API server accepts
// the credentials on first use.
func (d *providerData) Kubernetes(ctx context.Context) (kubernetes.Interface, *rest.Config, error) {
	d.kubeMu.Lock()
	defer d.kubeMu.Unlock()
	if d.kubeUnknown {
		return nil, nil, fmt.Errorf("Kubernetes: %w", errProviderConfigUnknown)
	}
	if !d.kubeDone {
		d.kubeConfig, d.kubeErr = restConfig(d.kube, d.userAgent())
		if d.kubeErr == nil {
			d.kubeClient, d.kubeErr = newKubernetesClient(ctx, d.kubeConfig)
		}
		if d.kubeErr == nil {
			d.informers = warmpool.NewInformers(d.kubeClient)
		}
		d.kubeDone = true
	}
	if d.kubeErr != nil {
		return nil, nil, d.kubeErr
	}
	return d.kubeClient, d.kubeConfig, nil
}

// Informers are the cluster caches shared by the pools of this process
// (Terraform applies up to ten at once); nil before Kubernetes succeeded.
func (d *providerData) Informers() *warmpool.Informers {
	d.kubeMu.Lock()
	defer d.kubeMu.Unlock()
	return d.informers
}

// DefaultTags are the provider's default_tags; callers may modify the copy.
func (d *providerData) DefaultTags() map[string]string {
	return maps.Clone(d.defaultTags)
}

// setKubernetesForTest makes Kubernetes return client and cfg without
// building anything (e.g. a fake clientset).
func (d *providerData) setKubernetesForTest(client kubernetes.Interface, cfg *rest.Config) {
	d.kubeMu.Lock()
	defer d.kubeMu.Unlock()
	d.kubeClient, d.kubeConfig, d.kubeErr, d.kubeDone, d.kubeUnknown = client, cfg, nil, true, false
	d.informers = warmpool.NewInformers(client)
}

// setAWSConfigForTest makes the AWS getters use cfg as if loaded from the
// environment, with credentials already checked.
func (d *providerData) setAWSConfigForTest(cfg aws.Config) {
	d.awsMu.Lock()
	defer d.awsMu.Unlock()
	d.awsCfg, d.awsCfgErr, d.awsLoaded, d.credsDone, d.credsErr, d.awsUnknown = cfg, nil, true, true, nil, false
	d.ec2Client, d.ssmClient = nil, nil
}

// providerDataFrom is for the Configure methods of resources and data
// sources: nil (no error) before the provider is configured, as the
// framework calls Configure early during validation.
func providerDataFrom(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T; this is a bug in the provider", raw))
		return nil
	}
	return data
}

// newProviderData resolves the provider block against the environment. It
// creates no client.
func newProviderData(ctx context.Context, version string, m providerModel, diags *diag.Diagnostics) *providerData {
	d := &providerData{version: version}
	r := resolver{ctx: ctx, diags: diags}

	d.aws = awsSettings{
		Region:                    r.str(m.Region, &d.awsUnknown),
		Profile:                   r.str(m.Profile, &d.awsUnknown),
		SharedConfigFiles:         r.paths(m.SharedConfigFiles, &d.awsUnknown),
		SharedCredentialsFiles:    r.paths(m.SharedCredentialsFiles, &d.awsUnknown),
		SkipCredentialsValidation: r.boolean(m.SkipCredentialsValidation, &d.awsUnknown),
	}
	if !m.MaxRetries.IsNull() && !m.MaxRetries.IsUnknown() {
		n := int(m.MaxRetries.ValueInt64())
		d.aws.MaxRetries = &n
	} else if m.MaxRetries.IsUnknown() {
		d.awsUnknown = true
	}
	if len(m.AssumeRole) == 1 {
		a := m.AssumeRole[0]
		d.aws.AssumeRole = &assumeRoleSettings{
			RoleARN:     r.str(a.RoleARN, &d.awsUnknown),
			SessionName: r.str(a.SessionName, &d.awsUnknown),
			ExternalID:  r.str(a.ExternalID, &d.awsUnknown),
		}
	}
	if len(m.Endpoints) == 1 {
		e := m.Endpoints[0]
		d.aws.Endpoints = awsEndpoints{
			EC2: r.str(e.EC2, &d.awsUnknown),
			SSM: r.str(e.SSM, &d.awsUnknown),
			STS: r.str(e.STS, &d.awsUnknown),
		}
	}
	if len(m.DefaultTags) == 1 {
		d.defaultTags = r.strMap(m.DefaultTags[0].Tags, &d.awsUnknown)
	}

	var k kubernetesModel
	if len(m.Kubernetes) == 1 {
		k = m.Kubernetes[0]
	}
	u := &d.kubeUnknown
	d.kube = kubeSettings{
		Host:                 r.strEnv(k.Host, u, "KUBE_HOST"),
		ClusterCACertificate: r.strEnv(k.ClusterCACertificate, u, "KUBE_CLUSTER_CA_CERT_DATA"),
		Token:                r.strEnv(k.Token, u, "KUBE_TOKEN"),
		ClientCertificate:    r.strEnv(k.ClientCertificate, u, "KUBE_CLIENT_CERT_DATA"),
		ClientKey:            r.strEnv(k.ClientKey, u, "KUBE_CLIENT_KEY_DATA"),
		ConfigContext:        r.strEnv(k.ConfigContext, u, "KUBE_CTX"),
	}
	d.kube.Insecure = r.boolean(k.Insecure, u)
	if k.Insecure.IsNull() {
		if v := os.Getenv("KUBE_INSECURE"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				// Reported when the cluster is used, like every other
				// Kubernetes problem: rendering user data needs no cluster.
				d.kubeErr, d.kubeDone = fmt.Errorf("Kubernetes: KUBE_INSECURE=%q is not a boolean", v), true
			}
			d.kube.Insecure = b
		}
	}
	if path := r.strEnv(k.ConfigPath, u, "KUBE_CONFIG_PATH"); path != "" {
		d.kube.ConfigPaths = []string{path}
	} else if paths := os.Getenv("KUBE_CONFIG_PATHS"); paths != "" {
		d.kube.ConfigPaths = filepath.SplitList(paths)
	}
	if len(k.Exec) == 1 {
		e := k.Exec[0]
		d.kube.Exec = &execSettings{
			APIVersion: r.str(e.APIVersion, u),
			Command:    r.str(e.Command, u),
			Args:       r.list(e.Args, u),
			Env:        r.strMap(e.Env, u),
		}
	}
	return d
}

// resolver reads provider attributes, flagging unknown values instead of
// failing: clients are built later, and only if needed.
type resolver struct {
	ctx   context.Context
	diags *diag.Diagnostics
}

func (r resolver) str(v types.String, unknown *bool) string {
	if v.IsUnknown() {
		*unknown = true
		return ""
	}
	return v.ValueString()
}

func (r resolver) strEnv(v types.String, unknown *bool, env string) string {
	if v.IsNull() {
		return strings.TrimSpace(os.Getenv(env))
	}
	return r.str(v, unknown)
}

func (r resolver) boolean(v types.Bool, unknown *bool) bool {
	if v.IsUnknown() {
		*unknown = true
		return false
	}
	return v.ValueBool()
}

func (r resolver) list(v types.List, unknown *bool) []string {
	if v.IsNull() {
		return nil
	}
	if v.IsUnknown() {
		*unknown = true
		return nil
	}
	var out []types.String
	r.diags.Append(v.ElementsAs(r.ctx, &out, false)...)
	values := make([]string, 0, len(out))
	for _, s := range out {
		if s.IsUnknown() {
			*unknown = true
			continue
		}
		values = append(values, s.ValueString())
	}
	return values
}

// paths is list with "~" expanded, as the AWS provider does for shared files.
func (r resolver) paths(v types.List, unknown *bool) []string {
	out, err := expandPaths(r.list(v, unknown))
	if err != nil {
		r.diags.AddError("Invalid path", err.Error())
	}
	return out
}

func (r resolver) strMap(v types.Map, unknown *bool) map[string]string {
	if v.IsNull() {
		return nil
	}
	if v.IsUnknown() {
		*unknown = true
		return nil
	}
	var out map[string]types.String
	r.diags.Append(v.ElementsAs(r.ctx, &out, false)...)
	values := make(map[string]string, len(out))
	for k, s := range out {
		if s.IsUnknown() {
			*unknown = true
			continue
		}
		values[k] = s.ValueString()
	}
	return values
}
