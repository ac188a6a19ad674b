package bottlerocket

import (
	"fmt"
	"strconv"
	"strings"
)

// source says where a value in the merged tree came from, so that every
// Problem can be attached to the attribute (and element or key) the user
// wrote, and conflict messages can name both sides.
type source struct {
	field Field
	// index is the custom_user_data fragment, or the list element of a
	// list-typed attribute; -1 when it does not apply.
	index int
	// key is the map key of a map-typed attribute.
	key string
	// listName overrides how fragments are named in messages:
	// MergeFragments calls them "fragments", Render "custom_user_data".
	listName string
}

// String names the source the way a Terraform user wrote it:
// max_pods, node_labels["role"], custom_user_data (one string, so never
// indexed), fragments[1] (the settings function's list).
func (s source) String() string {
	name := string(s.field)
	if s.listName != "" {
		name = s.listName
	}
	switch {
	case s.key != "":
		return fmt.Sprintf("%s[%s]", name, strconv.Quote(s.key))
	case s.field == FieldCustomUserData && s.index >= 0 && name != string(FieldCustomUserData):
		return fmt.Sprintf("%s[%d]", name, s.index)
	default:
		return name
	}
}

func fragmentSource(i int, listName string) source {
	return source{field: FieldCustomUserData, index: i, listName: listName}
}

func fieldSource(f Field) source { return source{field: f, index: -1} }

func keySource(f Field, key string) source { return source{field: f, index: -1, key: key} }

// settingPath renders a settings path as a TOML dotted key, quoting the parts
// that need it, e.g. settings.kubernetes.node-labels."example.com/role".
func settingPath(path []string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = encodeKey(p)
	}
	return strings.Join(parts, ".")
}

// pathKey is unambiguous because settingPath quotes any key with dots,
// NULs or other special characters.
func pathKey(path []string) string { return settingPath(path) }

func childPath(path []string, k string) []string {
	out := make([]string, len(path)+1)
	copy(out, path)
	out[len(path)] = k
	return out
}

var (
	kubernetesPath   = []string{"settings", "kubernetes"}
	clusterDNSIPPath = childPath(kubernetesPath, "cluster-dns-ip")
	nodeTaintsPath   = childPath(kubernetesPath, "node-taints")
	nodeLabelsPath   = childPath(kubernetesPath, "node-labels")
)

func errorProblem(src source, path []string, summary, detail string) Problem {
	return Problem{
		Severity: SeverityError,
		Field:    src.field,
		Index:    src.index,
		Key:      src.key,
		Setting:  settingPath(path),
		Summary:  summary,
		Detail:   detail,
	}
}
