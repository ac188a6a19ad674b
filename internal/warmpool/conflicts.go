package warmpool

import (
	"fmt"
	"slices"
	"sort"

	"github.com/pelletier/go-toml/v2"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// Conflict is a pool label or taint key that the node class's user data
// already sets to something else. Bottlerocket takes one value per label
// and one list per taint key, and the merge gives neither side precedence
// (bottlerocket.Render refuses it), so the pool cannot launch: the provider
// reports it on the pool's attribute, at plan time when the node class
// version exists, otherwise at apply before anything is launched.
type Conflict struct {
	// Taint is false for a label (Key in the pool's labels), true for a
	// taint (Index in the pool's taints).
	Taint bool
	Key   string
	Index int
	// Pool and NodeClass are the two values as the user would write them:
	// a label value, or a taint key's "value:Effect" list.
	Pool, NodeClass string
}

// NodeClassConflicts compares the pool's labels and taints with the
// settings.kubernetes node-labels and node-taints of the node class
// version's user data (set by its node_labels, node_taints or
// custom_user_data). Labels and taints are compared by key, as Bottlerocket
// merges them (settings.kubernetes.node-labels is a map of label to value,
// node-taints a map of taint key to a list of "value:Effect").
func NodeClassConflicts(pool Pool, info nodeclass.Info) ([]Conflict, error) {
	var doc struct {
		Settings struct {
			Kubernetes struct {
				NodeLabels map[string]any `toml:"node-labels"`
				NodeTaints map[string]any `toml:"node-taints"`
			} `toml:"kubernetes"`
		} `toml:"settings"`
	}
	if err := toml.Unmarshal([]byte(info.TOML), &doc); err != nil {
		return nil, fmt.Errorf("read the user data of node class %s version %d: %w", info.Name, info.Version, err)
	}
	var out []Conflict
	labelKeys := make([]string, 0, len(pool.Labels))
	for k := range pool.Labels {
		labelKeys = append(labelKeys, k)
	}
	sort.Strings(labelKeys)
	for _, k := range labelKeys {
		if v, ok := doc.Settings.Kubernetes.NodeLabels[k]; ok && fmt.Sprint(v) != pool.Labels[k] {
			out = append(out, Conflict{Key: k, Pool: pool.Labels[k], NodeClass: fmt.Sprint(v)})
		}
	}
	seen := map[string]bool{}
	for i, t := range pool.Taints {
		theirs, ok := doc.Settings.Kubernetes.NodeTaints[t.Key]
		if !ok || seen[t.Key] {
			continue
		}
		seen[t.Key] = true
		ours := taintValues(pool.Taints, t.Key)
		if list := tomlStrings(theirs); !slices.Equal(list, ours) {
			out = append(out, Conflict{Taint: true, Key: t.Key, Index: i, Pool: fmt.Sprint(ours), NodeClass: fmt.Sprint(list)})
		}
	}
	return out, nil
}

// taintValues are the pool's "value:Effect" entries for key, as
// Bottlerocket's node-taints holds them, sorted.
func taintValues(taints []bottlerocket.Taint, key string) []string {
	var out []string
	for _, t := range taints {
		if t.Key == key {
			effect, _ := bottlerocket.NormalizeTaintEffect(t.Effect)
			out = append(out, t.Value+":"+effect)
		}
	}
	sort.Strings(out)
	return out
}

// tomlStrings reads a node-taints entry: a list of strings, or one string.
func tomlStrings(v any) []string {
	var out []string
	switch v := v.(type) {
	case string:
		out = []string{v}
	case []any:
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
	}
	sort.Strings(out)
	return out
}
