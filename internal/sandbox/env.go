package sandbox

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
)

// Credentials the sandbox accepts (it accepts any); set so that the SDK's
// default chain stops at the environment and never probes IMDS.
const (
	accessKeyID     = "AKIASANDBOXSTRATOS00"
	secretAccessKey = "sandbox-secret-access-key"
)

// Env is what a process needs to use the sandbox through the standard AWS
// and Kubernetes variables, plus the cluster identity a node class needs.
// It is what .sandbox/env exports.
func (s *Sandbox) Env() map[string]string {
	ec2, ssm, sts := s.world.Endpoints(s.url)
	return map[string]string{
		"AWS_REGION":                s.world.Region(),
		"AWS_ACCESS_KEY_ID":         accessKeyID,
		"AWS_SECRET_ACCESS_KEY":     secretAccessKey,
		"AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ENDPOINT_URL_EC2":      ec2,
		"AWS_ENDPOINT_URL_SSM":      ssm,
		"AWS_ENDPOINT_URL_STS":      sts,
		"KUBE_CONFIG_PATH":          s.cluster.KubeconfigPath(),
		// So kubectl, after `. .sandbox/env`, looks at the sandbox too.
		"KUBECONFIG":                         s.cluster.KubeconfigPath(),
		"STRATOS_SANDBOX_URL":                s.url,
		"STRATOS_SANDBOX_CLUSTER_NAME":       ClusterName,
		"STRATOS_SANDBOX_CLUSTER_ENDPOINT":   s.cluster.Endpoint(),
		"STRATOS_SANDBOX_CLUSTER_CA":         base64.StdEncoding.EncodeToString(s.cluster.CACertPEM()),
		"STRATOS_SANDBOX_SERVICE_CIDR":       s.cluster.ServiceCIDR(),
		"STRATOS_SANDBOX_SUBNET_IDS":         strings.Join(s.world.SubnetIDs(), ","),
		"STRATOS_SANDBOX_SECURITY_GROUP_IDS": strings.Join(s.world.SecurityGroupIDs(), ","),
	}
}

// EnvFile renders env as shell export lines, sorted, single-quoted.
func EnvFile(env map[string]string) string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(env[k]))
	}
	return b.String()
}

func shellQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
