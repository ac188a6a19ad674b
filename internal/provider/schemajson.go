package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// ProviderSchemaJSON renders the provider's schema in the format of
// `terraform providers schema -json`, under the key name.
//
// The documentation generator reads it instead of asking Terraform, so the
// docs do not depend on which Terraform CLI the machine has: a Terraform
// older than 1.8 would leave provider-defined functions out.
func ProviderSchemaJSON(ctx context.Context, name string) ([]byte, error) {
	server := providerserver.NewProtocol6(New("docs")())()
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, fmt.Errorf("get provider schema: %w", err)
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return nil, fmt.Errorf("provider schema: %s: %s", d.Summary, d.Detail)
		}
	}
	out := map[string]any{
		"provider":            schemaJSON(resp.Provider),
		"resource_schemas":    schemasJSON(resp.ResourceSchemas),
		"data_source_schemas": schemasJSON(resp.DataSourceSchemas),
	}
	if len(resp.Functions) > 0 {
		functions := map[string]any{}
		for n, f := range resp.Functions {
			functions[n] = functionJSON(f)
		}
		out["functions"] = functions
	}
	return json.MarshalIndent(map[string]any{
		"format_version":   "1.0",
		"provider_schemas": map[string]any{name: out},
	}, "", "  ")
}

func schemasJSON(schemas map[string]*tfprotov6.Schema) map[string]any {
	out := map[string]any{}
	for name, s := range schemas {
		out[name] = schemaJSON(s)
	}
	return out
}

func schemaJSON(s *tfprotov6.Schema) map[string]any {
	if s == nil {
		return map[string]any{"version": 0, "block": map[string]any{}}
	}
	return map[string]any{"version": s.Version, "block": blockJSON(s.Block)}
}

func descriptionKind(k tfprotov6.StringKind) string {
	if k == tfprotov6.StringKindMarkdown {
		return "markdown"
	}
	return "plain"
}

func blockJSON(b *tfprotov6.SchemaBlock) map[string]any {
	out := map[string]any{"description_kind": descriptionKind(b.DescriptionKind)}
	if b.Description != "" {
		out["description"] = b.Description
	}
	if b.Deprecated {
		out["deprecated"] = true
	}
	if len(b.Attributes) > 0 {
		attrs := map[string]any{}
		for _, a := range b.Attributes {
			attrs[a.Name] = attributeJSON(a)
		}
		out["attributes"] = attrs
	}
	if len(b.BlockTypes) > 0 {
		blocks := map[string]any{}
		for _, nb := range b.BlockTypes {
			block := map[string]any{"nesting_mode": nestingMode(nb.Nesting), "block": blockJSON(nb.Block)}
			if nb.MinItems > 0 {
				block["min_items"] = nb.MinItems
			}
			if nb.MaxItems > 0 {
				block["max_items"] = nb.MaxItems
			}
			blocks[nb.TypeName] = block
		}
		out["block_types"] = blocks
	}
	return out
}

func nestingMode(n tfprotov6.SchemaNestedBlockNestingMode) string {
	switch n {
	case tfprotov6.SchemaNestedBlockNestingModeSingle:
		return "single"
	case tfprotov6.SchemaNestedBlockNestingModeList:
		return "list"
	case tfprotov6.SchemaNestedBlockNestingModeSet:
		return "set"
	case tfprotov6.SchemaNestedBlockNestingModeMap:
		return "map"
	case tfprotov6.SchemaNestedBlockNestingModeGroup:
		return "group"
	default:
		return "invalid"
	}
}

func objectNestingMode(n tfprotov6.SchemaObjectNestingMode) string {
	switch n {
	case tfprotov6.SchemaObjectNestingModeSingle:
		return "single"
	case tfprotov6.SchemaObjectNestingModeList:
		return "list"
	case tfprotov6.SchemaObjectNestingModeSet:
		return "set"
	case tfprotov6.SchemaObjectNestingModeMap:
		return "map"
	default:
		return "invalid"
	}
}

func attributeJSON(a *tfprotov6.SchemaAttribute) map[string]any {
	out := map[string]any{"description_kind": descriptionKind(a.DescriptionKind)}
	if a.NestedType != nil {
		attrs := map[string]any{}
		for _, na := range a.NestedType.Attributes {
			attrs[na.Name] = attributeJSON(na)
		}
		out["nested_type"] = map[string]any{"attributes": attrs, "nesting_mode": objectNestingMode(a.NestedType.Nesting)}
	} else if a.Type != nil {
		// tftypes marshal to the same JSON as cty types.
		out["type"] = a.Type
	}
	if a.Description != "" {
		out["description"] = a.Description
	}
	for key, set := range map[string]bool{
		"required": a.Required, "optional": a.Optional, "computed": a.Computed,
		"sensitive": a.Sensitive, "deprecated": a.Deprecated, "write_only": a.WriteOnly,
	} {
		if set {
			out[key] = true
		}
	}
	return out
}

func functionJSON(f *tfprotov6.Function) map[string]any {
	out := map[string]any{"return_type": f.Return.Type}
	if f.Description != "" {
		out["description"] = f.Description
	}
	if f.Summary != "" {
		out["summary"] = f.Summary
	}
	if f.DeprecationMessage != "" {
		out["deprecation_message"] = f.DeprecationMessage
	}
	params := make([]any, 0, len(f.Parameters))
	for _, p := range f.Parameters {
		params = append(params, parameterJSON(p))
	}
	if len(params) > 0 {
		out["parameters"] = params
	}
	if f.VariadicParameter != nil {
		out["variadic_parameter"] = parameterJSON(f.VariadicParameter)
	}
	return out
}

func parameterJSON(p *tfprotov6.FunctionParameter) map[string]any {
	out := map[string]any{"name": p.Name, "type": p.Type}
	if p.Description != "" {
		out["description"] = p.Description
	}
	if p.AllowNullValue {
		out["is_nullable"] = true
	}
	return out
}
