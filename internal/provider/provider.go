package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// TEMPORARY scaffold; the foundation work replaces it.

type stratosProvider struct{ version string }

func New(version string) func() provider.Provider {
	return func() provider.Provider { return &stratosProvider{version: version} }
}

func (p *stratosProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "stratos"
	resp.Version = p.version
}

func (p *stratosProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{}
}

func (p *stratosProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *stratosProvider) Resources(context.Context) []func() resource.Resource { return nil }

func (p *stratosProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
