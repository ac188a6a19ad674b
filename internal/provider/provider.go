// Package provider adapts Stratos to the Terraform plugin framework: the
// provider configuration, resources, data sources and functions. Business
// logic lives in internal/bottlerocket and internal/warmpool; this package
// maps schemas onto them and turns their errors into diagnostics.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var (
	_ provider.Provider              = (*stratosProvider)(nil)
	_ provider.ProviderWithFunctions = (*stratosProvider)(nil)
)

type stratosProvider struct {
	version string
	// configured, when set, sees the providerData built by Configure before
	// resources do: tests use it to inject clients or to capture the settings.
	configured func(*providerData)
}

// New returns the provider factory main.go serves.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &stratosProvider{version: version} }
}

// newWithHook is New for tests: hook sees (and may change) the providerData
// every Configure call hands to resources and data sources.
func newWithHook(version string, hook func(*providerData)) func() provider.Provider {
	return func() provider.Provider { return &stratosProvider{version: version, configured: hook} }
}

func (p *stratosProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "stratos"
	resp.Version = p.version
}

func (p *stratosProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

func (p *stratosProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data := newProviderData(ctx, p.version, config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if p.configured != nil {
		p.configured(data)
	}
	resp.DataSourceData = data
	resp.ResourceData = data
}

func (p *stratosProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewNodeClassResource,
		NewWarmPoolResource,
		// Resources: append new resources here (stratos_node_class, stratos_warm_pool).
	}
}

func (p *stratosProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewBottlerocketUserDataDataSource,
		NewBottlerocketAMIDataSource,
		NewWarmPoolDataSource,
		// Data sources: append new data sources here (stratos_warm_pool).
	}
}

func (p *stratosProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		NewBottlerocketSettingsFunction,
	}
}
