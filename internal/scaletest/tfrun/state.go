package tfrun

import (
	"context"
	"encoding/json"
	"fmt"
)

// Resources reads the workspace's state with `terraform show -json`: each
// resource's attribute values by address.
func (w *Workspace) Resources(ctx context.Context) (map[string]map[string]any, error) {
	res, err := w.Run(ctx, "show", "-json")
	if err != nil {
		return nil, err
	}
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil {
		return nil, fmt.Errorf("decode terraform show -json: %w", err)
	}
	out := map[string]map[string]any{}
	for _, r := range doc.Values.RootModule.Resources {
		out[r.Address] = r.Values
	}
	return out, nil
}

// InstanceIDs are the instance ids a warm pool's state records: its
// instances list plus the standby and running id lists.
func InstanceIDs(values map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if list, ok := values["instances"].([]any); ok {
		for _, item := range list {
			if m, ok := item.(map[string]any); ok {
				id, _ := m["id"].(string)
				add(id)
			}
		}
	}
	for _, key := range []string{"standby_instance_ids", "running_instance_ids"} {
		if list, ok := values[key].([]any); ok {
			for _, item := range list {
				id, _ := item.(string)
				add(id)
			}
		}
	}
	return out
}
