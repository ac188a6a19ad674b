package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
)

var (
	_ datasource.DataSource              = (*bottlerocketAMIDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*bottlerocketAMIDataSource)(nil)
)

const (
	defaultAMIArchitecture = "x86_64"
	defaultAMIVersion      = "latest"
)

var (
	kubernetesVersionPattern = regexp.MustCompile(`^1\.[0-9]{1,3}$`)
	amiVersionPattern        = regexp.MustCompile(`^(latest|[0-9]+\.[0-9]+\.[0-9]+(-[0-9a-f]+)?)$`)
)

// NewBottlerocketAMIDataSource resolves a Bottlerocket AMI from AWS's public
// SSM parameters.
func NewBottlerocketAMIDataSource() datasource.DataSource {
	return &bottlerocketAMIDataSource{}
}

type bottlerocketAMIDataSource struct {
	data *providerData
}

type bottlerocketAMIModel struct {
	KubernetesVersion types.String `tfsdk:"kubernetes_version"`
	Architecture      types.String `tfsdk:"architecture"`
	NVIDIA            types.Bool   `tfsdk:"nvidia"`
	Version           types.String `tfsdk:"version"`
	ID                types.String `tfsdk:"id"`
	ImageVersion      types.String `tfsdk:"image_version"`
	Release           types.String `tfsdk:"bottlerocket_release"`
	Variant           types.String `tfsdk:"variant"`
	ParameterName     types.String `tfsdk:"parameter_name"`
}

func (d *bottlerocketAMIDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bottlerocket_ami"
}

func (d *bottlerocketAMIDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Resolves a Bottlerocket AMI for EKS from the public SSM parameters " +
			"`/aws/service/bottlerocket/aws-k8s-<kubernetes_version>[-nvidia]/<architecture>/<version>/image_id`.",
		Attributes: map[string]schema.Attribute{
			"kubernetes_version": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Kubernetes minor version of the cluster, e.g. `1.32`.",
				Validators: []validator.String{
					stringvalidator.RegexMatches(kubernetesVersionPattern, "must be a Kubernetes minor version such as 1.32"),
				},
			},
			"architecture": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "`x86_64` (default) or `arm64`.",
				Validators:          []validator.String{stringvalidator.OneOf("x86_64", "arm64")},
			},
			"nvidia": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Use the NVIDIA variant (`aws-k8s-<version>-nvidia`) for GPU instances.",
			},
			"version": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Bottlerocket release, e.g. `1.32.0`, or `latest` (default).",
				Validators: []validator.String{
					stringvalidator.RegexMatches(amiVersionPattern, "must be latest or a Bottlerocket release such as 1.32.0"),
				},
			},
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The AMI ID.",
			},
			"image_version": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Bottlerocket release of the AMI, from the `image_version` parameter.",
			},
			"bottlerocket_release": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The Bottlerocket release of the AMI, such as `1.30.0` (`image_version` without its build suffix). " +
					"A `stratos_node_class` with this AMI refuses settings newer than this release at plan time.",
			},
			"variant": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The Bottlerocket variant of the AMI, such as `aws-k8s-1.32` or `aws-k8s-1.32-nvidia`: pass it to " +
					"`stratos_bottlerocket_userdata`'s `variant` to have variant-specific settings (NVIDIA device plugin, " +
					"Kubernetes-version settings) checked against it.",
			},
			"parameter_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The SSM parameter the AMI ID was read from.",
			},
		},
	}
}

func (d *bottlerocketAMIDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// eksVariantName names the Bottlerocket variant of an EKS AMI.
func eksVariantName(kubernetesVersion string, nvidia bool) string {
	variant := "aws-k8s-" + kubernetesVersion
	if nvidia {
		variant += "-nvidia"
	}
	return variant
}

// amiParameterPrefix is the SSM path of one Bottlerocket release of one variant.
func amiParameterPrefix(kubernetesVersion, architecture string, nvidia bool, version string) string {
	return fmt.Sprintf("/aws/service/bottlerocket/%s/%s/%s", eksVariantName(kubernetesVersion, nvidia), architecture, version)
}

func (d *bottlerocketAMIDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config bottlerocketAMIModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "stratos_bottlerocket_ami needs the provider's AWS configuration.")
		return
	}
	if config.Architecture.IsNull() {
		config.Architecture = types.StringValue(defaultAMIArchitecture)
	}
	if config.Version.IsNull() {
		config.Version = types.StringValue(defaultAMIVersion)
	}
	prefix := amiParameterPrefix(config.KubernetesVersion.ValueString(), config.Architecture.ValueString(), config.NVIDIA.ValueBool(), config.Version.ValueString())
	imageIDName, imageVersionName := prefix+"/image_id", prefix+"/image_version"

	client, err := d.data.SSM(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot resolve the Bottlerocket AMI", err.Error())
		return
	}
	out, err := client.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{imageIDName, imageVersionName}})
	if err != nil {
		resp.Diagnostics.AddError("Cannot resolve the Bottlerocket AMI", fmt.Sprintf("SSM GetParameters %s: %s", imageIDName, apiErrorText(err)))
		return
	}
	if len(out.InvalidParameters) > 0 {
		resp.Diagnostics.AddAttributeError(path.Root("kubernetes_version"), "No such Bottlerocket AMI",
			fmt.Sprintf("SSM has no parameter %s in this region: check kubernetes_version, architecture, nvidia and version (a release that exists for this variant).",
				strings.Join(out.InvalidParameters, ", ")))
		return
	}
	values := map[string]string{}
	for _, p := range out.Parameters {
		if p.Name != nil && p.Value != nil {
			values[*p.Name] = *p.Value
		}
	}
	if values[imageIDName] == "" {
		resp.Diagnostics.AddError("No such Bottlerocket AMI", fmt.Sprintf("SSM returned no value for %s.", imageIDName))
		return
	}
	config.ID = types.StringValue(values[imageIDName])
	config.ImageVersion = types.StringValue(values[imageVersionName])
	config.Release = types.StringNull()
	if release, ok := bottlerocket.ReleaseFromImageVersion(values[imageVersionName]); ok {
		config.Release = types.StringValue(release)
	}
	config.Variant = types.StringValue(eksVariantName(config.KubernetesVersion.ValueString(), config.NVIDIA.ValueBool()))
	config.ParameterName = types.StringValue(imageIDName)
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}

// apiErrorText keeps AWS's code and message and drops the SDK's operation
// and retry wrapping.
func apiErrorText(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
	}
	return err.Error()
}
