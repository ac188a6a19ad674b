package provider

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Client-side rate limits for the cluster: client-go's defaults (5 QPS,
// burst 10) would make a warm pool of hundreds of nodes wait on the client,
// not on the API server. Node writes are one request per node (Kubernetes
// has no batch API); at 50 QPS a 500-node create spent seconds waiting here
// (make bench). These match what node-provisioning controllers such as
// Karpenter use; the API server's priority and fairness still protects it.
const (
	kubernetesQPS   = 200
	kubernetesBurst = 300
)

// kubeSettings is the kubernetes block after Configure, with the
// environment variables the Kubernetes provider reads already applied.
type kubeSettings struct {
	Host                 string
	ClusterCACertificate string
	Token                string
	ClientCertificate    string
	ClientKey            string
	Insecure             bool
	ConfigPaths          []string
	ConfigContext        string
	Exec                 *execSettings
}

type execSettings struct {
	APIVersion string
	Command    string
	Args       []string
	Env        map[string]string
}

func (s kubeSettings) configured() bool {
	return s.Host != "" || len(s.ConfigPaths) > 0
}

// restConfig builds the client configuration with clientcmd, the way kubectl
// and the Kubernetes provider do: a kubeconfig (only when named) with the
// block's attributes as overrides on top.
func restConfig(s kubeSettings, userAgent string) (*rest.Config, error) {
	if !s.configured() && os.Getenv("KUBERNETES_SERVICE_HOST") == "" {
		return nil, errors.New("Kubernetes: no cluster configured (set host or config_path in the provider's kubernetes block, or KUBE_HOST / KUBE_CONFIG_PATH)")
	}
	rules := &clientcmd.ClientConfigLoadingRules{}
	paths, err := expandPaths(s.ConfigPaths)
	if err != nil {
		return nil, fmt.Errorf("Kubernetes config_path: %w", err)
	}
	if len(paths) == 1 {
		// An explicit path must exist; clientcmd ignores missing ones in Precedence.
		rules.ExplicitPath = paths[0]
	} else {
		rules.Precedence = paths
	}

	overrides := &clientcmd.ConfigOverrides{CurrentContext: s.ConfigContext}
	if s.Host != "" {
		overrides.ClusterInfo.Server = s.Host
	}
	if s.ClusterCACertificate != "" {
		overrides.ClusterInfo.CertificateAuthorityData = pemOrBase64(s.ClusterCACertificate)
	}
	if s.Insecure {
		overrides.ClusterInfo.InsecureSkipTLSVerify = true
	}
	if s.Token != "" {
		overrides.AuthInfo.Token = s.Token
	}
	if s.ClientCertificate != "" {
		overrides.AuthInfo.ClientCertificateData = pemOrBase64(s.ClientCertificate)
	}
	if s.ClientKey != "" {
		overrides.AuthInfo.ClientKeyData = pemOrBase64(s.ClientKey)
	}
	if s.Exec != nil {
		exec := &clientcmdapi.ExecConfig{
			APIVersion:      s.Exec.APIVersion,
			Command:         s.Exec.Command,
			Args:            s.Exec.Args,
			InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
		}
		names := make([]string, 0, len(s.Exec.Env))
		for name := range s.Exec.Env {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			exec.Env = append(exec.Env, clientcmdapi.ExecEnvVar{Name: name, Value: s.Exec.Env[name]})
		}
		overrides.AuthInfo.Exec = exec
	}

	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, errors.New("Kubernetes: no cluster configured (set host or config_path in the provider's kubernetes block, or KUBE_HOST / KUBE_CONFIG_PATH)")
		}
		return nil, fmt.Errorf("Kubernetes configuration: %w", err)
	}
	cfg.QPS = kubernetesQPS
	cfg.Burst = kubernetesBurst
	cfg.UserAgent = userAgent
	return cfg, nil
}

// newKubernetesClient makes the clientset and checks, with one /version
// call, that the API server answers and accepts the credentials, so that a
// wrong token is one clear error rather than a failure mid-operation.
func newKubernetesClient(ctx context.Context, cfg *rest.Config) (kubernetes.Interface, error) {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("Kubernetes client for %s: %w", cfg.Host, err)
	}
	if err := client.Discovery().RESTClient().Get().AbsPath("/version").Do(ctx).Error(); err != nil {
		switch {
		case apierrors.IsUnauthorized(err):
			return nil, fmt.Errorf("Kubernetes credentials: rejected by %s (401 Unauthorized): check token, client_certificate/client_key or exec", cfg.Host)
		case apierrors.IsForbidden(err):
			return nil, fmt.Errorf("Kubernetes credentials: %s refused them (403 Forbidden): %s", cfg.Host, apierrors.ReasonForError(err))
		default:
			return nil, fmt.Errorf("Kubernetes: cannot reach the API server at %s: %w", cfg.Host, err)
		}
	}
	return client, nil
}

// pemOrBase64 accepts PEM as the Kubernetes provider does, and also the
// base64-encoded PEM that EKS (certificate_authority[0].data) returns, so
// users need no base64decode().
func pemOrBase64(v string) []byte {
	trimmed := strings.TrimSpace(v)
	if strings.HasPrefix(trimmed, "-----BEGIN") {
		return []byte(v)
	}
	if decoded, err := base64.StdEncoding.DecodeString(trimmed); err == nil && strings.HasPrefix(strings.TrimSpace(string(decoded)), "-----BEGIN") {
		return decoded
	}
	return []byte(v)
}

func expandPaths(paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if p == "" {
			continue
		}
		if p == "~" || strings.HasPrefix(p, "~/") {
			home, err := os.UserHomeDir()
			if err != nil {
				return nil, fmt.Errorf("expand %q: %w", p, err)
			}
			p = filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
		out = append(out, p)
	}
	return out, nil
}
