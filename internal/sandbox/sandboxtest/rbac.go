package sandboxtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox"
)

// ProviderUser is the identity the provider under test runs as: a member of
// the group the documented ClusterRoleBinding names, nothing else.
const ProviderUser = "stratos-provider-test"

// providerKubeconfig is the kubeconfig of ProviderUser, once written.
var providerKubeconfig string

// ProviderKubeconfig is the path of a kubeconfig for ProviderUser, bound to
// the documented ClusterRole only (examples/kubernetes/clusterrole.yaml):
// the sandbox's apiserver enforces RBAC, so a provider run with it can do
// exactly what the docs grant. The sandbox's KUBE_CONFIG_PATH points at it.
func ProviderKubeconfig(t interface {
	Helper()
	Skip(...any)
}) string {
	t.Helper()
	if providerKubeconfig == "" {
		t.Skip("needs the sandbox: set TF_ACC=1 or STRATOS_SANDBOX=1")
	}
	return providerKubeconfig
}

// ClusterRoleFile is the documented ClusterRole and its binding.
func ClusterRoleFile() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "kubernetes", "clusterrole.yaml")
}

// ReadClusterRole decodes the documented ClusterRole and ClusterRoleBinding.
func ReadClusterRole() (*rbacv1.ClusterRole, *rbacv1.ClusterRoleBinding, error) {
	data, err := os.ReadFile(ClusterRoleFile())
	if err != nil {
		return nil, nil, err
	}
	var role *rbacv1.ClusterRole
	var binding *rbacv1.ClusterRoleBinding
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, fmt.Errorf("decode %s: %w", ClusterRoleFile(), err)
		}
		var meta metav1.TypeMeta
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, nil, err
		}
		switch meta.Kind {
		case "ClusterRole":
			role = &rbacv1.ClusterRole{}
			err = json.Unmarshal(raw, role)
		case "ClusterRoleBinding":
			binding = &rbacv1.ClusterRoleBinding{}
			err = json.Unmarshal(raw, binding)
		default:
			err = fmt.Errorf("unexpected kind %q", meta.Kind)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("decode %s: %w", ClusterRoleFile(), err)
		}
	}
	if role == nil || binding == nil || len(binding.Subjects) != 1 {
		return nil, nil, fmt.Errorf("%s: want one ClusterRole and one ClusterRoleBinding to one group", ClusterRoleFile())
	}
	return role, binding, nil
}

// ApplyRole creates (or replaces) a ClusterRole and its binding.
func ApplyRole(ctx context.Context, kube kubernetes.Interface, role *rbacv1.ClusterRole, binding *rbacv1.ClusterRoleBinding) error {
	roles, bindings := kube.RbacV1().ClusterRoles(), kube.RbacV1().ClusterRoleBindings()
	if _, err := roles.Create(ctx, role, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
		_, err = roles.Update(ctx, role, metav1.UpdateOptions{})
		if err != nil {
			return err
		}
	} else if err != nil {
		return fmt.Errorf("create ClusterRole %s: %w", role.Name, err)
	}
	if _, err := bindings.Create(ctx, binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create ClusterRoleBinding %s: %w", binding.Name, err)
	}
	return nil
}

// BindProvider applies the documented ClusterRole and writes a kubeconfig
// for ProviderUser in the binding's group into dir (provider.kubeconfig):
// what the provider runs as in the tests and in cmd/stratos-bench.
func BindProvider(ctx context.Context, sb *sandbox.Sandbox, dir string) (string, error) {
	role, binding, err := ReadClusterRole()
	if err != nil {
		return "", err
	}
	if err := ApplyRole(ctx, sb.Kubernetes(), role, binding); err != nil {
		return "", err
	}
	data, err := sb.Cluster().UserKubeconfig(ProviderUser, binding.Subjects[0].Name)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "provider.kubeconfig")
	return path, os.WriteFile(path, data, 0o600)
}
