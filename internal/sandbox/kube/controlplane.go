package kube

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// DefaultNodeMonitorGracePeriod is kube-controller-manager's default
// --node-monitor-grace-period (v1.32): how long a node may stay silent
// (no Lease renewal, no status) before the node lifecycle controller marks
// it Unknown and taints it unreachable.
const DefaultNodeMonitorGracePeriod = 40 * time.Second

// controllers are the kube-controller-manager controllers the sandbox runs
// (v1.32 names, `kube-controller-manager --help`): what a cluster does with
// nodes, DaemonSets, Deployments and their pods, and the status of
// PodDisruptionBudgets that evictions are admitted by. Left out: the cloud
// controllers (no cloud provider; the sandbox plays EKS's cloud controller
// in package nodes), node IPAM (EKS's VPC CNI assigns pod addresses),
// volumes, jobs, certificates and the other API-specific controllers no
// test uses.
var controllers = []string{
	"node-lifecycle-controller",
	"taint-eviction-controller",
	"daemonset-controller",
	"deployment-controller",
	"disruption-controller",
	"replicaset-controller",
	"pod-garbage-collector-controller",
	"garbage-collector-controller",
	"namespace-controller",
	"serviceaccount-controller",
	"serviceaccount-token-controller",
	"root-ca-certificate-publisher-controller",
}

// Identities of the control plane's clients. The apiserver's bootstrap RBAC
// policy binds system:kube-controller-manager and system:kube-scheduler to
// their ClusterRoles; with --use-service-account-credentials each controller
// then acts as its own kube-system service account (system:controller:*
// roles), as on kubeadm and EKS clusters.
const (
	controllerManagerUser = "system:kube-controller-manager"
	schedulerUser         = "system:kube-scheduler"
)

// componentFlags are the flags kube-controller-manager and kube-scheduler
// share: their identity, a loopback serving port with the apiserver's
// certificate (valid for 127.0.0.1, signed by the cluster CA, so the metrics
// scrape can verify it), and metrics without delegated authentication
// (loopback only; the sandbox reads zone states from them).
func (c *Cluster) componentFlags(kubeconfig string, port int) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--tls-cert-file=" + c.pki.servingCert,
		"--tls-private-key-file=" + c.pki.servingKey,
		"--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics",
		"--leader-elect=false",
		"--profiling=false",
		"--v=0",
	}
}

// startControlPlane runs kube-controller-manager and kube-scheduler against
// the running apiserver and waits until both answer /healthz.
func (c *Cluster) startControlPlane(ctx context.Context, bins Binaries, ports []int, log io.Writer) error {
	kcmConfig, err := c.writeClientKubeconfig("kube-controller-manager", controllerManagerUser, nil)
	if err != nil {
		return err
	}
	schedConfig, err := c.writeClientKubeconfig("kube-scheduler", schedulerUser, nil)
	if err != nil {
		return err
	}
	c.controllerManagerURL = "https://127.0.0.1:" + strconv.Itoa(ports[0])
	c.controllerManager, err = startProcess("kube-controller-manager", bins.KubeControllerManager, append(c.componentFlags(kcmConfig, ports[0]),
		"--use-service-account-credentials=true",
		"--service-account-private-key-file="+c.pki.serviceKey,
		"--root-ca-file="+c.pki.caFile,
		"--controllers="+strings.Join(controllers, ","),
		"--node-monitor-grace-period="+c.nodeMonitorGracePeriod.String(),
		// kube-controller-manager's default client limits (20 QPS, burst 30)
		// would make a thousand DaemonSet pods take minutes to create; EKS
		// runs its control plane with higher limits than the defaults.
		"--kube-api-qps=200",
		"--kube-api-burst=400",
	), log)
	if err != nil {
		return err
	}
	c.schedulerURL = "https://127.0.0.1:" + strconv.Itoa(ports[1])
	c.scheduler, err = startProcess("kube-scheduler", bins.KubeScheduler, append(c.componentFlags(schedConfig, ports[1]),
		// The scheduler binds every DaemonSet pod (the DaemonSet controller
		// only sets node affinity); its default 50 QPS would pace a
		// thousand-node warmup.
		"--kube-api-qps=200",
		"--kube-api-burst=400",
	), log)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.pki.caPEM)
	if err := waitHTTP(ctx, c.controllerManager, c.controllerManagerURL+"/healthz", pool, ""); err != nil {
		return fmt.Errorf("kube-controller-manager did not become healthy: %w", err)
	}
	if err := waitHTTP(ctx, c.scheduler, c.schedulerURL+"/healthz", pool, ""); err != nil {
		return fmt.Errorf("kube-scheduler did not become healthy: %w", err)
	}
	return nil
}

// writeClientKubeconfig writes <name>.kubeconfig in the cluster directory:
// the apiserver with a client certificate for user in groups.
func (c *Cluster) writeClientKubeconfig(name, user string, groups []string) (string, error) {
	cfg, err := c.clientKubeconfig(user, groups)
	if err != nil {
		return "", err
	}
	path := filepath.Join(c.dir, name+".kubeconfig")
	if err := clientcmd.WriteToFile(cfg, path); err != nil {
		return "", fmt.Errorf("write kubeconfig for %s: %w", user, err)
	}
	return path, nil
}

func (c *Cluster) clientKubeconfig(user string, groups []string) (clientcmdapi.Config, error) {
	certPEM, keyPEM, err := c.pki.clientCertificate(user, groups)
	if err != nil {
		return clientcmdapi.Config{}, err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["sandbox"] = &clientcmdapi.Cluster{Server: c.endpoint, CertificateAuthorityData: c.pki.caPEM}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{ClientCertificateData: certPEM, ClientKeyData: keyPEM}
	cfg.Contexts["sandbox"] = &clientcmdapi.Context{Cluster: "sandbox", AuthInfo: user}
	cfg.CurrentContext = "sandbox"
	return *cfg, nil
}

// UserKubeconfig returns a kubeconfig (file contents) that authenticates as
// user in groups with a client certificate signed by the cluster CA. Unlike
// the admin kubeconfig it is not in system:masters, so the apiserver's RBAC
// authorizer decides what it may do: bind a Role or ClusterRole to the user
// or one of the groups first.
func (c *Cluster) UserKubeconfig(user string, groups ...string) ([]byte, error) {
	cfg, err := c.clientKubeconfig(user, groups)
	if err != nil {
		return nil, err
	}
	return clientcmd.Write(cfg)
}
