package warmpool_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// A role lacking one permission of the documented ClusterRole (patch on
// nodes) fails the converge with an error that names the verb and the
// resource, as the real apiserver's RBAC refuses it.
func TestEngine_ForbiddenCallNamesVerbAndResource(t *testing.T) {
	sb := sandboxtest.Get(t)
	role, binding, err := sandboxtest.ReadClusterRole()
	if err != nil {
		t.Fatal(err)
	}
	role.Name, binding.Name, binding.RoleRef.Name = "stratos-no-patch", "stratos-no-patch", "stratos-no-patch"
	binding.Subjects[0].Name = "stratos-no-patch"
	for k, rule := range role.Rules {
		if slices.Contains(rule.Resources, "nodes") {
			role.Rules[k].Verbs = slices.DeleteFunc(slices.Clone(rule.Verbs), func(v string) bool { return v == "patch" })
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := sandboxtest.ApplyRole(ctx, sb.Kubernetes(), role, binding); err != nil {
		t.Fatal(err)
	}
	data, err := sb.Cluster().UserKubeconfig("stratos-no-patch-user", "stratos-no-patch")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	pool := f.pool("forbidden", 1)
	f.engine.Kube = kube
	_, err = f.engine.Converge(ctx, pool)
	var perm *warmpool.PermissionError
	if !errors.As(err, &perm) || perm.Verb != "patch" || perm.Resource != "nodes" || perm.User != "stratos-no-patch-user" {
		t.Fatalf("converge with a role lacking patch on nodes: %v, want a PermissionError naming patch and nodes", err)
	}
	t.Logf("diagnostic: %v", err)
	f.engine.Kube = sb.Kubernetes()
}
