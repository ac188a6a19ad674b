package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// testAccProtoV6ProviderFactories serve the provider in-process: Terraform
// talks to it over the plugin protocol without downloading anything.
var testAccProtoV6ProviderFactories = protoV6ProviderFactories(nil)

// protoV6ProviderFactories is testAccProtoV6ProviderFactories with a hook
// that sees the providerData of every Configure, e.g. to inject clients
// (setKubernetesForTest, setAWSConfigForTest) or to capture settings.
func protoV6ProviderFactories(hook func(*providerData)) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"stratos": providerserver.NewProtocol6WithError(newWithHook("test", hook)()),
	}
}

func TestProvider_schemaIsValid(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	var resp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("schema implementation: %v", diags)
	}
}

func TestProvider_registersDataSourcesAndFunctions(t *testing.T) {
	ctx := context.Background()
	p := New("test")().(*stratosProvider)
	if got := len(p.DataSources(ctx)); got < 2 {
		t.Errorf("data sources: got %d, want at least 2", got)
	}
	if got := len(p.Functions(ctx)); got != 1 {
		t.Errorf("functions: got %d, want 1", got)
	}
}
