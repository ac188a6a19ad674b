package warmpool

import (
	"errors"
	"fmt"
	"regexp"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// PermissionError is the cluster refusing the provider's identity a verb on
// a resource (RBAC). It names both, so the missing rule can be added to the
// provider's ClusterRole (examples/kubernetes/clusterrole.yaml).
type PermissionError struct {
	User, Verb, Resource, APIGroup string
	Err                            error
}

func (e *PermissionError) Error() string {
	group := e.APIGroup
	if group == "" {
		group = "core"
	}
	return fmt.Sprintf("Kubernetes refused %s the verb %q on resource %q (API group %s): the provider's ClusterRole must grant it "+
		"(see the Kubernetes permissions guide): %v", e.User, e.Verb, e.Resource, group, e.Err)
}

func (e *PermissionError) Unwrap() error { return e.Err }

// forbiddenMessage is how the apiserver words an RBAC refusal
// (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go,
// forbiddenMessage): `User "u" cannot patch resource "nodes" in API group ""
// at the cluster scope`, a subresource as "pods/eviction".
var forbiddenMessage = regexp.MustCompile(`User "([^"]*)" cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?`)

// permissionError turns an error that carries a Forbidden answer into a
// PermissionError naming the verb and resource; other errors pass unchanged.
func permissionError(err error) error {
	var status apierrors.APIStatus
	if err == nil || !errors.As(err, &status) || !apierrors.IsForbidden(err) {
		return err
	}
	var already *PermissionError
	if errors.As(err, &already) {
		return err
	}
	m := forbiddenMessage.FindStringSubmatch(status.Status().Message)
	if m == nil {
		return err
	}
	return &PermissionError{User: m[1], Verb: m[2], Resource: m[3], APIGroup: m[4], Err: err}
}
