package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// readUserData calls the data source's ValidateConfig and Read directly
// with the given attribute values (all others null), so that warnings,
// which terraform-plugin-testing cannot observe, can be checked.
func readUserData(t *testing.T, values map[string]tftypes.Value) (validate, read diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	ds := NewBottlerocketUserDataDataSource().(*bottlerocketUserDataDataSource)
	var schemaResp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &schemaResp)
	objectType := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	all := map[string]tftypes.Value{}
	for name, typ := range objectType.AttributeTypes {
		all[name] = tftypes.NewValue(typ, nil)
	}
	for name, v := range values {
		all[name] = v
	}
	config := tfsdk.Config{Schema: schemaResp.Schema, Raw: tftypes.NewValue(objectType, all)}

	var validateResp datasource.ValidateConfigResponse
	ds.ValidateConfig(ctx, datasource.ValidateConfigRequest{Config: config}, &validateResp)
	readResp := datasource.ReadResponse{State: tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(objectType, nil)}}
	ds.Read(ctx, datasource.ReadRequest{Config: config}, &readResp)
	return validateResp.Diagnostics, readResp.Diagnostics
}

func TestBottlerocketUserDataDataSource_nonStrictWarnsOnce(t *testing.T) {
	validate, read := readUserData(t, map[string]tftypes.Value{
		"strict":           tftypes.NewValue(tftypes.Bool, false),
		"custom_user_data": tftypes.NewValue(tftypes.String, "[settings.kubernetes]\nlabels = { a = \"b\" }\n"),
	})
	if len(validate) != 0 {
		t.Errorf("validation reports %v; warnings belong to the read only", validate)
	}
	if read.HasError() || read.WarningsCount() != 1 {
		t.Fatalf("read: want exactly one warning, got %v", read)
	}
	w, ok := read.Warnings()[0].(diag.DiagnosticWithPath)
	if !ok || !w.Path().Equal(path.Root("custom_user_data")) {
		t.Errorf("warning not on custom_user_data: %v", read.Warnings()[0])
	}
}

func TestBottlerocketUserDataDataSource_strictErrorsAtValidation(t *testing.T) {
	validate, _ := readUserData(t, map[string]tftypes.Value{
		"custom_user_data": tftypes.NewValue(tftypes.String, "[settings.kubernetes]\nlabels = { a = \"b\" }\n"),
	})
	if validate.ErrorsCount() != 1 {
		t.Fatalf("want one validation error, got %v", validate)
	}
}

// Unknown values are left out of validation, never reported as invalid.
func TestBottlerocketUserDataDataSource_unknownValuesAreNotErrors(t *testing.T) {
	validate, _ := readUserData(t, map[string]tftypes.Value{
		"cluster_name":  tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"service_cidr":  tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"max_pods":      tftypes.NewValue(tftypes.Number, tftypes.UnknownValue),
		"compression":   tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"kube_reserved": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{"cpu": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}),
	})
	if validate.HasError() {
		t.Fatalf("unknown values reported as errors: %v", validate)
	}
}

// The cluster identity must be complete, but a part that is only known
// after apply (an EKS endpoint) is not missing.
func TestBottlerocketUserDataDataSource_unknownIdentityIsNotMissing(t *testing.T) {
	validate, _ := readUserData(t, map[string]tftypes.Value{
		"cluster_name":        tftypes.NewValue(tftypes.String, "demo"),
		"api_server":          tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"cluster_certificate": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"node_labels":         tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{"kubernetes.io/role": tftypes.NewValue(tftypes.String, "x")}),
	})
	if validate.ErrorsCount() != 1 {
		t.Fatalf("want only the label error, got %v", validate)
	}
	if e, ok := validate.Errors()[0].(diag.DiagnosticWithPath); !ok || !e.Path().Equal(path.Root("node_labels").AtMapKey("kubernetes.io/role")) {
		t.Errorf("error: %v", validate.Errors()[0])
	}
}
