package kube

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// DefaultServiceCIDR is EKS's default service range, so the cluster DNS IP is
// 172.20.0.10 as on a real cluster.
const DefaultServiceCIDR = "172.20.0.0/16"

// Options configure Start.
type Options struct {
	// Dir holds the data dir, keys and kubeconfig. Empty: a temporary
	// directory removed by Close.
	Dir string
	// Log receives the output of etcd and kube-apiserver and of a first-use
	// build. Nil discards it.
	Log io.Writer
	// ServiceCIDR defaults to DefaultServiceCIDR.
	ServiceCIDR string
	// NodeMonitorGracePeriod is kube-controller-manager's
	// --node-monitor-grace-period; 0 means DefaultNodeMonitorGracePeriod.
	// Tests shorten it to see a stopped node turn unreachable sooner; the
	// simulated kubelets renew their Leases four times per period.
	NodeMonitorGracePeriod time.Duration
}

// Cluster is a running control plane: etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler.
type Cluster struct {
	dir                    string
	removeDir              bool
	endpoint               string
	serviceCIDR            string
	nodeMonitorGracePeriod time.Duration
	pki                    *pki
	kubeconfig             string
	restConfig             *rest.Config
	controllerManagerURL   string
	schedulerURL           string
	etcd                   *process
	apiserver              *process
	controllerManager      *process
	scheduler              *process
}

// Start builds the binaries if needed, starts etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler on free loopback ports and
// returns once all answer their health checks.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	bins, err := EnsureBinaries(ctx, opts.Log)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	c := &Cluster{dir: opts.Dir, serviceCIDR: opts.ServiceCIDR, nodeMonitorGracePeriod: opts.NodeMonitorGracePeriod}
	if c.serviceCIDR == "" {
		c.serviceCIDR = DefaultServiceCIDR
	}
	if c.nodeMonitorGracePeriod <= 0 {
		c.nodeMonitorGracePeriod = DefaultNodeMonitorGracePeriod
	}
	if c.dir == "" {
		c.dir, err = os.MkdirTemp("", "stratos-sandbox-kube-")
		if err != nil {
			return nil, fmt.Errorf("create kube directory: %w", err)
		}
		c.removeDir = true
	} else if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, fmt.Errorf("create kube directory: %w", err)
	}
	// Ports are picked free and then released for the children to bind, so
	// another process can take one in between; a fresh set usually works.
	for attempt := 1; ; attempt++ {
		err = c.start(ctx, bins, log)
		if err == nil {
			return c, nil
		}
		c.stopProcesses()
		if attempt == 3 || ctx.Err() != nil {
			_ = c.Close()
			return nil, err
		}
		fmt.Fprintf(log, "stratos-sandbox: retrying kubernetes start: %v\n", err)
		if err := os.RemoveAll(filepath.Join(c.dir, "etcd")); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("reset etcd data: %w", err)
		}
	}
}

// processes lists the children in stop order: clients of the apiserver
// first, etcd last.
func (c *Cluster) processes() []*process {
	var ps []*process
	for _, p := range []*process{c.scheduler, c.controllerManager, c.apiserver, c.etcd} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

func (c *Cluster) stopProcesses() []error {
	var errs []error
	for _, p := range c.processes() {
		errs = append(errs, p.stop(10*time.Second))
	}
	c.scheduler, c.controllerManager, c.apiserver, c.etcd = nil, nil, nil, nil
	return errs
}

func (c *Cluster) start(ctx context.Context, bins Binaries, log io.Writer) error {
	var err error
	if c.pki, err = writePKI(c.dir); err != nil {
		return err
	}
	ports, err := freePorts(5)
	if err != nil {
		return err
	}
	etcdClient := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	etcdPeer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	c.etcd, err = startProcess("etcd", bins.Etcd, []string{
		"--name=sandbox",
		"--data-dir=" + filepath.Join(c.dir, "etcd"),
		"--listen-client-urls=" + etcdClient,
		"--advertise-client-urls=" + etcdClient,
		"--listen-peer-urls=" + etcdPeer,
		"--initial-advertise-peer-urls=" + etcdPeer,
		"--initial-cluster=sandbox=" + etcdPeer,
		"--log-level=warn",
		// The data is thrown away with the sandbox; fsync would only make
		// a thousand node updates slow on a shared disk.
		"--unsafe-no-fsync",
		"--listen-metrics-urls=",
	}, log)
	if err != nil {
		return err
	}
	if err := waitHTTP(ctx, c.etcd, etcdClient+"/health", nil, ""); err != nil {
		return fmt.Errorf("etcd did not become healthy: %w", err)
	}

	c.endpoint = "https://127.0.0.1:" + strconv.Itoa(ports[2])
	c.apiserver, err = startProcess("kube-apiserver", bins.KubeAPIServer, []string{
		"--etcd-servers=" + etcdClient,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[2]),
		"--tls-cert-file=" + c.pki.servingCert,
		"--tls-private-key-file=" + c.pki.servingKey,
		"--client-ca-file=" + c.pki.caFile,
		"--token-auth-file=" + c.pki.tokenFile,
		// As on EKS: the Node authorizer for kubelets, RBAC for everyone
		// else (system:masters bypasses it).
		"--authorization-mode=Node,RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + c.pki.serviceKey,
		"--service-account-signing-key-file=" + c.pki.serviceKey,
		"--service-cluster-ip-range=" + c.serviceCIDR,
		// The simulated kubelets mount no service-account tokens, and with
		// the plugin a pod created right after its namespace would race the
		// serviceaccount controller creating the namespace's default account.
		"--disable-admission-plugins=ServiceAccount",
		"--allow-privileged=true",
		// The "kubernetes" Endpoints cannot hold a loopback address; without
		// this the apiserver logs a failed reconcile every ten seconds.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
		// A thousand simulated kubelets plus the provider under test share
		// this apiserver; the defaults (400/200) would throttle the sandbox.
		"--max-requests-inflight=1000",
		"--max-mutating-requests-inflight=500",
		"--v=0",
	}, log)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.pki.caPEM)
	if err := waitHTTP(ctx, c.apiserver, c.endpoint+"/readyz", pool, c.pki.adminToken); err != nil {
		return fmt.Errorf("kube-apiserver did not become ready: %w", err)
	}

	c.restConfig = &rest.Config{
		Host:            c.endpoint,
		BearerToken:     c.pki.adminToken,
		TLSClientConfig: rest.TLSClientConfig{CAData: c.pki.caPEM},
	}
	c.kubeconfig = filepath.Join(c.dir, "kubeconfig")
	if err := clientcmd.WriteToFile(c.kubeconfigAPI(), c.kubeconfig); err != nil {
		return err
	}
	return c.startControlPlane(ctx, bins, ports[3:5], log)
}

