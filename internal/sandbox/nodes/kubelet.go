package nodes

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/url"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Cluster is the identity of the cluster the simulated nodes may join: what
// an EKS DescribeCluster would report.
type Cluster struct {
	Name      string
	Endpoint  string
	CACertPEM []byte
}

// kubeletFailure is the kubelet refusing to start or to register; unlike a
// boot failure, early-boot-config succeeded.
type kubeletFailure struct{ log string }

func (e *kubeletFailure) Error() string { return e.log }

// kubeletNodeLabelNamespaces are the kubernetes.io / k8s.io labels a kubelet
// may set on itself (k8s.io/kubelet/pkg/apis: KubeletLabels and namespaces);
// anything else in those namespaces makes the kubelet exit at start.
var kubeletAllowedLabels = []string{
	"beta.kubernetes.io/arch", "beta.kubernetes.io/instance-type", "beta.kubernetes.io/os",
	"failure-domain.beta.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
	"kubernetes.io/arch", "kubernetes.io/hostname", "kubernetes.io/os", "node.kubernetes.io/instance-type",
	"topology.kubernetes.io/region", "topology.kubernetes.io/zone",
}

var kubeletAllowedLabelNamespaces = []string{"kubelet.kubernetes.io", "node.kubernetes.io"}

// checkKubelet applies what happens after early-boot-config: the kubelet
// validates its flags, then tries to register with the configured API
// server using the configured CA and cluster name.
func checkKubelet(s *bootSettings, c Cluster, nodeName string) error {
	var invalid []string
	var restricted []string
	for k, v := range s.NodeLabels {
		for _, msg := range validation.IsQualifiedName(k) {
			invalid = append(invalid, fmt.Sprintf("invalid label key %q: %s", k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(v) {
			invalid = append(invalid, fmt.Sprintf("invalid label value %q: %s", v, msg))
		}
		if kubernetesNamespaced(k) && !allowedKubeletLabel(k) {
			restricted = append(restricted, k)
		}
	}
	sort.Strings(invalid)
	if len(invalid) > 0 {
		return &kubeletFailure{log: fmt.Sprintf(`"command failed" err="failed to validate kubelet flags: invalid node labels: %s"`, strings.Join(invalid, "; "))}
	}
	if len(restricted) > 0 {
		sort.Strings(restricted)
		return &kubeletFailure{log: fmt.Sprintf(`"command failed" err="failed to validate kubelet flags: unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: %v\n--node-labels in the 'kubernetes.io' namespace must begin with an allowed prefix (kubelet.kubernetes.io, node.kubernetes.io) or be in the specifically allowed set (%s)"`, restricted, strings.Join(kubeletAllowedLabels, ", "))}
	}
	for _, t := range s.NodeTaints {
		switch t.Effect {
		case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		default:
			return &kubeletFailure{log: fmt.Sprintf(`"command failed" err="failed to validate kubelet flags: invalid taint effect: %s, unsupported taint effect"`, t.Effect)}
		}
		for _, msg := range validation.IsQualifiedName(t.Key) {
			return &kubeletFailure{log: fmt.Sprintf(`"command failed" err="failed to validate kubelet flags: invalid taint key %q: %s"`, t.Key, msg)}
		}
		for _, msg := range validation.IsValidLabelValue(t.Value) {
			return &kubeletFailure{log: fmt.Sprintf(`"command failed" err="failed to validate kubelet flags: invalid taint value %q: %s"`, t.Value, msg)}
		}
	}
	registerURL := strings.TrimSuffix(s.APIServer, "/") + "/api/v1/nodes"
	if !sameServer(s.APIServer, c.Endpoint) {
		return &kubeletFailure{log: fmt.Sprintf(`"Unable to register node with API server" err="Post \"%s\": dial tcp: connect: connection refused" node=%q`, registerURL, nodeName)}
	}
	if !sameCertificate(s.ClusterCertificate, c.CACertPEM) {
		return &kubeletFailure{log: fmt.Sprintf(`"Unable to register node with API server" err="Post \"%s\": tls: failed to verify certificate: x509: certificate signed by unknown authority" node=%q`, registerURL, nodeName)}
	}
	if s.ClusterName != c.Name {
		// The aws-iam-authenticator token names the cluster; the API server
		// rejects a token minted for another one.
		return &kubeletFailure{log: fmt.Sprintf(`"Unable to register node with API server" err="Unauthorized" node=%q`, nodeName)}
	}
	return nil
}

func kubernetesNamespaced(key string) bool {
	prefix, _, ok := strings.Cut(key, "/")
	if !ok {
		return false
	}
	for _, ns := range []string{"kubernetes.io", "k8s.io"} {
		if prefix == ns || strings.HasSuffix(prefix, "."+ns) {
			return true
		}
	}
	return false
}

func allowedKubeletLabel(key string) bool {
	for _, k := range kubeletAllowedLabels {
		if k == key {
			return true
		}
	}
	prefix, _, _ := strings.Cut(key, "/")
	for _, ns := range kubeletAllowedLabelNamespaces {
		if prefix == ns || strings.HasSuffix(prefix, "."+ns) {
			return true
		}
	}
	return false
}

func sameServer(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errA != nil || errB != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		strings.Trim(ua.Path, "/") == strings.Trim(ub.Path, "/")
}

// sameCertificate compares the certificates, not the bytes, so a PEM with
// different line endings or trailing newlines still counts as the cluster CA.
func sameCertificate(encoded string, caPEM []byte) bool {
	data, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return false
	}
	want := certificatesDER(caPEM)
	got := certificatesDER(data)
	if len(want) == 0 || len(got) == 0 {
		return false
	}
	for _, g := range got {
		for _, w := range want {
			if bytes.Equal(g, w) {
				return true
			}
		}
	}
	return false
}

func certificatesDER(data []byte) [][]byte {
	var out [][]byte
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return out
		}
		if block.Type == "CERTIFICATE" {
			out = append(out, block.Bytes)
		}
	}
}
