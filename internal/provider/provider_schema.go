package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// providerModel is the provider block. Nested blocks are lists of at most
// one element, as in the AWS and Kubernetes providers, so that users write
// `assume_role { … }` exactly as they do there.
type providerModel struct {
	Region                    types.String       `tfsdk:"region"`
	Profile                   types.String       `tfsdk:"profile"`
	SharedConfigFiles         types.List         `tfsdk:"shared_config_files"`
	SharedCredentialsFiles    types.List         `tfsdk:"shared_credentials_files"`
	MaxRetries                types.Int64        `tfsdk:"max_retries"`
	SkipCredentialsValidation types.Bool         `tfsdk:"skip_credentials_validation"`
	AssumeRole                []assumeRoleModel  `tfsdk:"assume_role"`
	Endpoints                 []endpointsModel   `tfsdk:"endpoints"`
	DefaultTags               []defaultTagsModel `tfsdk:"default_tags"`
	Kubernetes                []kubernetesModel  `tfsdk:"kubernetes"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
}

type endpointsModel struct {
	EC2 types.String `tfsdk:"ec2"`
	SSM types.String `tfsdk:"ssm"`
	STS types.String `tfsdk:"sts"`
}

type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

type kubernetesModel struct {
	Host                 types.String `tfsdk:"host"`
	ClusterCACertificate types.String `tfsdk:"cluster_ca_certificate"`
	Token                types.String `tfsdk:"token"`
	ClientCertificate    types.String `tfsdk:"client_certificate"`
	ClientKey            types.String `tfsdk:"client_key"`
	Insecure             types.Bool   `tfsdk:"insecure"`
	ConfigPath           types.String `tfsdk:"config_path"`
	ConfigContext        types.String `tfsdk:"config_context"`
	Exec                 []execModel  `tfsdk:"exec"`
}

type execModel struct {
	APIVersion types.String `tfsdk:"api_version"`
	Command    types.String `tfsdk:"command"`
	Args       types.List   `tfsdk:"args"`
	Env        types.Map    `tfsdk:"env"`
}

// defaultMaxRetries bounds how often one AWS call is retried. The AWS
// provider's 25 makes an unreachable endpoint hang for minutes; 10 rides out
// throttling bursts from large pool operations without that.
const defaultMaxRetries = 10

func atMostOne() []validator.List { return []validator.List{listvalidator.SizeAtMost(1)} }

func providerSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Stratos keeps warm pools of pre-initialized, stopped Bottlerocket instances for EKS clusters " +
			"and renders Bottlerocket user data that is validated at plan time. AWS and Kubernetes clients are created " +
			"only when a resource or data source needs them, so rendering user data needs no credentials and no cluster.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS region. Defaults to `AWS_REGION` / `AWS_DEFAULT_REGION` or the profile's region.",
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile from the shared configuration files. Defaults to `AWS_PROFILE`.",
			},
			"shared_config_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Shared configuration files to read instead of `~/.aws/config` (`AWS_CONFIG_FILE`).",
			},
			"shared_credentials_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Shared credentials files to read instead of `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`).",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times one AWS API call is retried (adaptive retry mode: throttling slows the client " +
					"down instead of failing). Defaults to `AWS_MAX_ATTEMPTS` - 1 when set, otherwise 10.",
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"skip_credentials_validation": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Skip the STS `GetCallerIdentity` call that checks the credentials the first time AWS is used. " +
					"Useful with endpoints that do not implement STS.",
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.ListNestedBlock{
				MarkdownDescription: "Assume an IAM role with STS before calling EC2 and SSM.",
				Validators:          atMostOne(),
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"role_arn": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "ARN of the role to assume.",
							Validators:          []validator.String{stringvalidator.RegexMatches(arnPattern, "must be an IAM role ARN")},
						},
						"session_name": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "Session name; defaults to one the SDK generates.",
						},
						"external_id": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "External ID the role's trust policy requires.",
						},
					},
				},
			},
			"endpoints": schema.ListNestedBlock{
				MarkdownDescription: "Custom service endpoints. They take precedence over `AWS_ENDPOINT_URL_EC2`, " +
					"`AWS_ENDPOINT_URL_SSM`, `AWS_ENDPOINT_URL_STS` and `AWS_ENDPOINT_URL`, which the SDK reads itself.",
				Validators: atMostOne(),
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"ec2": endpointAttribute("EC2"),
						"ssm": endpointAttribute("SSM"),
						"sts": endpointAttribute("STS"),
					},
				},
			},
			"default_tags": schema.ListNestedBlock{
				MarkdownDescription: "Tags added to every AWS resource this provider creates (instances, launch templates). " +
					"Tags set on a resource win over these.",
				Validators: atMostOne(),
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"tags": schema.MapAttribute{
							ElementType:         types.StringType,
							Optional:            true,
							MarkdownDescription: "Tags by key.",
						},
					},
				},
			},
			"kubernetes": schema.ListNestedBlock{
				MarkdownDescription: "How to reach the cluster's API server, as in the Kubernetes provider. Each attribute " +
					"falls back to the environment variable the Kubernetes provider reads (`KUBE_HOST`, `KUBE_CONFIG_PATH`, …).",
				Validators: atMostOne(),
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"host": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "API server URL (`KUBE_HOST`).",
						},
						"cluster_ca_certificate": schema.StringAttribute{
							Optional: true,
							MarkdownDescription: "PEM-encoded CA certificate of the API server (`KUBE_CLUSTER_CA_CERT_DATA`). " +
								"The base64 form EKS returns is accepted too.",
						},
						"token": schema.StringAttribute{
							Optional:            true,
							Sensitive:           true,
							MarkdownDescription: "Bearer token (`KUBE_TOKEN`).",
						},
						"client_certificate": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "PEM-encoded client certificate for TLS authentication (`KUBE_CLIENT_CERT_DATA`).",
						},
						"client_key": schema.StringAttribute{
							Optional:            true,
							Sensitive:           true,
							MarkdownDescription: "PEM-encoded client key for TLS authentication (`KUBE_CLIENT_KEY_DATA`).",
						},
						"insecure": schema.BoolAttribute{
							Optional:            true,
							MarkdownDescription: "Skip TLS verification of the API server (`KUBE_INSECURE`). For tests only.",
						},
						"config_path": schema.StringAttribute{
							Optional: true,
							MarkdownDescription: "Path to a kubeconfig file (`KUBE_CONFIG_PATH`; `KUBE_CONFIG_PATHS` takes a list). " +
								"As in the Kubernetes provider, `~/.kube/config` is not read unless named here.",
						},
						"config_context": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "Context of the kubeconfig to use (`KUBE_CTX`); defaults to its current context.",
						},
					},
					Blocks: map[string]schema.Block{
						"exec": schema.ListNestedBlock{
							MarkdownDescription: "Run a command for credentials, e.g. `aws eks get-token`.",
							Validators:          atMostOne(),
							NestedObject: schema.NestedBlockObject{
								Attributes: map[string]schema.Attribute{
									"api_version": schema.StringAttribute{
										Required:            true,
										MarkdownDescription: "API version of the ExecCredential, e.g. `client.authentication.k8s.io/v1beta1`.",
									},
									"command": schema.StringAttribute{
										Required:            true,
										MarkdownDescription: "Command to run.",
									},
									"args": schema.ListAttribute{
										ElementType:         types.StringType,
										Optional:            true,
										MarkdownDescription: "Arguments of the command.",
									},
									"env": schema.MapAttribute{
										ElementType:         types.StringType,
										Optional:            true,
										MarkdownDescription: "Environment variables set for the command.",
									},
								},
							},
						},
					},
				},
			},
		},
	}
}

func endpointAttribute(service string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "Base URL of the " + service + " API, e.g. `http://127.0.0.1:4566`.",
		Validators:          []validator.String{stringvalidator.RegexMatches(urlPattern, "must be an http(s) URL")},
	}
}
