package provider

import (
	"context"
	"encoding/base64"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
)

var (
	_ datasource.DataSource                   = (*bottlerocketUserDataDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*bottlerocketUserDataDataSource)(nil)
)

// userDataAPIServerAttribute is what this data source calls the API server;
// stratos_node_class calls it cluster_endpoint.
const userDataAPIServerAttribute = "api_server"

// NewBottlerocketUserDataDataSource renders Bottlerocket user data. It needs
// no AWS credentials and no cluster.
func NewBottlerocketUserDataDataSource() datasource.DataSource {
	return &bottlerocketUserDataDataSource{}
}

type bottlerocketUserDataDataSource struct{}

type bottlerocketUserDataModel struct {
	APIServer types.String `tfsdk:"api_server"`
	userDataModel

	TOML       types.String `tfsdk:"toml"`
	UserData   types.String `tfsdk:"user_data"`
	Compressed types.Bool   `tfsdk:"compressed"`
	SizeBytes  types.Int64  `tfsdk:"size_bytes"`
	SHA256     types.String `tfsdk:"sha256"`
}

func (d *bottlerocketUserDataDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bottlerocket_userdata"
}

func (d *bottlerocketUserDataDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := userDataDataSourceAttributes(userDataAPIServerAttribute)
	attributes["toml"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "The canonical TOML document, uncompressed: one `settings` root, sorted keys, no empty tables.",
	}
	attributes["user_data"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "Base64 of the bytes EC2 receives (the gzip of `toml` when `compressed`), ready for `user_data_base64` or a launch template's `user_data`.",
	}
	attributes["compressed"] = schema.BoolAttribute{
		Computed:            true,
		MarkdownDescription: "Whether `user_data` holds the gzip of `toml`.",
	}
	attributes["size_bytes"] = schema.Int64Attribute{
		Computed:            true,
		MarkdownDescription: "Size of the bytes EC2 receives, before base64; at most 16,384.",
	}
	attributes["sha256"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "Hex SHA-256 of the bytes EC2 receives: changes exactly when the user data does.",
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders Bottlerocket user data for an EKS node and validates it as Bottlerocket would at boot: " +
			"unknown settings, wrong types, invalid labels and taints, conflicting values and oversized documents are " +
			"errors at `terraform plan` on the attribute concerned, not on the instance console. Needs no AWS credentials.",
		Attributes: attributes,
	}
}

func (d *bottlerocketUserDataDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var config bottlerocketUserDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateUserDataConfig(ctx, config.userDataModel, config.APIServer, userDataAPIServerAttribute, &resp.Diagnostics)
}

func (d *bottlerocketUserDataDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config bottlerocketUserDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in, _, diags := config.toInput(ctx, config.APIServer)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	doc, problems := bottlerocket.Render(in)
	addProblems(&resp.Diagnostics, problems, userDataFieldPath(userDataAPIServerAttribute))
	if resp.Diagnostics.HasError() {
		return
	}
	if doc == nil {
		resp.Diagnostics.AddError("Bottlerocket user data: nothing rendered", "The renderer returned no document and no error; this is a bug in the provider.")
		return
	}
	config.TOML = types.StringValue(doc.TOML)
	config.UserData = types.StringValue(base64.StdEncoding.EncodeToString(doc.Bytes))
	config.Compressed = types.BoolValue(doc.Compressed)
	config.SizeBytes = types.Int64Value(int64(len(doc.Bytes)))
	config.SHA256 = types.StringValue(doc.SHA256)
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}
