package warmpool

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestPermissionError(t *testing.T) {
	refused := func(resource, name, verb, group string) error {
		gr := schema.GroupResource{Group: group, Resource: resource}
		return apierrors.NewForbidden(gr, name, fmt.Errorf(`User "ci" cannot %s resource %q in API group %q at the cluster scope`, verb, resource, group))
	}
	for _, tc := range []struct {
		name string
		err  error
		want []string // in the message; nil: passed through unchanged
	}{
		{"patch nodes", fmt.Errorf("patch node n1: %w", refused("nodes", "n1", "patch", "")),
			[]string{`verb "patch"`, `resource "nodes"`, "API group core", "ci"}},
		{"eviction", refused("pods/eviction", "p", "create", ""), []string{`verb "create"`, `resource "pods/eviction"`}},
		{"daemonsets", errors.Join(errors.New("other"), refused("daemonsets", "", "list", "apps")), []string{`verb "list"`, `resource "daemonsets"`, "API group apps"}},
		{"namespace terminating", apierrors.NewForbidden(schema.GroupResource{Resource: "pods/eviction"}, "p",
			errors.New("unable to create new content in namespace x because it is being terminated")), nil},
		{"not found", apierrors.NewNotFound(schema.GroupResource{Resource: "nodes"}, "n1"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := permissionError(tc.err)
			var perm *PermissionError
			if tc.want == nil {
				if got != tc.err || errors.As(got, &perm) {
					t.Fatalf("changed %v into %v", tc.err, got)
				}
				return
			}
			if !errors.As(got, &perm) || !errors.Is(got, tc.err) {
				t.Fatalf("%v: not a PermissionError wrapping the original", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.Error(), w) {
					t.Errorf("%q lacks %s", got.Error(), w)
				}
			}
			if permissionError(got) != got {
				t.Error("wrapped twice")
			}
		})
	}
	if permissionError(nil) != nil {
		t.Error("nil is not an error")
	}
}
