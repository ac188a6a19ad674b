package tfrun

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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

// PoolInstanceIDs are the instance ids the state records for the warm pool
// at address. The pool keeps them in its private state (the resource's
// instance record, internal/provider/resource_warm_pool_record.go), which
// `terraform show` leaves out, so this reads `terraform state pull`.
func (w *Workspace) PoolInstanceIDs(ctx context.Context, address string) ([]string, error) {
	res, err := w.Run(ctx, "state", "pull")
	if err != nil {
		return nil, err
	}
	return poolInstanceIDs([]byte(res.Stdout), address)
}

// poolInstanceIDs reads a state file's private instance record of the pool
// at address (a root module resource; "type.name[k]" for one instance of a
// resource with count).
func poolInstanceIDs(stateFile []byte, address string) ([]string, error) {
	base, index, counted := strings.Cut(strings.TrimSuffix(address, "]"), "[")
	var doc struct {
		Resources []struct {
			Mode, Type, Name string
			Instances        []struct {
				IndexKey any `json:"index_key"`
				// Private is base64 of the framework's private state: a JSON
				// object of base64 values, one per key.
				Private []byte `json:"private"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(stateFile, &doc); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	var out []string
	for _, r := range doc.Resources {
		if r.Mode != "managed" || r.Type+"."+r.Name != base {
			continue
		}
		for _, inst := range r.Instances {
			if counted && fmt.Sprint(inst.IndexKey) != index {
				continue
			}
			if len(inst.Private) == 0 {
				continue
			}
			var keys map[string][]byte
			if err := json.Unmarshal(inst.Private, &keys); err != nil {
				return nil, fmt.Errorf("decode private state of %s: %w", address, err)
			}
			var records []struct {
				ID string `json:"id"`
			}
			if raw := keys["instances"]; len(raw) > 0 {
				if err := json.Unmarshal(raw, &records); err != nil {
					return nil, fmt.Errorf("decode instance record of %s: %w", address, err)
				}
			}
			for _, rec := range records {
				out = append(out, rec.ID)
			}
		}
	}
	return out, nil
}
