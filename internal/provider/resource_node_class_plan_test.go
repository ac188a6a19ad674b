package provider

import (
	"strings"
	"testing"
)

// A node class change replaces standby now only in pools that refer to its
// version; the others replace it on their next apply, and the warning says
// which is which.
func TestNodeClassVersionWarning(t *testing.T) {
	summary, detail := nodeClassVersionWarning("ci", 3, 4)
	if summary != "Node class ci: launch template version 3 → 4" {
		t.Errorf("summary = %q", summary)
	}
	for _, want := range []string{
		"node_class_version = stratos_node_class.<name>.version replace their standby instances built from earlier versions in this apply",
		"Pools that leave node_class_version unset do not replace them now: they replace them on their next apply",
		"version 4",
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("warning does not say %q:\n%s", want, detail)
		}
	}
}