func (c *Cluster) kubeconfigAPI() clientcmdapi.Config {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["sandbox"] = &clientcmdapi.Cluster{Server: c.endpoint, CertificateAuthorityData: c.pki.caPEM}
	cfg.AuthInfos["sandbox-admin"] = &clientcmdapi.AuthInfo{Token: c.pki.adminToken}
	cfg.Contexts["sandbox"] = &clientcmdapi.Context{Cluster: "sandbox", AuthInfo: "sandbox-admin"}
	cfg.CurrentContext = "sandbox"
	return *cfg
}

// Endpoint is the apiserver URL, https://127.0.0.1:<port>.
func (c *Cluster) Endpoint() string { return c.endpoint }

// CACertPEM is the cluster CA certificate (PEM): the EKS "certificate authority data".
func (c *Cluster) CACertPEM() []byte { return append([]byte(nil), c.pki.caPEM...) }

// ServiceCIDR is the service IP range given to the apiserver.
func (c *Cluster) ServiceCIDR() string { return c.serviceCIDR }

// KubeconfigPath is a kubeconfig file with a system:masters token.
func (c *Cluster) KubeconfigPath() string { return c.kubeconfig }

// RESTConfig returns a copy of an admin client configuration.
func (c *Cluster) RESTConfig() *rest.Config { return rest.CopyConfig(c.restConfig) }

// Clientset returns an admin clientset with the given client-side rate
// limits (0 keeps client-go's defaults).
func (c *Cluster) Clientset(qps float32, burst int) (kubernetes.Interface, error) {
	cfg := c.RESTConfig()
	cfg.QPS, cfg.Burst = qps, burst
	return kubernetes.NewForConfig(cfg)
}

// Pids are the process ids of the control plane's processes (for leak checks).
func (c *Cluster) Pids() []int {
	var pids []int
	for _, p := range c.processes() {
		pids = append(pids, p.pid())
	}
	return pids
}

// ProcessStats reports memory and CPU of each control-plane process, in
// start order (etcd first), for make bench.
func (c *Cluster) ProcessStats() []ProcessStat {
	ps := c.processes()
	out := make([]ProcessStat, 0, len(ps))
	for i := len(ps) - 1; i >= 0; i-- {
		out = append(out, ps[i].stat())
	}
	return out
}

// NodeMonitorGracePeriod is the node lifecycle controller's grace period.
func (c *Cluster) NodeMonitorGracePeriod() time.Duration { return c.nodeMonitorGracePeriod }

// Close stops kube-scheduler, kube-controller-manager, kube-apiserver, then
// etcd, waits for them and removes a temporary directory. It is safe to call
// more than once.
func (c *Cluster) Close() error {
	errs := c.stopProcesses()
	if c.removeDir && c.dir != "" {
		errs = append(errs, os.RemoveAll(c.dir))
	}
	return errors.Join(errs...)
}

// freePorts reserves n distinct loopback ports by listening on them at once,
// then releases them for the children to bind.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// waitHTTP polls url until it answers 200, the process exits, or a minute passes.
func waitHTTP(ctx context.Context, p *process, url string, roots *x509.CertPool, token string) error {
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
	}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(time.Minute)
	var last string
	for {
		if p.exited() {
			return fmt.Errorf("%s exited: %v (see its log)", p.name, p.err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, body)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after a minute: %s", url, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
