package provider

import (
	"context"
	"encoding/json"
	"testing"
)

// The docs are generated from this JSON; it must carry what Terraform's
// `providers schema -json` carries, functions included.
func TestProviderSchemaJSON(t *testing.T) {
	data, err := ProviderSchemaJSON(context.Background(), "stratos")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		FormatVersion   string `json:"format_version"`
		ProviderSchemas map[string]struct {
			Provider struct {
				Block struct {
					Attributes map[string]map[string]any `json:"attributes"`
					BlockTypes map[string]map[string]any `json:"block_types"`
				} `json:"block"`
			} `json:"provider"`
			DataSourceSchemas map[string]struct {
				Block struct {
					Attributes map[string]map[string]any `json:"attributes"`
				} `json:"block"`
			} `json:"data_source_schemas"`
			Functions map[string]struct {
				ReturnType any              `json:"return_type"`
				Parameters []map[string]any `json:"parameters"`
			} `json:"functions"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	s, ok := doc.ProviderSchemas["stratos"]
	if doc.FormatVersion != "1.0" || !ok {
		t.Fatalf("format %q, providers %v", doc.FormatVersion, doc.ProviderSchemas)
	}
	if kube := s.Provider.Block.BlockTypes["kubernetes"]; kube["nesting_mode"] != "list" || kube["block"] == nil {
		t.Errorf("kubernetes block: %v", kube)
	}
	if token := s.DataSourceSchemas["stratos_bottlerocket_userdata"].Block.Attributes["node_taints"]; token["nested_type"] == nil {
		t.Errorf("node_taints has no nested_type: %v", token)
	}
	if attr := s.DataSourceSchemas["stratos_bottlerocket_userdata"].Block.Attributes["node_labels"]; attr["description_kind"] != "markdown" ||
		attr["optional"] != true || attr["computed"] != nil {
		t.Errorf("node_labels: %v", attr)
	}
	f, ok := s.Functions["bottlerocket_settings"]
	if !ok || f.ReturnType != "string" || len(f.Parameters) != 2 || f.Parameters[0]["name"] != "fragments" {
		t.Errorf("bottlerocket_settings: %+v", f)
	}
	if _, ok := s.DataSourceSchemas["stratos_bottlerocket_ami"]; !ok {
		t.Error("stratos_bottlerocket_ami missing")
	}
}
